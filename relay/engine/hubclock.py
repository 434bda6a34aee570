"""Hub time at a node without a real-time clock.

The hub's own clock is hub time. A point learns it from signed hub messages and
carries it forward with its monotonic clock; after a reboot it starts from the last
hub time it saved (a lower bound: it cannot know how long it was off) until it hears
the hub again. It never goes backwards.
"""

from __future__ import annotations


class HubClock:
    def __init__(self, offset: float | None = None) -> None:
        #: hub time - monotonic time; None until known.
        self._offset = offset
        self.synced = False

    @classmethod
    def authoritative(cls, hub_time_at_zero: float) -> HubClock:
        """The hub's clock: hub time = monotonic + a fixed offset."""
        clock = cls(hub_time_at_zero)
        clock.synced = True
        return clock

    @classmethod
    def resumed(cls, last_hub_time: int, now: float) -> HubClock:
        """A point after restart: continue from the last hub time it knew."""
        return cls(last_hub_time - now)

    @property
    def known(self) -> bool:
        return self._offset is not None

    def now(self, mono: float) -> int | None:
        """Hub time at monotonic time ``mono``, or None when never known."""
        return None if self._offset is None else int(mono + self._offset)

    def precise(self, mono: float) -> float | None:
        """Hub time with its fraction (for schedules finer than a second)."""
        return None if self._offset is None else mono + self._offset

    def observe(self, hub_time: int, mono: float) -> None:
        """A signed hub time arrived (it left the hub a little earlier: never move back)."""
        offset = hub_time - mono
        if self._offset is None or offset > self._offset:
            self._offset = offset
        self.synced = True
