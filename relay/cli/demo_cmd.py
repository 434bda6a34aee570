"""``relay demo`` (what ``make demo`` runs)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import click


@click.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-state"),
    show_default=True,
    help="Where the demo region lives (recreated at every start).",
)
@click.option("--scenario", default="village", show_default=True)
@click.option(
    "--screen-port",
    type=click.IntRange(0, 65000),
    default=8080,
    show_default=True,
    help="The hub's screen port; the points' follow it. 0: free ports picked by the OS.",
)
@click.option(
    "--pause", type=float, default=20.0, show_default=True, help="Seconds between bulletins."
)
def demo(directory: Path, scenario: str, screen_port: int, pause: float) -> None:
    """A hub, support points and relay sites on emulated radios; screens on localhost."""
    from relay.demo.run import run_demo

    run_until_signal(
        lambda stop: run_demo(directory, scenario, screen_port, pause, click.echo, stop)
    )


def run_until_signal(body: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``body(stop)`` until it ends or SIGINT/SIGTERM: whatever runs then (start-up,
    the script, the report) is cancelled, and the demo's cleanup stops the daemons, the
    radios and the broker."""

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            if not stop.is_set() and task is not None:
                task.cancel()
            stop.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal)
        await body(stop)

    with contextlib.suppress(asyncio.CancelledError):
        asyncio.run(main())
