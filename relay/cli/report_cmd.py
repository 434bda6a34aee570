"""``relay report``: the evaluation report (HTML + CSV) from the hub's own store."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click

from relay.cli.daemon_cmd import config_option
from relay.errors import ConfigError

if TYPE_CHECKING:
    from relay.store.exercises import Exercise
    from relay.store.store import Store

AMS = ZoneInfo("Europe/Amsterdam")


def _moment(value: str | None, option: str) -> float | None:
    """ISO date/time; without a zone it is Amsterdam time (what the screens show)."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"{value!r} is not a date and time like 2026-11-28T09:00", option
        ) from None
    return (when if when.tzinfo else when.replace(tzinfo=AMS)).timestamp()


@click.command()
@config_option
@click.option("--from", "since", help="Start, e.g. 2026-11-28T09:00 (Amsterdam time).")
@click.option("--to", "until", help="End (default: now).")
@click.option("--exercise", help="Report on the exercise of this name (its time window).")
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="The HTML file; the CSV files are written next to it.",
)
def report(
    config_path: Path, since: str | None, until: str | None, exercise: str | None, out: Path
) -> None:
    """Write the evaluation report for a period or an exercise, from this hub's store."""
    from relay.daemon.config import load_config
    from relay.report.data import collect
    from relay.report.render import summary_lines, write
    from relay.store.store import Store
    from relay.web.region import load_region

    config = load_config(config_path)
    if not config.is_hub:
        raise ConfigError("the report is made on the hub (this config is a point's)", "role")
    if not config.store.exists():
        raise ConfigError(f"no store at {config.store}", "store.path")
    store = Store(config.store)
    try:
        start, end, chosen = _window(store, since, until, exercise)
        data = collect(
            store,
            start,
            end,
            region=load_region(config.region_file),
            status_interval_s=config.engine.status_interval_s,
            exercise=chosen,
        )
    finally:
        store.close()
    for path in write(data, out):
        click.echo(f"wrote {path}")
    for line in summary_lines(data):
        click.echo(line)


def _window(
    store: Store, since: str | None, until: str | None, exercise: str | None
) -> tuple[float, float, Exercise | None]:
    start, end = _moment(since, "--from"), _moment(until, "--to")
    chosen = None
    if exercise is not None:
        found = store.exercises.named(exercise)
        if not found:
            known = ", ".join(sorted({e.name for e in store.exercises.all()})) or "none"
            raise ConfigError(f"no exercise named {exercise!r} (known: {known})", "--exercise")
        chosen = found[-1]
        start = chosen.started_at if start is None else start
        end = (chosen.ended_at or time.time()) if end is None else end
    if start is None:
        raise ConfigError("give --from (or --exercise NAME)", "--from")
    end = time.time() if end is None else end
    if end <= start:
        raise ConfigError("--to must be after --from", "--to")
    return start, end, chosen
