"""A node's airtime bookkeeping, bucketed exactly like the firmware's ``AirTime`` class.

* Transmit airtime in 60 one-minute buckets: the duty-cycle window is the current
  (partial) minute plus the 59 before it. ``Router::send`` refuses when the sum exceeds
  the region's duty cycle (10 % in EU_868).
* Channel utilisation (transmit + every completed reception) in 6 ten-second buckets:
  the last minute. It sizes the contention window of locally generated packets.

Buckets are counted from the node's boot (simulation time 0), as ``secSinceBoot`` is.
"""

from __future__ import annotations

TX_BUCKET_S = 60.0
TX_BUCKETS = 60
UTIL_BUCKET_S = 10.0
UTIL_BUCKETS = 6


class _Buckets:
    """A ring of time buckets; a bucket is zeroed when time first enters it again."""

    __slots__ = ("_span", "_stamps", "_values")

    def __init__(self, count: int, span: float) -> None:
        self._span = span
        self._values = [0.0] * count
        self._stamps = [-1] * count

    def add(self, now: float, amount: float) -> None:
        index = int(now // self._span)
        slot = index % len(self._values)
        if self._stamps[slot] != index:
            self._stamps[slot] = index
            self._values[slot] = 0.0
        self._values[slot] += amount

    def window_sum(self, now: float) -> float:
        oldest = int(now // self._span) - len(self._values)
        return sum(v for v, s in zip(self._values, self._stamps, strict=True) if s > oldest)


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
