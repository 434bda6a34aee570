"""A discrete-event scheduler on virtual time.

Everything in the simulator happens as a callback at a point of virtual time (seconds).
Callbacks scheduled for the same instant run in the order they were scheduled, so a run
is reproducible: no wall clock, no hash order, no threads. The real-time driver
(:mod:`relay.sim.realtime`) paces the very same scheduler to the wall clock.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from relay.errors import RelayError


class SchedulerError(RelayError):
    """Misuse of the scheduler (scheduling into the past, running backwards)."""


@dataclass(slots=True, eq=False)
class Timer:
    """A scheduled callback; :meth:`cancel` it to keep it from running."""

    when: float
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True

    @property
    def active(self) -> bool:
        return not self.cancelled


class Scheduler:
    """Virtual clock plus a priority queue of timers."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        # (when, sequence, timer): the sequence keeps same-time timers in FIFO order.
        self._queue: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        #: Callbacks run so far (a cheap progress and speed measure).
        self.events_run = 0
        self._halted = False

    def now(self) -> float:
        return self._now

    def call_at(self, when: float, callback: Callable[[], None]) -> Timer:
        """Run ``callback`` at virtual time ``when`` (not before now)."""
        if when < self._now:
            raise SchedulerError(f"cannot schedule at {when:.6f}, now is {self._now:.6f}")
        timer = Timer(when, callback)
        heapq.heappush(self._queue, (when, next(self._seq), timer))
        return timer

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        if delay < 0:
            raise SchedulerError(f"negative delay {delay}")
        return self.call_at(self._now + delay, callback)

    def next_time(self) -> float | None:
        """Time of the next live timer, or None when nothing is scheduled."""
        queue = self._queue
        while queue and queue[0][2].cancelled:
            heapq.heappop(queue)
        return queue[0][0] if queue else None

    def halt(self) -> None:
        """Make the running :meth:`run_until` return after the current callback."""
        self._halted = True

    def run_until(self, until: float) -> None:
        """Run every timer due at or before ``until``, then set the clock to ``until``
        (unless :meth:`halt` was called: then the clock stays at the halting event)."""
        if until < self._now:
            raise SchedulerError(f"cannot run back to {until:.6f}, now is {self._now:.6f}")
        queue = self._queue
        self._halted = False
        while queue and queue[0][0] <= until:
            when, _, timer = heapq.heappop(queue)
            if timer.cancelled:
                continue
            self._now = when
            self.events_run += 1
            timer.callback()
            if self._halted:
                return
        self._now = until

    def run_for(self, duration: float) -> None:
        self.run_until(self._now + duration)
