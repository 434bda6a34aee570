"""Local repair: a point answers a neighbour's repair request when the hub's answer does not come.

In a 150-point region a few points sit on a weak link to the nearest relay. The hub
heard only 4 of some 25 repair requests from such a point in a 2-hour bench run, and its
answers (broadcast, then direct) rarely arrived: that one point then held bulletins
half an hour late or never, while its neighbouring points, which it hears directly,
held them all along. Those neighbours hear its request (``hops == 0``) and hold the
hub's signed bytes, so one of them can pass the bulletin on, unchanged, with hop limit
0: it reaches the asker and costs one frame in one neighbourhood. The asker verifies it
like any copy (the hub's signature, not the sender, makes it valid).

The rules keep it cheap on a busy channel, in the manner of scalable reliable multicast:

* wait a random delay first (longer than the hub usually takes to answer);
* any copy of the bulletin heard after the neighbour asked, from the hub, a relay or
  another neighbour, cancels our answer (it probably reached the asker too); the
  request's own time counts, not when we could verify it (a request from a point whose
  certificate we first had to fetch is often answered by then);
* a request made *after* such a copy went by says the copy did not reach the asker, so
  it is planned afresh: only our own copies start the cooldown. (Counting the copies we
  heard too kept the neighbours of the weakest points silent: the hub's answers to
  other points' requests went by every few minutes, each one restarting a 10-minute
  cooldown, and the point that could not hear them waited half an hour. Region-town,
  LONG_FAST, 5 seeds: 99.13 % of pairs within 10 min before, 99.30 % after.)
* a bulletin is passed on at most once per cooldown, and a point passes on at most
  ``neighbour_answers_per_hour`` bulletins an hour;
* only active bulletins of the hub we follow, asked for by a point whose signature we
  verified.

Reports go the other way the same way. A point the hub's heard-list left out marks its
next status frames ``carry``; a point that hears such a frame directly passes it on,
wrapped as carried (:func:`relay.wire.statusframe.carried`) and with its own hop limit,
after a random delay, unless another neighbour's carried copy was heard first. The MAC
still proves the report is the point's; the hub learns nothing about the point's node
from it. At most one carry per neighbour per ``neighbour_carry_gap_s``, and
``neighbour_carries_per_hour`` in all.

Pure: the point engine feeds it and sends what :meth:`NeighbourAid.due` returns.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from relay.engine.catalogue import BulletinRecord
from relay.engine.config import EngineConfig
from relay.wire import envelope, fragments, statusframe
from relay.wire.model import RepairRequest, SignedMessage

Key = tuple[int, int]
#: Message ids of recent frames remembered, to tell whether a copy went out after a request.
RECENT_COPIES = 256
#: Extra carry delay per hop a carrier's own reports need to reach the hub.
CARRY_STEP_S = 20.0


@dataclass(frozen=True, slots=True)
class Answer:
    """A bulletin to pass on to a neighbour: its signed bytes, and which fragments
    (None: the whole message)."""

    message: SignedMessage
    only_frames: int | None


@dataclass(frozen=True, slots=True)
class Carry:
    """A neighbour's status frame to carry to the hub (the point's bytes, unwrapped)."""

    raw: bytes


@dataclass
class _Carrying:
    due: float
    raw: bytes


@dataclass
class _Pending:
    due: float
    message: SignedMessage
    #: Fragment mask asked for (None: the whole message).
    mask: int | None


class NeighbourAid:
    def __init__(self, config: EngineConfig, jitter: Callable[[tuple[float, float]], float]):
        self._config = config
        self._jitter = jitter
        self._pending: dict[Key, _Pending] = {}
        #: message id (fragments) and digest of whole frames -> key, to notice copies.
        self._by_id: dict[bytes, Key] = {}
        self._last_passed: dict[Key, float] = {}
        self._passed_at: deque[float] = deque()
        #: message id -> when a frame carrying it was last heard.
        self._heard: OrderedDict[bytes, float] = OrderedDict()
        #: Reports to carry, by the point's key id, and when we last carried one of each.
        self._carrying: dict[int, _Carrying] = {}
        self._last_carried: dict[int, float] = {}
        self._carried_at: deque[float] = deque()

    @property
    def enabled(self) -> bool:
        return self._config.neighbour_answers_per_hour > 0

    def on_request(
        self,
        request: RepairRequest,
        held: Callable[[int], BulletinRecord | None],
        by_message_id: Callable[[bytes], BulletinRecord | None],
        now: float,
        asked_at: float | None = None,
    ) -> None:
        """A neighbour (heard directly) asks, at ``asked_at`` on our clock (default now):
        plan to answer what we hold and nobody has sent since."""
        if not self.enabled:
            return
        wanted: list[tuple[BulletinRecord | None, int | None]] = [
            (held(seq), None) for seq in request.seqs
        ]
        wanted += [(by_message_id(need.message_id), need.missing) for need in request.fragments]
        for record, mask in wanted:
            if record is not None:
                self._plan(record.message, mask, now, now if asked_at is None else asked_at)

    def _plan(self, message: SignedMessage, mask: int | None, now: float, asked_at: float) -> None:
        env = message.envelope
        key = (env.key_id, env.seq)
        mid = fragments.message_id(message.raw)
        if key in self._pending or self._heard.get(mid, -1e18) >= asked_at:
            return
        cooldown = self._config.neighbour_cooldown_s
        if now - self._last_passed.get(key, -1e18) < cooldown:
            return
        due = now + self._jitter(self._config.neighbour_delay_s)
        self._pending[key] = _Pending(due, message, mask)
        self._by_id[mid] = key

    def heard_copy(self, payload: bytes, now: float) -> None:
        """A frame arrived: if it carries a bulletin we meant to pass on, someone did."""
        if not self.enabled or statusframe.is_status_frame(payload):
            return
        if envelope.is_fragment(payload):
            mid = bytes(payload[1:4])
        else:
            mid = fragments.message_id(payload)
        self._heard[mid] = now
        self._heard.move_to_end(mid)
        while len(self._heard) > RECENT_COPIES:
            self._heard.popitem(last=False)
        key = self._by_id.pop(mid, None)
        if key is not None:
            self._pending.pop(key, None)

    # --- reports up -----------------------------------------------------------------

    def on_report(self, key_id: int, raw: bytes, now: float, own_hops: int | None) -> None:
        """A neighbour's frame, heard directly, asks to be carried (the newest wins).

        ``own_hops`` is the hop limit our own reports need: the neighbours nearest the hub
        carry first, and a carried copy travels through the relays, so the others mostly
        hear it and keep quiet (neighbours of one point often cannot hear each other)."""
        config = self._config
        if config.neighbour_carries_per_hour <= 0 or own_hops is None:
            return
        waiting = self._carrying.get(key_id)
        if waiting is not None:
            waiting.raw = raw
        elif now - self._last_carried.get(key_id, -1e18) >= config.neighbour_carry_gap_s:
            delay = self._jitter(config.neighbour_carry_delay_s) + CARRY_STEP_S * own_hops
            self._carrying[key_id] = _Carrying(now + delay, raw)

    def heard_carried(self, key_id: int, raw: bytes, now: float) -> None:
        """Another neighbour carried this point's frame: ours would add nothing."""
        waiting = self._carrying.get(key_id)
        if waiting is not None and waiting.raw == raw:
            del self._carrying[key_id]
            self._last_carried[key_id] = now

    def _due_carries(self, now: float) -> list[Carry]:
        while self._carried_at and now - self._carried_at[0] > 3600.0:
            self._carried_at.popleft()
        gap = self._config.neighbour_carry_gap_s
        for key_id in [k for k, at in self._last_carried.items() if now - at >= gap]:
            del self._last_carried[key_id]
        out = []
        for key_id in [k for k, c in self._carrying.items() if c.due <= now]:
            carrying = self._carrying.pop(key_id)
            if len(self._carried_at) >= self._config.neighbour_carries_per_hour:
                continue
            self._carried_at.append(now)
            self._last_carried[key_id] = now
            out.append(Carry(carrying.raw))
        return out

    # --- both ------------------------------------------------------------------------

    def next_due(self) -> float | None:
        times = [p.due for p in self._pending.values()]
        times += [c.due for c in self._carrying.values()]
        return min(times, default=None)

    def due(self, now: float) -> list[Answer | Carry]:
        """Answers and carries whose delay ran out with no copy heard, within the caps."""
        return [*self._due_answers(now), *self._due_carries(now)]

    def _due_answers(self, now: float) -> list[Answer]:
        while self._passed_at and now - self._passed_at[0] > 3600.0:
            self._passed_at.popleft()
        cooldown = self._config.neighbour_cooldown_s
        for key in [k for k, at in self._last_passed.items() if now - at >= cooldown]:
            del self._last_passed[key]
        out = []
        for key in [k for k, p in self._pending.items() if p.due <= now]:
            pending = self._pending.pop(key)
            self._by_id.pop(fragments.message_id(pending.message.raw), None)
            if len(self._passed_at) >= self._config.neighbour_answers_per_hour:
                continue
            self._passed_at.append(now)
            self._last_passed[key] = now
            out.append(Answer(pending.message, pending.mask))
        return out
