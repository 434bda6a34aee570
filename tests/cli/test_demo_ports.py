"""Issue 14 item 9: ``make demo`` with a port in use says which, in one line, at once."""

from __future__ import annotations

import os
import socket
import sys

from relay.demo.ports import daemon_nodes, screen_ports
from relay.sim.scenario import load_scenario
from tests.cli.conftest import Relay, assert_no_traceback


def test_a_screen_port_in_use_is_named_before_anything_starts(relay: Relay) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = relay("demo", "--dir", "demo-state", "--screen-port", str(port), "--pause", "0")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert_no_traceback(proc)
    [line] = [x for x in proc.stderr.splitlines() if x.strip()]
    assert f"port {port} on 127.0.0.1 (the screen of hub)" in line and "--screen-port" in line


def test_screen_port_zero_picks_distinct_free_ports() -> None:
    scenario = load_scenario("village")
    ports = screen_ports(scenario, 0)
    assert list(ports) == daemon_nodes(scenario) and len(set(ports.values())) == len(ports)
    for port in ports.values():
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))  # free now


def test_the_demos_cli_hints_work_in_a_fresh_shell() -> None:
    """Issue 14 item 11: the hints said `relay ...`, which a fresh shell cannot find."""
    from pathlib import Path

    from relay.demo.run import _cli

    cli = Path(_cli())
    assert cli.name == "relay" and cli.is_file() and os.access(cli, os.X_OK), cli
    assert cli.parent.samefile(Path(sys.executable).parent)
