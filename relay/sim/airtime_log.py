"""A node's airtime bookkeeping, bucketed exactly like the firmware's ``AirTime`` class.

* Transmit airtime in 60 one-minute buckets: the duty-cycle window is the current
  (partial) minute plus the 59 before it. ``Router::send`` refuses when the sum exceeds
  the region's duty cycle (10 % in EU_868).
* Channel utilisation (transmit + every completed reception) in 6 ten-second buckets:
  the last minute. It sizes the contention window of locally generated packets.

Buckets are counted from the node's boot (simulation time 0), as ``secSinceBoot`` is.
"""

from __future__ import annotations

from collections import deque

TX_BUCKET_S = 60.0
TX_BUCKETS = 60
UTIL_BUCKET_S = 10.0
UTIL_BUCKETS = 6


class _Buckets:
    """The last ``count`` time buckets of ``span`` seconds, summed incrementally.

    Equivalent to the firmware's ring that zeroes a bucket when time enters it again:
    only buckets newer than ``count`` spans ago count.
    """

    __slots__ = ("_buckets", "_count", "_span", "_total")

    def __init__(self, count: int, span: float) -> None:
        self._count = count
        self._span = span
        self._buckets: deque[list[float]] = deque()  # [index, amount], oldest first
        self._total = 0.0

    def add(self, now: float, amount: float) -> None:
        index = int(now // self._span)
        if self._buckets and self._buckets[-1][0] == index:
            self._buckets[-1][1] += amount
        else:
            self._buckets.append([index, amount])
        self._total += amount

    def window_sum(self, now: float) -> float:
        oldest = int(now // self._span) - self._count
        buckets = self._buckets
        while buckets and buckets[0][0] <= oldest:
            self._total -= buckets.popleft()[1]
        if not buckets:
            self._total = 0.0  # no float drift left over from removed buckets
        return max(self._total, 0.0)


class AirtimeLog:
    """Per-node airtime: rolling windows for the firmware's decisions, totals for reports."""

    def __init__(self) -> None:
        self._tx = _Buckets(TX_BUCKETS, TX_BUCKET_S)
        self._util = _Buckets(UTIL_BUCKETS, UTIL_BUCKET_S)
        self.tx_total_s = 0.0
        self.rx_total_s = 0.0
        #: Highest rolling-hour transmit share seen (percent), checked at every transmission.
        self.peak_tx_percent = 0.0

    def log_tx(self, now: float, airtime_s: float) -> None:
        self._tx.add(now, airtime_s)
        self._util.add(now, airtime_s)
        self.tx_total_s += airtime_s
        self.peak_tx_percent = max(self.peak_tx_percent, self.utilization_tx_percent(now))

    def log_rx(self, now: float, airtime_s: float) -> None:
        self._util.add(now, airtime_s)
        self.rx_total_s += airtime_s

    def utilization_tx_percent(self, now: float) -> float:
        """Share of the rolling hour spent transmitting (``utilizationTXPercent``)."""
        return self._tx.window_sum(now) / (TX_BUCKET_S * TX_BUCKETS) * 100.0

    def channel_utilization_percent(self, now: float) -> float:
        """Share of the last minute the radio was busy (``channelUtilizationPercent``)."""
        return self._util.window_sum(now) / (UTIL_BUCKET_S * UTIL_BUCKETS) * 100.0
