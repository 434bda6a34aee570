"""The demo's screen ports: checked before anything starts, or picked by the OS.

``make demo`` used to crash with a traceback (a missing control token) when another
process held one of its ports, long after the radios had started. Now the ports are
checked first and one line names the port that is taken and whose screen it was for;
``--screen-port 0`` lets the OS pick free ports (the demo prints them).
"""

from __future__ import annotations

import socket

from relay.errors import RelayError
from relay.sim.scenario import NodeKind, Scenario

HOST = "127.0.0.1"


class PortTakenError(RelayError):
    """A port the demo needs is held by another process."""

    exit_code = 2


def daemon_nodes(scenario: Scenario) -> list[str]:
    """The scenario's nodes that run a daemon (hub and points), in the demo's order."""
    return [n.name for n in scenario.nodes if n.kind in (NodeKind.HUB, NodeKind.POINT)]


def _bind_error(port: int) -> str:
    """Why ``port`` cannot be bound ("" if it can)."""
    with socket.socket() as s:
        # As aiohttp binds: a port left in TIME_WAIT by the last demo is free to use.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError as err:
            return err.strerror or str(err)
    return ""


def _os_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def screen_ports(scenario: Scenario, first: int) -> dict[str, int]:
    """Node name -> screen port: ``first``, ``first + 1``, ... checked free; 0: any free."""
    names = daemon_nodes(scenario)
    if first == 0:
        ports: dict[str, int] = {}
        while len(set(ports.values())) < len(names):
            ports = {name: _os_port() for name in names}
        return ports
    ports = {name: first + i for i, name in enumerate(names)}
    for name, port in ports.items():
        why = _bind_error(port)
        if why:
            raise PortTakenError(
                f"port {port} on {HOST} (the screen of {name}) cannot be used: {why}; "
                f"free it, or start with --screen-port N (0 picks free ports)"
            )
    return ports
