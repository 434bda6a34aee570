"""Duty-cycle budget: our own airtime over a rolling hour, kept under a limit.

EU868's 869.4-869.65 MHz band allows 10 % (360 s per rolling hour); the firmware
refuses our packets beyond it and silently drops relays. The engine plans below a
lower limit (headroom) and counts what the radio reports of its total transmit time,
which includes relaying other nodes' packets that the engine never sees.
"""

from __future__ import annotations

from collections import deque

WINDOW_S = 3600.0


class AirtimeBudget:
    def __init__(self, fraction: float, window_s: float = WINDOW_S) -> None:
        self.limit_s = fraction * window_s
        self._window = window_s
        self._sent: deque[tuple[float, float]] = deque()  # (time, airtime)
        self._used = 0.0
        #: Transmit time the radio reported for the last window (includes relays), or None.
        self._reported: tuple[float, float] | None = None  # (time, seconds)

    def _trim(self, now: float) -> None:
        while self._sent and self._sent[0][0] <= now - self._window:
            self._used -= self._sent.popleft()[1]
        if self._used < 1e-9:
            self._used = 0.0

    def record(self, airtime_s: float, now: float) -> None:
        self._trim(now)
        self._sent.append((now, airtime_s))
        self._used += airtime_s

    def report_radio_tx(self, tx_seconds_last_window: float, now: float) -> None:
        """What the radio says it transmitted in the last window, relays included."""
        self._reported = (now, tx_seconds_last_window)

    def used(self, now: float) -> float:
        """Airtime counted against us in the window ending ``now``."""
        self._trim(now)
        used = self._used
        if self._reported is not None:
            at, seconds = self._reported
            # Relay time reported earlier stays in the window only for what remains of it.
            remaining = max(0.0, 1.0 - (now - at) / self._window)
            used = max(used, seconds * remaining + self._used_since(at))
        return used

    def _used_since(self, t: float) -> float:
        return sum(a for when, a in self._sent if when > t)

    def fits(self, airtime_s: float, now: float) -> bool:
        return self.used(now) + airtime_s <= self.limit_s

    def when_fits(self, airtime_s: float, now: float) -> float:
        """Earliest time at which ``airtime_s`` more fits (``now`` if it does already)."""
        if self.fits(airtime_s, now):
            return now
        excess = self.used(now) + airtime_s - self.limit_s
        for when, airtime in self._sent:
            excess -= airtime
            if excess <= 0:
                return when + self._window
        return now + self._window  # only the radio's report is in the way

    def utilisation(self, now: float) -> float:
        """Share of the window we transmitted (0.05 = 5 %)."""
        return self.used(now) / self._window
