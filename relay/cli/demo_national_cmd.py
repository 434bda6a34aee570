"""``relay demo-national`` (what ``make demo-national`` runs)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path

import click


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

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            if not stop.is_set() and task is not None:
                task.cancel()  # start-up or the reach report: the cleanup stops everything
            stop.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal)
        await run_national_demo(directory, port, click.echo, stop)

    with contextlib.suppress(asyncio.CancelledError):
        asyncio.run(main())
