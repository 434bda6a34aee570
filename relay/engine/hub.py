"""The hub's engine: publish bulletins, announce them, repair gaps, collect reports.

* A published bulletin is broadcast once (urgent ones once more), then announced in
  heartbeats: the list of active bulletins, so every point can see what it lacks.
* Points ask for exactly what they miss; the hub answers with a broadcast of the
  original bytes (or just the missing fragments), so one answer serves every point
  missing the same thing. Answers are rate-bounded: a message is not re-broadcast
  within the cooldown, and repairs use at most a share of the airtime budget.
* Status reports arrive as direct messages with receipts inside; the hub keeps what
  each point holds and has displayed.
"""

from __future__ import annotations

import logging
import math
import random
from collections import OrderedDict
from dataclasses import dataclass, replace

from relay.engine.base import Engine
from relay.engine.budget import AirtimeBudget
from relay.engine.catalogue import BulletinRecord
from relay.engine.config import EngineConfig
from relay.engine.help import HubDesk, is_help_timer
from relay.engine.hubclock import HubClock
from relay.engine.outbox import Completed, Estimate, Failed
from relay.engine.outputs import (
    BulletinAccepted,
    BulletinState,
    Delivered,
    Output,
    Priority,
    ReceiptAccepted,
    Rejected,
    StatusAccepted,
)
from relay.errors import RelayError, ReplayError, UnknownKeyError
from relay.link import BROADCAST, Frame
from relay.wire import envelope, fragments, statusframe
from relay.wire.describe import reason_code
from relay.wire.help import HelpReply
from relay.wire.issuer import Issuer
from relay.wire.model import (
    Bulletin,
    BulletinRef,
    Certificate,
    Heartbeat,
    HelpAck,
    HelpRequest,
    HelpState,
    Holdings,
    Receipt,
    RepairRequest,
    Role,
    Severity,
    SignedMessage,
    StatusReport,
    Urgency,
)
from relay.wire.replay import ReplayGuard
from relay.wire.trust import Keyring, Principal, Verified

log = logging.getLogger(__name__)

BULLETIN = "bulletin"
REPAIR = "repair"
REPAIR_DM = "repair-dm"
HEARTBEAT = "heartbeat"
CERTIFICATE = "certificate"
CERT_REQUEST = "cert-request"
#: The "sender node" of what arrives over federation (MQTT) rather than the radio.
FEDERATION_NODE = 0


def bulletin_priority(b: Bulletin) -> Priority:
    if b.urgency is Urgency.IMMEDIATE or b.severity is Severity.EXTREME:
        return Priority.URGENT
    if b.urgency is Urgency.EXPECTED or b.severity is Severity.SEVERE:
        return Priority.HIGH
    return Priority.NORMAL


#: Heartbeats whose active lists the hub keeps, so that receipts can name them.
HEARTBEAT_MEMORY = 64
#: Broadcasts in a row that no relay confirmed before the hub stops asking for it, and
#: how long until it asks again.
UNCONFIRMED_LIMIT = 3
NO_RELAY_RETRY_S = 3600.0


@dataclass
class PointView:
    point_id: int
    name: str
    key_id: int
    node: int
    last_heard: float
    #: What the point proved it holds of our bulletins (never more than its store has).
    receipt: Holdings | None = None
    #: Sequence number of its newest status report (older ones are replays).
    status_seq: int = 0


