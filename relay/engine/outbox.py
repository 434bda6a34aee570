"""The outbox and airtime scheduler.

Messages wait here as frames. The scheduler hands the radio one frame at a time:
strictly by priority (then first come, first served), paced so that our next frame
does not collide with relays still rebroadcasting the last one, and only while the
rolling-hour airtime budget allows. What a message will cost and where it stands in
the queue is known before it is sent.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field

from relay.airtime import frame_airtime_s, preset
from relay.engine.budget import AirtimeBudget
from relay.engine.config import EngineConfig
from relay.engine.outputs import Priority, Transmit
from relay.link import BROADCAST, SendStatus
from relay.wire import fragments

log = logging.getLogger(__name__)

#: Symbolic destination: the hub, whose node number may only be learned later.
TO_HUB = -1
#: How long to wait after the radio was unreachable or out of duty cycle.
LINK_RETRY_S = 5.0
DUTY_HOLD_S = 120.0


@dataclass
class Entry:
    id: int
    raw: bytes
    frames: list[bytes]
    destination: int
    want_ack: bool
    priority: Priority
    purpose: str
    key_id: int = 0
    seq: int = 0
    not_before: float = 0.0
    #: Meshtastic hop limit for this message's frames (None: the outbox's default).
    hop_limit: int | None = None
    attempts: int = 0
    #: Frame indices still to hand to the radio.
    pending: list[int] = field(default_factory=list)
    #: Tokens of frames handed to the radio, awaiting their result.
    in_flight: dict[int, int] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return not self.pending and not self.in_flight


@dataclass(frozen=True, slots=True)
class Completed:
    entry: Entry


@dataclass(frozen=True, slots=True)
class Failed:
    entry: Entry
    status: SendStatus


Event = Completed | Failed


@dataclass(frozen=True, slots=True)
class Estimate:
    size: int
    frames: int
    airtime_s: float
    position: int
    wait_s: float


class Outbox:
    def __init__(self, config: EngineConfig, budget: AirtimeBudget) -> None:
        self._config = config
        self._preset = preset(config.preset)
        self.budget = budget
        self._entries: dict[int, Entry] = {}
        self._ids = itertools.count(1)
        self._tokens = itertools.count(1)
        self._by_token: dict[int, Entry] = {}
        self._next_free = 0.0
        self._hold_until = 0.0
        #: Hop limit for frames to the hub: set by the point engine from how far away the
        #: hub's frames came (a direct message floods until it has a next hop; a tight
        #: limit keeps that flood near the path).
        self.hub_hop_limit: int | None = None

    # --- queueing -------------------------------------------------------------------

    def add(
        self,
        raw: bytes,
        *,
        destination: int = BROADCAST,
        priority: Priority,
        purpose: str,
        want_ack: bool = False,
        key_id: int = 0,
        seq: int = 0,
        not_before: float = 0.0,
        only_frames: int | None = None,
        hop_limit: int | None = None,
    ) -> Entry:
        """Queue a signed message (``only_frames``: bit mask of the fragments to send)."""
        frames = fragments.split(raw, self._config.max_payload)
        pending = [i for i in range(len(frames)) if only_frames is None or only_frames >> i & 1]
        entry = Entry(
            next(self._ids),
            raw,
            frames,
            destination,
            want_ack,
            priority,
            purpose,
            key_id,
            seq,
            not_before,
            hop_limit,
            pending=pending,
        )
        self._entries[entry.id] = entry
        return entry

    def remove(self, entry_id: int) -> None:
        entry = self._entries.pop(entry_id, None)
        if entry is not None:
            for token in entry.in_flight:
                self._by_token.pop(token, None)

    def find(self, purpose: str, key_id: int, seq: int) -> Entry | None:
        for e in self._entries.values():
            if e.purpose == purpose and e.key_id == key_id and e.seq == seq:
                return e
        return None

    def entries(self) -> list[Entry]:
        return sorted(self._entries.values(), key=lambda e: (e.priority, e.id))

    # --- scheduling -----------------------------------------------------------------

    def frame_airtime(self, frame: bytes) -> float:
        return frame_airtime_s(len(frame), self._preset)

    def airtime_of(self, raw: bytes, mask: int | None = None) -> float:
        """Airtime of sending ``raw`` once (only the fragments in ``mask``, if given)."""
        frames = fragments.split(raw, self._config.max_payload)
        return sum(
            self.frame_airtime(f) for i, f in enumerate(frames) if mask is None or mask >> i & 1
        )

    @staticmethod
    def _sendable(e: Entry, hub_node: int | None) -> bool:
        """Frames waiting, and a known destination (the hub's node may be unknown yet)."""
        return bool(e.pending) and (e.destination != TO_HUB or hub_node is not None)

    def _ready(self, now: float, hub_node: int | None) -> Entry | None:
        for e in self.entries():
            if self._sendable(e, hub_node) and e.not_before <= now:
                return e
        return None

    def next_transmit(self, now: float, hub_node: int | None) -> Transmit | None:
        """The frame to hand to the radio now, if any."""
        if now < max(self._next_free, self._hold_until):
            return None
        entry = self._ready(now, hub_node)
        if entry is None:
            return None
        destination = entry.destination
        if destination == TO_HUB:
            assert hub_node is not None  # _ready checked
            destination = hub_node
        index = entry.pending[0]
        frame = entry.frames[index]
        airtime = self.frame_airtime(frame)
        if not self.budget.fits(airtime, now):
            return None
        entry.pending.pop(0)
        token = next(self._tokens)
        entry.in_flight[token] = index
        self._by_token[token] = entry
        self.budget.record(airtime, now)
        gap = self._config.broadcast_gap_s if destination == BROADCAST else self._config.dm_gap_s
        self._next_free = now + max(gap, 1.2 * airtime)
        hop_limit = entry.hop_limit
        if hop_limit is None and entry.destination == TO_HUB:
            hop_limit = self.hub_hop_limit
        return Transmit(
            token,
            frame,
            destination,
            entry.want_ack,
            entry.priority,
            airtime,
            entry.purpose,
            hop_limit,
        )

    def next_deadline(self, now: float, hub_node: int | None) -> float | None:
        """When :meth:`next_transmit` may next return a frame (None: nothing waiting)."""
        waiting = [e for e in self._entries.values() if self._sendable(e, hub_node)]
        if not waiting:
            return None
        first = min(waiting, key=lambda e: (e.priority, e.id))
        start = max(self._next_free, self._hold_until, min(e.not_before for e in waiting), now)
        airtime = self.frame_airtime(first.frames[first.pending[0]])
        return max(start, self.budget.when_fits(airtime, now))

    def on_result(self, token: int, status: SendStatus, now: float) -> Event | None:
        entry = self._by_token.pop(token, None)
        if entry is None or entry.id not in self._entries:
            return None
        index = entry.in_flight.pop(token)
        if status.delivered_to_radio:
            if entry.done:
                self.remove(entry.id)
                return Completed(entry)
            return None
        if status in (SendStatus.NOT_SENT, SendStatus.DUTY_CYCLE_LIMIT):
            # The frame never left: put it back; it keeps its place.
            entry.pending.insert(0, index)
            hold = LINK_RETRY_S if status is SendStatus.NOT_SENT else DUTY_HOLD_S
            self._hold_until = max(self._hold_until, now + hold)
            return None
        log.info("frame of %s #%d refused: %s", entry.purpose, entry.seq, status.value)
        self.remove(entry.id)
        return Failed(entry, status)

    # --- costs ----------------------------------------------------------------------

    def estimate(self, size: int, priority: Priority, now: float) -> Estimate:
        """Cost of a message of ``size`` bytes and its place if queued now at ``priority``."""
        sizes = [len(f) for f in fragments.split(bytes(size), self._config.max_payload)]
        airtime = sum(frame_airtime_s(s, self._preset) for s in sizes)
        ahead = [e for e in self._entries.values() if e.priority <= priority and e.pending]
        wait = 0.0
        for e in ahead:
            for i in e.pending:
                a = self.frame_airtime(e.frames[i])
                wait += max(self._config.broadcast_gap_s, 1.2 * a)
        budget_wait = self.budget.when_fits(airtime, now) - now
        return Estimate(size, len(sizes), airtime, len(ahead) + 1, max(wait, budget_wait))
