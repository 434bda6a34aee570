"""When a support point reports, and how far its report travels (pure, no I/O).

A region's ~150 points talking back dominate its air. Three rules keep that cheap:

* **Slots.** Every point reports once per status interval of *hub time*, at its own
  offset in the interval, derived from its point id and the number of slots the hub
  announces: points with neighbouring ids get offsets far apart, and no two points share
  one. Nothing puts many points on the air in the same minute, and a point that boots or
  hears a bulletin does not move its slot.
* **Acknowledged in the heartbeat.** The hub's heartbeat lists the points it heard in the
  current interval. A point reports early enough in a heartbeat period for the heartbeat
  that ends it to judge the report; if it is not listed, it sends again one period later,
  at the same phase (so retries stay as spread as first tries). First tries leave enough
  periods for ``min_tries`` tries in every interval. No firmware acknowledgement is asked
  for: each would flood back.
* **Hop economy.** A report goes with the smallest hop limit that worked: first the hops
  the hub's own frames took to reach us (0 when we hear the hub directly), one more after
  a miss, and one fewer again after ``probe_after`` successes in a row, so the choice is
  re-learned both ways.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def _strides(n: int) -> list[int]:
    """Multipliers coprime to ``n`` between n/3 and 2n/3, nearest n / golden ratio first:
    with any of them, consecutive ids land far apart."""
    if n <= 2:
        return [1]
    target = n * 0.6180339887
    found = [c for c in range(max(1, n // 3), max(2, 2 * n // 3 + 1)) if math.gcd(c, n) == 1]
    return sorted(found, key=lambda c: abs(c - target)) or [1]


def slot_index(point_id: int, slots: int, k: int = 0) -> tuple[int, int]:
    """Point ``point_id``'s slot in interval ``k``, and the number of slots. The order is
    shuffled afresh each interval (another stride), so two points whose reports collided
    (a relay between them busy with the other) are not neighbours again next time."""
    n = max(slots, point_id, 1)
    strides = _strides(n)
    stride = strides[k % min(len(strides), 8)]
    return (point_id - 1) * stride % n, n


def slot_offset(point_id: int, slots: int, span: float, k: int = 0, frac: float = 0.0) -> float:
    """Point ``point_id``'s offset in ``[0, span)``: ``frac`` of the way into its slot."""
    index, n = slot_index(point_id, slots, k)
    return (index + min(max(frac, 0.0), 0.999)) * span / n


@dataclass(frozen=True, slots=True)
class Schedule:
    """The region's reporting rhythm, as the hub last announced it (hub seconds).

    Hub time is cut into heartbeat periods (the hub beats on multiples of ``heartbeat``).
    A report goes only between ``settle`` seconds after a period starts (the heartbeat
    that opened it has crossed the relays, so its verdict on the last try is in) and
    ``settle`` seconds before it ends (so the heartbeat that ends it can judge this one).
    First tries fill the periods of the interval but the last ``min_tries - 1``, so every
    point has that many periods left for further tries (at 20 % loss per link a report
    over two hops arrives two times in three: four tries make 99 %)."""

    interval: float
    heartbeat: float
    slots: int
    settle: float
    #: Tries every point gets in an interval at least (first tries leave room for them).
    min_tries: int = 4

    @property
    def _lead(self) -> float:
        return min(self.settle, self.heartbeat / 4)

    @property
    def _usable(self) -> float:
        return self.heartbeat - 2 * self._lead

    @property
    def _first_periods(self) -> int:
        return max(1, int(self.interval // self.heartbeat) - (self.min_tries - 1))

    def interval_of(self, hub_t: float) -> int:
        return int(hub_t // self.interval)

    def slot_width(self, point_id: int) -> float:
        """Seconds per slot."""
        return self._first_periods * self._usable / max(self.slots, point_id, 1)

    def tries(self, point_id: int, k: int, frac: float = 0.0) -> list[float]:
        """Hub times of point ``point_id``'s tries in interval ``k``: its first try, then
        one heartbeat period later each time, while the interval lasts. ``frac`` says
        where in its slot (the engine draws it for every try, so that neighbours' timing
        differs from one try to the next)."""
        start = k * self.interval
        u = slot_offset(point_id, self.slots, self._first_periods * self._usable, k, frac)
        period = int(u // self._usable)
        first = start + period * self.heartbeat + self._lead + (u - period * self._usable)
        end = start + self.interval - self.settle
        out, t = [], first
        while t < end:
            out.append(t)
            t += self.heartbeat
        return out or [first]

    def next_try(self, point_id: int, after: float, frac: float = 0.0) -> float:
        """The first try of ``point_id`` strictly after hub time ``after``."""
        k = self.interval_of(after)
        for t in (*self.tries(point_id, k, frac), *self.tries(point_id, k + 1, frac)):
            if t > after:
                return t
        return self.tries(point_id, k + 2, frac)[0]


class HopChoice:
    """The hop limit of a point's reports, learned from the heard-list."""

    def __init__(self, max_hops: int, probe_after: int) -> None:
        self.max_hops = max_hops
        self.probe_after = probe_after
        #: Hops the hub's frames took to reach us (the floor of our own choice).
        self.floor: int | None = None
        self.limit: int | None = None
        self._wins = 0

    def hub_seen(self, hops: int) -> None:
        """A hub frame arrived after ``hops`` relays: never go below that, start there."""
        hops = min(max(hops, 0), self.max_hops)
        if self.floor is None or hops < self.floor:
            self.floor = hops
        if self.limit is None or self.limit < self.floor:
            self.limit = self.floor

    def heard(self) -> None:
        """The hub listed us: after enough wins in a row, try one hop fewer."""
        self._wins += 1
        floor = self.floor or 0
        if self.limit is not None and self._wins >= self.probe_after and self.limit > floor:
            self.limit -= 1
            self._wins = 0

    def silent(self) -> None:
        """The hub went silent: the path we learned may be the one that broke, so reports
        take the most hops (a longer path, where one exists) and the choice is learned
        down again from there."""
        self._wins = 0
        if self.limit is not None:
            self.limit = self.max_hops

    def missed(self) -> None:
        """The hub did not list us: one hop more (up to the firmware's maximum)."""
        self._wins = 0
        if self.limit is not None:
            self.limit = min(self.limit + 1, self.max_hops)