class HubEngine(Engine):
    def __init__(
        self,
        config: EngineConfig,
        issuer: Issuer,
        keyring: Keyring,
        clock: HubClock,
        rng: random.Random,
        replay: ReplayGuard | None = None,
    ) -> None:
        super().__init__(config, issuer, keyring, clock, rng, replay)
        self.points: dict[int, PointView] = {}
        self._last_broadcast: dict[tuple[int, int], float] = {}
        self._by_message_id: dict[bytes, tuple[int, int]] = {}
        self._repair_budget = AirtimeBudget(self.config.budget_fraction * self.config.repair_share)
        self._cert_asked: dict[int, float] = {}
        self.help = HubDesk(self)
        #: The status interval announced in heartbeats (admission control moves it).
        self.status_interval_s = config.status_interval_s
        #: Point id -> hub time of its newest status report: a point is "heard in the
        #: current interval" if that time is inside it, whatever the interval is now.
        self.status_heard: dict[int, float] = {}
        #: (hub time, status interval from then on): every change admission control made.
        self.interval_log: list[tuple[float, float]] = [(0.0, config.status_interval_s)]
        #: Channel utilisation seen over the current interval (admission control).
        self._util_samples: list[float] = []
        self._admission_interval = -1
        #: Heartbeat sequence number -> the active list it announced (receipts index it).
        self.announced: OrderedDict[int, tuple[int, ...]] = OrderedDict()
        self._mac_keys: dict[int, bytes] = {}
        self._unconfirmed = 0
        self._no_relay_until = 0.0
        #: National bulletins we relayed (repaired when a point's receipt lacks one).
        self._relayed: set[tuple[int, int]] = set()
        #: When a point's empty repair request last brought a heartbeat forward.
        self._beat_asked = -math.inf

    @property
    def key_id(self) -> int:
        return self.issuer.key.key_id

    # --- publishing -----------------------------------------------------------------

    def start(self, now: float) -> list[Output]:
        """Begin: a first heartbeat soon, so points learn of the catalogue."""
        self._set_timer(HEARTBEAT, now + 5.0)
        return self._pump(now)

    def _next_beat(self, now: float) -> float:
        """The next heartbeat on the grid of hub time (multiples of the heartbeat interval),
        so that every point's slot sits in the same place between two heartbeats."""
        hub_now = self.clock.precise(now) or 0.0
        every = self.config.heartbeat_interval_s
        return now + (math.floor(hub_now / every) + 1) * every - hub_now

    def publish(self, message: SignedMessage, now: float) -> list[Output]:
        """Queue a bulletin signed with our key (by the daemon, or composed earlier)."""
        body = message.envelope.body
        if not isinstance(body, Bulletin) or message.envelope.key_id != self.key_id:
            raise ValueError("the hub publishes only bulletins signed with its own key")
        out: list[Output] = list(self.catalogue.add(message, True, self.clock.now(now)))
        self._arm_expiry(now)
        self._index(message)
        self._queue_bulletin(message, body, now)
        self._set_timer(HEARTBEAT, now + self.config.heartbeat_after_bulletin_s)
        return out + self._pump(now)

    def _queue_bulletin(self, message: SignedMessage, body: Bulletin, now: float) -> None:
        """A first broadcast, and the repeats of an urgent one."""
        priority = bulletin_priority(body)
        env = message.envelope
        self.outbox.add(
            message.raw,
            priority=priority,
            purpose=BULLETIN,
            key_id=env.key_id,
            seq=env.seq,
            want_ack=self._broadcast_want_ack(now),
        )
        c = self.config
        for i in range(c.urgent_repeats if priority is Priority.URGENT else c.routine_repeats):
            self.outbox.add(
                message.raw,
                priority=priority,
                purpose=REPAIR,
                key_id=env.key_id,
                seq=env.seq,
                not_before=now + (i + 1) * self.config.urgent_repeat_after_s,
                want_ack=self._broadcast_want_ack(now),
            )

    def relay_national(self, raw: bytes, now: float) -> list[Output]:
        """A bulletin that came over federation (MQTT), checked exactly like a radio frame
        (the broker is never trusted): if it is a valid, new national bulletin, broadcast
        it unchanged, after the national key's certificate so points can verify it.
        A refusal comes back as :class:`Rejected`; an exact repeat returns nothing."""
        replayed = self._other_bytes_same_number(raw)
        if replayed is not None:
            return [replayed]
        frame = Frame(raw, FEDERATION_NODE, BROADCAST)
        verified, rejected = self.receiver.receive(frame, now, self.clock.now(now))
        if rejected is not None:
            return [rejected]
        if verified is None:
            return []
        env = verified.message.envelope
        body = env.body
        if isinstance(body, Certificate) and body.role is Role.NATIONAL:
            return self._learn_trust(verified, now) + self._pump(now)
        if verified.sender.role is not Role.NATIONAL or not isinstance(body, Bulletin):
            detail = (
                f"{env.kind.value} #{env.seq} from {verified.sender.name} "
                f"({verified.sender.role.name.lower()}) is not a national bulletin"
            )
            return [Rejected("not_national", detail, FEDERATION_NODE)]
        return self._relay(verified, body, now) + self._pump(now)

    def _other_bytes_same_number(self, raw: bytes) -> Rejected | None:
        """A number we hold with other bytes: on the radio a repeat is dropped quietly,
        but over federation it is a replay to count (or a national key signing twice)."""
        try:
            env = envelope.parse(raw).envelope
        except RelayError:
            return None  # the receiver says what is wrong with it
        record = self.catalogue.get((env.key_id, env.seq))
        if record is None or record.message.raw == raw:
            return None
        detail = f"{env.kind.value} #{env.seq} was already received with other content"
        return Rejected("replay", detail, FEDERATION_NODE)

    def _relay(self, verified: Verified, body: Bulletin, now: float) -> list[Output]:
        env = verified.message.envelope
        self._relayed.add((env.key_id, env.seq))
        out: list[Output] = [BulletinAccepted(verified.message, verified.sender, True)]
        out += self.catalogue.add(verified.message, True, self.clock.now(now))
        self._arm_expiry(now)
        self._index(verified.message)
        self._send_certificate(verified.message.envelope.key_id, now)
        self._queue_bulletin(verified.message, body, now)
        return out

    def issue(self, bulletin: Bulletin, now: float) -> tuple[SignedMessage, list[Output]]:
        """Sign a bulletin with the hub key at hub time now, and publish it."""
        message = self.issuer.issue(bulletin, at=self.clock.now(now))
        return message, self.publish(message, now)

    def help_update(
        self,
        point_key: int,
        request: int,
        state: HelpState,
        reply: HelpReply | None,
        now: float,
    ) -> tuple[SignedMessage, list[Output]]:
        """An operator's step on a help request, sent to the point until it acknowledges."""
        message, out = self.help.update(point_key, request, state, reply, now)
        return message, out + self._pump(now)

    def estimate(self, size: int, bulletin: Bulletin, now: float) -> Estimate:
        return self.outbox.estimate(size, bulletin_priority(bulletin), now)

    def restore(self, record: BulletinRecord, broadcast_done: bool, now: float) -> None:
        """After a restart: our bulletins from the store; re-queue any never broadcast."""
        self.catalogue.restore(record)
        self._index(record.message)
        if not broadcast_done and record.state is BulletinState.ACTIVE:
            env = record.message.envelope
            self.outbox.add(
                record.message.raw,
                priority=bulletin_priority(record.bulletin),
                purpose=BULLETIN,
                key_id=env.key_id,
                seq=env.seq,
            )

    def restore_relayed(self, record: BulletinRecord, broadcast_done: bool, now: float) -> None:
        """After a restart: a national bulletin we relayed (re-queued if never broadcast)."""
        self.restore(record, broadcast_done, now)
        self._relayed.add(record.key)

    def _index(self, message: SignedMessage) -> None:
        env = message.envelope
        self._by_message_id[fragments.message_id(message.raw)] = (env.key_id, env.seq)

    # --- timers ---------------------------------------------------------------------

    def _on_timer(self, name: str, now: float) -> list[Output]:
        if is_help_timer(name):
            return self.help.on_timer(name, now)
        if name != HEARTBEAT:
            return []
        out = self._expire(now)
        hub_now = self.clock.now(now) or 0
        self._admission(hub_now)
        active = tuple(self.catalogue.active(self.key_id))
        heartbeat = Heartbeat(
            active=active,
            interval_s=int(self.config.heartbeat_interval_s),
            status_interval_s=int(self.status_interval_s),
            slots=self._slots(),
            heard=self.heard_in_interval(hub_now),
        )
        message = self.issuer.issue(heartbeat, at=hub_now)
        self.announced[message.envelope.seq] = active
        while len(self.announced) > HEARTBEAT_MEMORY:
            self.announced.popitem(last=False)
        waiting = self.outbox.find(HEARTBEAT, 0, 0)
        if waiting is not None and not waiting.in_flight:
            self.outbox.remove(waiting.id)  # never two waiting: the newest says more
        if waiting is None or not waiting.in_flight:
            self.outbox.add(
                message.raw,
                priority=Priority.CONTROL,
                purpose=HEARTBEAT,
                want_ack=self._broadcast_want_ack(now),
            )
        self._set_timer(HEARTBEAT, self._next_beat(now), earliest=False)
        return out

    def _slots(self) -> int:
        """Report slots per interval: one per point id we know of, at least."""
        ids = [p.point_id for p in self.keyring.principals() if p.role is Role.POINT]
        return max([*ids, *self.points, 1])

    def heard_in_interval(self, hub_now: float) -> frozenset[int]:
        """Points whose status we heard in the status interval ``hub_now`` falls in."""
        start = hub_now // self.status_interval_s * self.status_interval_s
        return frozenset(p for p, t in self.status_heard.items() if t >= start)

    def report_channel(self, utilisation: float, now: float) -> None:
        super().report_channel(utilisation, now)
        self._util_samples.append(utilisation)

    def _admission(self, hub_now: float) -> None:
        """Admission control, once per status interval: if the channel was busier than
        ``busy_channel`` on average over the last one (the firmware sheds its own
        background traffic at 25 %), double the interval; if quieter than
        ``quiet_channel``, halve it again (never below the configured interval). Changes
        come only where an interval of the old length and one of the new length both
        start (intervals are multiples of their length in hub time): every point's slots
        and the heard-list keep meaning the same interval. A doubling that falls midway
        through the longer interval waits for the next boundary, samples kept."""
        k = int(hub_now // self.status_interval_s)
        if k == self._admission_interval:
            return
        first = self._admission_interval < 0
        self._admission_interval = k
        if first:
            self._util_samples = []
            return
        samples = self._util_samples
        if not samples:
            return
        util, c, before = sum(samples) / len(samples), self.config, self.status_interval_s
        after = before
        if util > c.busy_channel:
            after = min(before * 2, c.max_status_interval_s)
            if (k * before) % after:
                return  # midway through the longer interval: decide at the next end
        elif util < c.quiet_channel:
            after = max(before / 2, c.status_interval_s)
        self._util_samples = []
        self.status_interval_s = after
        if self.status_interval_s != before:
            self.interval_log.append((hub_now, self.status_interval_s))
            log.info(
                "channel %.0f %% busy: status interval %.0f s -> %.0f s",
                100 * util,
                before,
                self.status_interval_s,
            )
            self._admission_interval = int(hub_now // self.status_interval_s)

    # --- receiving ------------------------------------------------------------------

    def _status_frame(self, frame: Frame, now: float) -> list[Output]:
        """A point's compact status report: MAC under our pair key, newer than its last."""
        hub_now = self.clock.now(now)
        try:
            report = statusframe.parse(frame.payload)
            sender = self.receiver.verifier.verify_status(
                report, self.issuer.key, hub_now, self._mac_keys
            )
            view = self.points.get(sender.point_id)
            if (
                view is not None
                and view.key_id == sender.key_id
                and (report.seq <= view.status_seq)
            ):
                raise ReplayError(
                    f"replayed or out-of-date status #{report.seq} from {sender.name} "
                    f"(newest #{view.status_seq})"
                )
        except RelayError as err:
            log.info("refused status frame from !%08x: %s", frame.sender, err)
            if isinstance(err, UnknownKeyError) and err.key_id is not None:
                self._on_unknown_key(err.key_id, frame.sender, now)
            return [Rejected(reason_code(err), str(err), frame.sender)]
        if report.carried:
            # A neighbour carried it: the radio sender is the carrier, not the point.
            known = self.points.get(sender.point_id)
            node = known.node if known is not None and known.key_id == sender.key_id else 0
            view = self._heard(sender, node, now, direct=False)
        else:
            view = self._heard(sender, frame.sender, now)
        view.status_seq = report.seq
        self.status_heard[sender.point_id] = self.clock.precise(now) or 0.0
        body = replace(report.report, point_id=sender.point_id)
        out: list[Output] = [
            StatusAccepted(
                report.raw, report.key_id, report.seq, hub_now or 0, sender, body, view.node
            )
        ]
        if body.receipt is not None:
            out += self._take_receipt(view, body.receipt, now)
        return out

    def _take_receipt(self, view: PointView, receipt: Receipt, now: float) -> list[Output]:
        out = self._receipt(view, receipt)
        if out:
            self._repair_national(view, now)
        return out

    def _receipt(self, view: PointView, receipt: Receipt) -> list[Output]:
        """Take what a receipt proves, if we still know the heartbeat it answers."""
        if receipt.issuer not in (0, self.key_id):
            return []
        if receipt.heartbeat == 0:
            active: tuple[int, ...] = ()
        elif receipt.heartbeat in self.announced:
            active = self.announced[receipt.heartbeat]
        else:
            # A heartbeat from before our restart (or long ago): we cannot read the bits,
            # and half a receipt would take ticks away that the point earned. Keep the last.
            return []
        view.receipt = receipt.resolve(active)
        return [ReceiptAccepted(view.point_id, view.receipt)]

    def _repair_national(self, view: PointView, now: float) -> None:
        """A relayed national bulletin that a point's receipt does not name: broadcast it
        again (the heartbeat lists only our own bulletins, so the point cannot ask for it;
        the repair cooldown and airtime share bound this like any repair)."""
        held = view.receipt.others if view.receipt is not None else frozenset()
        for key in self._relayed:
            record = self.catalogue.get(key)
            if record is None or record.state is not BulletinState.ACTIVE:
                continue
            target = record.bulletin.target
            if not (target.everyone or view.point_id in target.points):
                continue
            if BulletinRef(*key) not in held:
                self._answer(record.message, now, mask=None, to=None)

    def _accept(self, v: Verified, node: int, now: float) -> list[Output]:
        body = v.message.envelope.body
        if isinstance(body, StatusReport):
            return self._status(v, body, node, now)
        if isinstance(body, Receipt):
            return self._take_receipt(self._heard(v.sender, node, now), body, now)
        if isinstance(body, RepairRequest):
            self._heard(v.sender, node, now)
            return self._repair(body, node, now)
        if isinstance(body, HelpRequest | HelpAck):
            return self._help(v, body, node, now)
        if isinstance(body, Bulletin) and v.message.envelope.key_id != self.key_id:
            return self._foreign_bulletin(v, body, node, now)
        return []

    def _foreign_bulletin(self, v: Verified, body: Bulletin, node: int, now: float) -> list[Output]:
        if node == FEDERATION_NODE:
            # A national bulletin that waited for the national certificate.
            return self._relay(v, body, now) if v.sender.role is Role.NATIONAL else []
        # Another hub's bulletin (a neighbouring region, a backup hub): keep it. Our own
        # comes back when a point passes it on to a neighbour (local repair): not here.
        return [BulletinAccepted(v.message, v.sender, True)]

    def _help(
        self, v: Verified, body: HelpRequest | HelpAck, node: int, now: float
    ) -> list[Output]:
        self._heard(v.sender, node, now)
        if isinstance(body, HelpRequest):
            return self.help.on_request(v, body, node, now)
        return self.help.on_ack(v, body, now)

    def _heard(self, sender: Principal, node: int, now: float, *, direct: bool = True) -> PointView:
        """``direct``: the frame came from the point's own radio (not carried by a
        neighbour), so ``node`` is the point's and it can hear our answers."""
        view = self.points.get(sender.point_id)
        if view is None or view.key_id != sender.key_id:
            view = PointView(sender.point_id, sender.name, sender.key_id, node, now)
            self.points[sender.point_id] = view
        view.last_heard = now
        if direct:
            view.node = node
            self.help.heard_from(sender.key_id, node, now)
        return view

    def _status(self, v: Verified, report: StatusReport, node: int, now: float) -> list[Output]:
        """A signed status report (format 1, and the way a point without a pair key yet
        could still report): the same rules as a compact one."""
        if report.point_id != v.sender.point_id:
            detail = (
                f"{v.sender.name} is certified as point {v.sender.point_id} "
                f"but reports for point {report.point_id}"
            )
            return [Rejected("point_id_mismatch", detail, node)]
        view = self._heard(v.sender, node, now)
        env = v.message.envelope
        view.status_seq = max(view.status_seq, env.seq)
        self.status_heard[report.point_id] = self.clock.precise(now) or 0.0
        receipt = report.receipt
        proof = self._take_receipt(view, receipt, now) if receipt is not None else []
        held = view.receipt if proof else None
        raw = v.message.raw
        return [
            StatusAccepted(raw, env.key_id, env.seq, env.time, v.sender, report, node, held),
            *proof,
        ]

    # --- repair ---------------------------------------------------------------------

    def _repair(self, request: RepairRequest, node: int, now: float) -> list[Output]:
        if request.issuer not in (0, self.key_id):
            return []
        to = node if request.direct else None
        if not (request.seqs or request.fragments or request.certificates):
            self._beat_soon(now)
        for seq in request.seqs:
            record = self.catalogue.get((self.key_id, seq))
            if record is not None and record.state is BulletinState.ACTIVE:
                self._answer(record.message, now, mask=None, to=to)
        for need in request.fragments:
            key = self._by_message_id.get(need.message_id)
            record = self.catalogue.get(key) if key else None
            if record is not None:
                self._answer(record.message, now, mask=need.missing, to=to)
        for key_id in request.certificates:
            self._send_certificate(key_id, now)
        return []

    def _beat_soon(self, now: float) -> None:
        """A point that heard nothing from us for a while asks for a heartbeat (an empty
        repair request): it tells the point what it lacks. One every repair cooldown at
        most, however many points ask."""
        if now - self._beat_asked < self.config.repair_cooldown_s:
            return
        self._beat_asked = now
        self._set_timer(HEARTBEAT, now + self._jitter(self.config.repair_delay_s))

    def _answer(self, message: SignedMessage, now: float, mask: int | None, to: int | None) -> None:
        """Re-send ``message`` (or the fragments in ``mask``): broadcast, so it serves every
        point that lacks it, or to one node (``to``) that the broadcasts did not reach."""
        env = message.envelope
        key = (env.key_id, env.seq)
        if to is not None:
            if any(
                e.purpose == REPAIR_DM and e.destination == to and e.seq == env.seq
                for e in self.outbox.entries()
            ):
                return
        else:
            queued = self.outbox.find(REPAIR, *key) or self.outbox.find(BULLETIN, *key)
            if queued is not None:
                return  # on its way already: that answer serves this point too
            if now - self._last_broadcast.get(key, -1e9) < self.config.repair_cooldown_s:
                return
        airtime = self.outbox.airtime_of(message.raw, mask, BROADCAST if to is None else to)
        if not self._repair_budget.fits(airtime, now):
            log.info("repair budget spent; #%d waits for the next request", env.seq)
            return
        self._repair_budget.record(airtime, now)
        body = env.body
        priority = bulletin_priority(body) if isinstance(body, Bulletin) else Priority.CONTROL
        self.outbox.add(
            message.raw,
            destination=BROADCAST if to is None else to,
            priority=priority,
            purpose=REPAIR if to is None else REPAIR_DM,
            want_ack=to is not None or self._broadcast_want_ack(now),
            key_id=env.key_id,
            seq=env.seq,
            only_frames=mask,
        )

    def _send_certificate(self, key_id: int, now: float) -> None:
        cert = self.keyring.certificate_message(key_id)
        if cert is None or self.outbox.find(CERTIFICATE, key_id, 0) is not None:
            return
        if now - self._last_broadcast.get((key_id, 0), -1e9) < self.config.repair_cooldown_s:
            return
        self.outbox.add(cert.raw, priority=Priority.CONTROL, purpose=CERTIFICATE, key_id=key_id)

    # --- outbox events --------------------------------------------------------------

    def _broadcast_want_ack(self, now: float) -> bool:
        """Ask for the relays' implicit ack on our broadcasts, unless the last ones all
        went unconfirmed: then no relay hears us (a hub and muted points only), and every
        broadcast would cost the firmware's three tries. Asked again after a while."""
        return self.config.hub_broadcast_want_ack and now >= self._no_relay_until

    def _completed(self, event: Completed, now: float) -> list[Output]:
        e = event.entry
        if e.destination == BROADCAST and e.want_ack:
            self._unconfirmed = self._unconfirmed + 1 if event.unconfirmed else 0
            if self._unconfirmed >= UNCONFIRMED_LIMIT:
                log.info("no relay confirms our broadcasts: sending them without want_ack")
                self._no_relay_until = now + NO_RELAY_RETRY_S
                self._unconfirmed = 0
        self._last_broadcast[(e.key_id, e.seq)] = now
        if e.purpose == BULLETIN:
            return [Delivered(e.purpose, e.key_id, e.seq, e.id)]
        return []

    def _failed(self, event: Failed, now: float) -> list[Output]:
        e = event.entry
        if e.purpose == BULLETIN:
            # Refused by the radio (too large?): keep it in the catalogue; repair can try.
            log.warning("bulletin #%d was refused by the radio: %s", e.seq, event.status.value)
        return []

    # --- hub's view -----------------------------------------------------------------

    def receipt_matrix(self) -> dict[int, dict[int, tuple[bool, bool]]]:
        """point id -> bulletin seq -> (received, displayed), for active bulletins."""
        active = self.catalogue.active(self.key_id)
        matrix: dict[int, dict[int, tuple[bool, bool]]] = {}
        for pid, view in self.points.items():
            r = view.receipt or Holdings()
            matrix[pid] = {seq: (seq in r.held, seq in r.displayed) for seq in active}
        return matrix

    def _on_unknown_key(self, key_id: int, node: int, now: float) -> None:
        """Ask a point that sent us something signed by an unknown key for its certificate."""
        if now - self._cert_asked.get(key_id, -1e9) < self.config.repair_backoff_s[0]:
            return
        self._cert_asked[key_id] = now
        request = self.issuer.issue(RepairRequest(certificates=(key_id,)), at=self.clock.now(now))
        self.outbox.add(
            request.raw,
            destination=node,
            priority=Priority.CONTROL,
            purpose=CERT_REQUEST,
            want_ack=True,
        )
