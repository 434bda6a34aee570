"""Hub time for people: Europe/Amsterdam wall time, never the Pi's own clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from relay.wire import hubtime

ZONE = ZoneInfo("Europe/Amsterdam")


def local(hub_seconds: int) -> datetime:
    return hubtime.to_datetime(hub_seconds).astimezone(ZONE)


def utc_offset_s(hub_seconds: int) -> int:
    """Amsterdam's offset from UTC at that moment (CET +3600, CEST +7200)."""
    offset = local(hub_seconds).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def clock(hub_seconds: int) -> str:
    return f"{local(hub_seconds):%H:%M}"


def moment(hub_seconds: int, now: int | None) -> str:
    """``14:05`` on the same day as hub time ``now``; ``12-04 14:05`` otherwise."""
    when = local(hub_seconds)
    if now is not None and local(now).date() == when.date():
        return f"{when:%H:%M}"
    return f"{when:%d-%m %H:%M}"


def full(hub_seconds: int) -> str:
    return f"{local(hub_seconds):%d-%m-%Y %H:%M}"
