"""``relay demo-national`` (what ``make demo-national`` runs)."""

from __future__ import annotations

from pathlib import Path

import click

from relay.cli.demo_cmd import run_until_signal


@click.command("demo-national")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-state/national"),
    show_default=True,
    help="Where the regions, the national node and the broker live (recreated at start).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65000),
    default=0,
    show_default=True,
    help="The national dashboard's port; 0: a free port picked by the OS (printed).",
)
def demo_national(directory: Path, port: int) -> None:
    """Three region hubs and a national node on a mosquitto of their own."""
    from relay.demo.national import run_national_demo

    run_until_signal(lambda stop: run_national_demo(directory, port, click.echo, stop))
