"""Hub time: whole seconds since 2025-01-01T00:00:00Z, as carried in messages.

A Pi in a blackout has no real-time clock and no NTP, so nothing compares against
the local wall clock; times travel in signed messages from the hub. A small epoch
keeps the varint at 4 bytes until 2033.
"""

from __future__ import annotations

from datetime import UTC, datetime

#: Unix time of 2025-01-01T00:00:00Z.
HUB_EPOCH_UNIX = 1_735_689_600


def from_unix(unix_seconds: float) -> int:
    """Hub time for a Unix timestamp (never negative)."""
    return max(0, int(unix_seconds) - HUB_EPOCH_UNIX)


def to_unix(hub_seconds: int) -> int:
    return hub_seconds + HUB_EPOCH_UNIX


def from_datetime(moment: datetime) -> int:
    """Hub time for an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("hub time needs an aware datetime")
    return from_unix(moment.timestamp())


def to_datetime(hub_seconds: int) -> datetime:
    """The UTC datetime of a hub time (render it in Europe/Amsterdam for people)."""
    return datetime.fromtimestamp(to_unix(hub_seconds), tz=UTC)
