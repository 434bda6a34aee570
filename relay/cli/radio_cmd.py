"""``relay radio``: radio tools (the emulated radios now; ``apply``/``check`` come later)."""

from __future__ import annotations

import asyncio
import signal
from typing import TYPE_CHECKING

import click

from relay.errors import ConfigError

if TYPE_CHECKING:
    from relay.emulator.mesh import EmulatedMesh
    from relay.sim.scenario import Scenario


@click.group()
def radio() -> None:
    """Radios: emulate a mesh of Meshtastic devices, configure and check real ones."""


@radio.command()
@click.option(
    "--scenario",
    "scenario_name",
    required=True,
    help="A scenario file (TOML) or a shipped scenario name (village, city, region).",
)
@click.option(
    "--base-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="TCP port of the first node; the others follow in order. Default: free ports.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--serial",
    "serial_nodes",
    multiple=True,
    metavar="NODE",
    help="Also give NODE a serial port (a pseudo-terminal). Repeatable.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Simulator seed.")
@click.option(
    "--shipped",
    is_flag=True,
    help="Configure every radio as its firmware-config/ profile does (role, rebroadcast "
    "mode, preset, hop limit), as provisioning would, instead of the scenario's own roles.",
)
def emulate(
    scenario_name: str,
    base_port: int | None,
    host: str,
    serial_nodes: tuple[str, ...],
    seed: int,
    shipped: bool,
) -> None:
    """Run one emulated Meshtastic device per scenario node, joined by a simulated air.

    Connect with the meshtastic CLI (meshtastic --host 127.0.0.1:PORT --info) or point
    noodrelay at tcp://127.0.0.1:PORT. Runs until Ctrl-C or SIGTERM.
    """
    from relay.sim.layout import shipped_layout
    from relay.sim.scenario import load_scenario

    scenario = load_scenario(scenario_name)
    if shipped:
        scenario = shipped_layout(scenario)
    if base_port is not None and base_port + len(scenario.nodes) - 1 > 65535:
        raise ConfigError(
            f"--base-port {base_port}: not enough ports for {len(scenario.nodes)} nodes"
        )
    asyncio.run(_emulate(scenario, base_port, host, serial_nodes, seed))


async def _emulate(
    scenario: Scenario, base_port: int | None, host: str, serial_nodes: tuple[str, ...], seed: int
) -> None:
    from relay.emulator.mesh import EmulatedMesh

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    mesh = EmulatedMesh(scenario, seed=seed, base_port=base_port, serial=serial_nodes, host=host)
    try:
        await mesh.start()
    except OSError as err:
        raise ConfigError(f"cannot listen on {host}: {err}") from None
    try:
        _print_table(scenario.name, host, mesh)
        await stop.wait()
        click.echo("stopping", err=True)
    finally:
        await mesh.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def _print_table(name: str, host: str, mesh: EmulatedMesh) -> None:
    endpoints = mesh.endpoints()
    width = max(len(e.name) for e in endpoints)
    click.echo(f"scenario {name}: {len(endpoints)} emulated Meshtastic nodes (Ctrl-C stops)")
    click.echo(f"{'node':<{width}}  {'id':<9}  {'tcp':<21}  serial")
    for e in endpoints:
        tcp = f"{host}:{e.tcp_port}" if e.tcp_port else "-"
        click.echo(f"{e.name:<{width}}  !{e.num:08x}  {tcp:<21}  {e.serial_path or '-'}")
    # Scripts wait for this line before they connect.
    click.echo("ready", nl=True)
