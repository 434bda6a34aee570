"""A support point's engine: take bulletins, fill gaps, report status and receipts.

* Bulletins from the hub are verified, kept (targeted or not: receipts count them) and
  their Update/Cancel/expiry applied.
* The hub's heartbeat lists its active bulletins; whatever the point lacks it asks for
  after a random delay (so that points do not all ask at once, and most of them find
  their gap already filled by the answer to someone else), with back-off.
* Status reports go to the hub as direct messages: on change (batched), when new
  bulletins should be acknowledged (not more often than a minimum gap), and at least
  every interval. Each report is signed when it is queued, so it carries the freshest
  receipt: what the point holds, what it misses, what staff have displayed.
"""

from __future__ import annotations

import logging
import math
import random
from dataclasses import dataclass, replace

from relay.engine.base import Engine
from relay.engine.catalogue import BulletinRecord
from relay.engine.config import EngineConfig
from relay.engine.help import PointDesk, is_help_timer
from relay.engine.hubclock import HubClock
from relay.engine.neighbours import Answer, NeighbourAid
from relay.engine.outbox import TO_HUB, Completed, Failed
from relay.engine.outputs import BulletinAccepted, HubHeard, Output, Priority
from relay.engine.reporting import HopChoice, Schedule, slot_offset
from relay.errors import InputError, RelayError
from relay.link import BROADCAST, Frame
from relay.wire import envelope, fragments, statusframe
from relay.wire.help import HelpDetails
from relay.wire.issuer import Issuer
from relay.wire.model import (
    Bulletin,
    BulletinRef,
    FragmentNeed,
    Heartbeat,
    HelpUpdate,
    HelpUrgency,
    Kind,
    Receipt,
    RepairRequest,
    Role,
    SignedMessage,
    StatusReport,
    Urgency,
)
from relay.wire.replay import ReplayGuard
from relay.wire.trust import Keyring, Verified

log = logging.getLogger(__name__)

STATUS = "status"
URGENT_RECEIPT = "urgent-receipt"
REPAIR_REQUEST = "repair-request"
CERTIFICATE = "certificate"
NEIGHBOUR_ANSWER = "neighbour-answer"
NEIGHBOUR_CARRY = "neighbour-carry"
HUB_SILENT = "hub-silent"
#: Most sequence numbers one repair request asks for (keeps it in one frame).
MAX_ASK = 40
#: Most bulletins newer than the last heartbeat one receipt lists (keeps it small).
MAX_NEWER = 16
#: National bulletins named in a receipt (each ~8 bytes in the status frame).
MAX_OTHERS = 4
_UINT32 = (1 << 32) - 1


def _fit_wire(report: StatusReport) -> StatusReport:
    """Drop values the wire cannot carry instead of failing on them: a report built from
    the store must never stop the engine (the API refuses such values on the way in)."""
    bad = [
        name
        for name, value, top in (
            ("visitors", report.visitors, _UINT32),
            ("battery_pct", report.battery_pct, 100),
        )
        if value is not None and not 0 <= value <= top
    ]
    if not bad:
        return report
    log.error("status value out of range, not sent: %s", ", ".join(bad))
    return replace(
        report,
        visitors=None if "visitors" in bad else report.visitors,
        battery_pct=None if "battery_pct" in bad else report.battery_pct,
    )


@dataclass
class HubView:
    key_id: int
    node: int
    last_heard: float
    #: Active bulletins from the last heartbeat, and that heartbeat's sequence number
    #: (receipts index its list).
    active: tuple[int, ...] = ()
    heartbeat_seq: int = 0


class PointEngine(Engine):
    def __init__(
        self,
        config: EngineConfig,
        issuer: Issuer,
        keyring: Keyring,
        clock: HubClock,
        rng: random.Random,
        replay: ReplayGuard | None = None,
        *,
        point_id: int,
        groups: frozenset[str] = frozenset(),
        hub_node: int | None = None,
    ) -> None:
        super().__init__(config, issuer, keyring, clock, rng, replay)
        self.point_id = point_id
        self.groups = groups
        self.hub: HubView | None = None
        self._pinned_hub_node = hub_node
        self.status = StatusReport(point_id=point_id)
        self.displayed: set[tuple[int, int]] = set()
        self._dirty = False
        self._request_backoff = config.dm_retry_s[0]
        self._repair_backoff = config.repair_backoff_s[0]
        self._last_hops: int | None = None
        #: The frame being received was a broadcast (not a direct message to us).
        self._last_broadcast = False
        self.help = PointDesk(self)
        self._hub_hops: int | None = None
        #: Extra hops for direct messages (help requests) after failures, reset by successes.
        self._extra_hops = 0
        self._schedule = Schedule(
            config.status_interval_s,
            config.heartbeat_interval_s,
            0,
            config.status_settle_s,
            config.status_min_tries,
        )
        self.hops = HopChoice(config.max_hops, config.hop_probe_after)
        #: Hub time our last report left (None once a heartbeat has judged it).
        self._sent_at: float | None = None
        #: The status interval in which the hub listed us.
        self._confirmed: int | None = None
        self._mac_keys: dict[int, bytes] = {}
        self.neighbours = NeighbourAid(config, self._jitter)
        #: Judged reports in a row the hub's heard-list left out (reset when listed).
        self._misses = 0
        #: The hub has been silent for ``hub_silent_periods`` heartbeat periods (or more).
        self.hub_silent = False
        self._silence_backoff = 0.0

    @property
    def hub_node(self) -> int | None:
        if self._pinned_hub_node is not None:
            return self._pinned_hub_node
        return self.hub.node if self.hub else None

    @property
    def hub_key_id(self) -> int | None:
        return self.hub.key_id if self.hub else None

    # --- what the daemon and the screens call ---------------------------------------

    def start(self, now: float) -> list[Output]:
        """Begin: the first report in our slot, once we know hub time (no storm when a
        region boots: the slots are spread over the interval)."""
        self._status_due(now)
        self.help.start(now)
        if self.hub is not None:
            self._arm_silence(now)
        return self._pump(now)

    def set_status(self, status: StatusReport, now: float) -> list[Output]:
        """New open state / power / visitors / needs from staff; sent after a short batch."""
        status = replace(status, point_id=self.point_id, receipt=None)
        if status != self.status:
            self.status = status
            self._dirty = True  # goes out at our next try, even if this interval is done
        return self._pump(now)

    def mark_displayed(self, key_id: int, seq: int, now: float) -> list[Output]:
        """Staff posted or read out a bulletin: the hub sees it in our next report."""
        self.displayed.add((key_id, seq))
        return self._pump(now)

    def send_help(
        self,
        type_code: int,
        urgency: HelpUrgency,
        people: int,
        details: HelpDetails,
        now: float,
    ) -> tuple[SignedMessage, list[Output]]:
        """Staff ask the control room for help: sealed, signed, queued first, retried
        until the hub answers (relay.engine.help)."""
        message = self.help.send(type_code, urgency, people, details, now)
        return message, self._pump(now)

    def restore(self, record: BulletinRecord, displayed: bool) -> None:
        """After a restart: a bulletin from the store (state included)."""
        self.catalogue.restore(record)
        if displayed:
            self.displayed.add(record.key)

    def forget_bulletin(self, key_id: int, seq: int, now: float) -> list[Output]:
        """The daemon could not store a bulletin (a full disk): we do not hold it. It is
        missing again, so the next heartbeat brings repair, and no receipt claims it."""
        record = self.catalogue.get((key_id, seq))
        if record is None:
            return []
        self.catalogue.forget((key_id, seq))
        self.displayed.discard((key_id, seq))
        self.replay.forget(key_id, seq)
        self.receiver.forget(record.message.raw)
        self._gaps_changed(now)
        return self._pump(now)

    # --- receiving ------------------------------------------------------------------

    def receive(self, frame: Frame, now: float) -> list[Output]:
        self._last_hops = frame.hops
        self._last_broadcast = frame.destination == BROADCAST
        self.neighbours.heard_copy(frame.payload, now)
        return super().receive(frame, now)

    def _accept(self, v: Verified, node: int, now: float) -> list[Output]:
        body = v.message.envelope.body
        env = v.message.envelope
        if v.sender.role is Role.NATIONAL and isinstance(body, Bulletin):
            # A national bulletin, relayed unchanged by our hub: kept and shown like the
            # hub's own, but the national key is not our hub (no clock, no hub contact).
            return self._bulletin(v, body, now)
        if v.sender.role is not Role.HUB:
            if isinstance(body, RepairRequest):
                self._neighbour_asks(body, env.time, now)
            return []
        if self._passed_on(v, node):
            # A neighbour passed the hub's bulletin on: the bytes are the hub's, but the
            # frame says nothing about the hub's node, its hops or its clock.
            return self._bulletin(v, body, now) if isinstance(body, Bulletin) else []
        if self.hub is None or self.hub.key_id != env.key_id:
            self.hub = HubView(env.key_id, node, now)
        self.hub.node, self.hub.last_heard = node, now
        self.clock.observe(env.time, now)
        self._hub_back(now)
        if self._last_hops is not None:
            self.hops.hub_seen(self._last_hops)
            if isinstance(body, Heartbeat) and self.config.dm_hop_margin is not None:
                self._hub_hops = self._last_hops
                self._update_hop_limit()
        out: list[Output] = [
            HubHeard(env.key_id, env.seq, env.time, node, isinstance(body, Heartbeat))
        ]
        if isinstance(body, Bulletin):
            out += self._bulletin(v, body, now)
        elif isinstance(body, Heartbeat):
            self._heartbeat(env.seq, env.time, body, now)
        elif isinstance(body, RepairRequest):
            self._send_own_certificate(body, now)
        elif isinstance(body, HelpUpdate):
            out += self.help.on_update(v, body, node, now, broadcast=self._last_broadcast)
        return out

    def carried(self, raw: bytes, now: float) -> list[Output]:
        """A bulletin brought by hand (a file, a USB stick, a QR code on a notice) to a
        point the radio does not reach. Verified exactly as a radio frame (raises the
        reason when refused, an already-held copy included), then taken like one: stored,
        shown, receipted. It is not contact with the hub: the paper may be hours old, so
        the kiosk's "no contact with the hub" warning and the hub clock are left alone."""
        kind = envelope.parse(raw).kind
        if kind is not Kind.BULLETIN:
            raise InputError(f"a {kind.value}, not a bulletin: only bulletins are imported")
        verified = self.receiver.verify_carried(raw, self.clock.now(now))
        body = verified.message.envelope.body
        assert isinstance(body, Bulletin)
        return self._bulletin(verified, body, now) + self._pump(now)

    def _bulletin(self, v: Verified, body: Bulletin, now: float) -> list[Output]:
        targeted = body.target.includes(self.point_id, self.groups)
        out: list[Output] = [BulletinAccepted(v.message, v.sender, targeted)]
        out += self.catalogue.add(v.message, targeted, self.clock.now(now))
        self._arm_expiry(now)
        self._repair_backoff = self.config.repair_backoff_s[0]  # progress: be eager again
        if body.urgency is Urgency.IMMEDIATE and targeted:
            self._urgent_receipt(now)
        if STATUS not in self._timers:
            self._status_due(now)
        self._gaps_changed(now)
        return out

    def _passed_on(self, v: Verified, node: int) -> bool:
        """A hub bulletin sent by another node than the hub's own (local repair)."""
        hub = self.hub
        return (
            hub is not None
            and hub.key_id == v.message.envelope.key_id
            and node != hub.node
            and isinstance(v.message.envelope.body, Bulletin)
        )

    # --- local repair ---------------------------------------------------------------

    def _neighbour_asks(self, request: RepairRequest, asked: int, now: float) -> None:
        hub = self.hub
        if hub is None or self._last_hops != 0 or request.issuer not in (0, hub.key_id):
            return  # not a direct neighbour, or not about the hub we follow

        def held(seq: int) -> BulletinRecord | None:
            record = self.catalogue.get((hub.key_id, seq))
            return record if record is not None and seq in hub.active else None

        def by_message_id(mid: bytes) -> BulletinRecord | None:
            return next(
                (
                    r
                    for r in self.catalogue.records()
                    if r.key[0] == hub.key_id and fragments.message_id(r.message.raw) == mid
                ),
                None,
            )

        hub_now = self.clock.now(now)
        asked_at = now if hub_now is None else now - max(0, hub_now - asked)
        self.neighbours.on_request(request, held, by_message_id, now, asked_at)
        self._arm_neighbours()

    def _arm_neighbours(self) -> None:
        due = self.neighbours.next_due()
        if due is not None:
            self._set_timer(NEIGHBOUR_ANSWER, due)

    def _status_frame(self, frame: Frame, now: float) -> list[Output]:
        """Another point's status frame: carry it to the hub if it asks and we hear it
        directly; a carried copy from someone else makes ours unnecessary."""
        hub = self.hub
        if hub is None:
            return []
        try:
            report = statusframe.parse(frame.payload)
        except RelayError:
            return []  # not ours to judge: the hub checks reports
        if report.hub != hub.key_id or report.key_id == self.issuer.key.key_id:
            return []
        if report.carried:
            self.neighbours.heard_carried(report.key_id, report.raw, now)
        elif report.carry and frame.hops == 0 and not self._misses:
            # (A point the hub does not hear itself is no help.)
            self.neighbours.on_report(report.key_id, report.raw, now, self.hops.limit)
            self._arm_neighbours()
        return []

    def _answer_neighbours(self, now: float) -> None:
        for answer in self.neighbours.due(now):
            if not isinstance(answer, Answer):
                self.outbox.add(
                    statusframe.carried(answer.raw),
                    destination=BROADCAST,
                    priority=Priority.STATUS,
                    purpose=NEIGHBOUR_CARRY,
                    hop_limit=self.hops.limit,
                )
                continue
            env = answer.message.envelope
            log.info("passing bulletin #%d on to a neighbour that asked for it", env.seq)
            self.outbox.add(
                answer.message.raw,
                destination=BROADCAST,
                priority=Priority.NORMAL,
                purpose=NEIGHBOUR_ANSWER,
                want_ack=False,  # with want_ack the firmware would raise hop limit 0 to 3
                hop_limit=0,
                key_id=env.key_id,
                seq=env.seq,
                only_frames=answer.only_frames,
            )
        self._arm_neighbours()

    # --- gaps and repair ------------------------------------------------------------

    def missing(self) -> list[int]:
        """Active hub bulletins (per the last heartbeat) that we do not hold."""
        if self.hub is None:
            return []
        held = self.catalogue.held(self.hub.key_id)
        return [s for s in self.hub.active if s not in held]

    def _gaps_changed(self, now: float) -> None:
        has_gap = bool(self.missing() or self.receiver.missing_fragments())
        if has_gap and REPAIR_REQUEST not in self._timers:
            self._set_timer(REPAIR_REQUEST, now + self._jitter(self.config.repair_delay_s))

    def _on_unknown_key(self, key_id: int, node: int, now: float) -> None:
        """A message signed by a key we cannot check yet: ask for its certificate soon."""
        if REPAIR_REQUEST not in self._timers:
            self._set_timer(REPAIR_REQUEST, now + self._jitter(self.config.repair_delay_s))

    def _ask_for_repair(self, now: float) -> None:
        missing = self.missing()[:MAX_ASK]
        frags = tuple(self.receiver.missing_fragments().items())[:4]
        certs = tuple(self.receiver.unknown_keys())[:4]
        if not (missing or frags or certs):
            return
        if self.outbox.find(REPAIR_REQUEST, 0, 0) is None:
            # A second request for the same gap asks for a direct answer: the broadcast
            # answer to the first did not reach us (a weak link to the nearest relay).
            request = RepairRequest(
                seqs=tuple(missing),
                fragments=tuple(FragmentNeed(mid, mask) for mid, mask in frags),
                certificates=certs,
                direct=self._repair_backoff > self.config.repair_backoff_s[0],
            )
            message = self.issuer.issue(request, at=self.clock.now(now) or 0)
            # Before we can verify the hub we do not know its node: ask whoever sent the
            # message we could not check (the hub itself, as a rule).
            destination = TO_HUB
            if self.hub_node is None:
                if not certs:
                    return
                destination = self.receiver.unknown_keys()[certs[0]]
            # Broadcast with our learned hop limit, no firmware ack: the hub's answer (the
            # bulletin itself, broadcast) is the acknowledgement. Before we know the hub,
            # the request goes to whoever sent what we could not check.
            self.outbox.add(
                message.raw,
                destination=BROADCAST if destination == TO_HUB else destination,
                priority=Priority.CONTROL,
                purpose=REPAIR_REQUEST,
                want_ack=destination != TO_HUB,
                hop_limit=self.hops.limit if destination == TO_HUB else None,
            )
        # Ask again later if the answer does not come (the hub may be busy or out of reach).
        self._set_timer(REPAIR_REQUEST, now + self._repair_backoff * self._slowdown())
        self._repair_backoff = min(self._repair_backoff * 2, self.config.repair_backoff_s[1])

    def _send_own_certificate(self, request: RepairRequest, now: float) -> None:
        cert = self.issuer.certificate
        if cert is None or self.issuer.key.key_id not in request.certificates:
            return
        if self.outbox.find(CERTIFICATE, 0, 0) is None:
            self.outbox.add(
                cert.raw,
                destination=TO_HUB,
                priority=Priority.CONTROL,
                purpose=CERTIFICATE,
                want_ack=True,
            )

    # --- a silent hub ---------------------------------------------------------------

    def _arm_silence(self, now: float) -> None:
        if self.config.hub_silent_periods <= 0:
            return  # off (what the benches' "before" column runs)
        periods = self.config.hub_silent_periods * self._schedule.heartbeat
        self._set_timer(HUB_SILENT, now + periods, earliest=False)

    def _hub_back(self, now: float) -> None:
        """A hub frame: the silence (if any) is over. Requests that failed while the path
        was down say nothing about the hub being busy, so the back-off starts afresh and
        what the next heartbeat shows missing is asked for after the usual short delay."""
        self._arm_silence(now)
        self._silence_backoff = 0.0
        if not self.hub_silent:
            return
        self.hub_silent = False
        self._repair_backoff = self.config.repair_backoff_s[0]
        self._request_backoff = self.config.dm_retry_s[0]
        self._clear_timer(REPAIR_REQUEST)

    def _on_hub_silent(self, now: float) -> None:
        """No hub frame for ``hub_silent_periods`` heartbeat periods: the path we use may
        be the broken one (a relay site over its duty cycle drops every relay). Reports
        take the most hops, and a request for a heartbeat goes out with them, so that
        a longer path to the hub, where one exists, carries it; again after a doubling
        back-off while the silence lasts."""
        self.hub_silent = True
        self.hops.silent()
        if self.hub is not None and self.outbox.find(REPAIR_REQUEST, 0, 0) is None:
            request = RepairRequest(seqs=tuple(self.missing()[:MAX_ASK]))
            message = self.issuer.issue(request, at=self.clock.now(now) or 0)
            self.outbox.add(
                message.raw,
                destination=BROADCAST,
                priority=Priority.CONTROL,
                purpose=REPAIR_REQUEST,
                hop_limit=self.hops.limit,
            )
        first = self.config.hub_silent_periods * self._schedule.heartbeat
        self._silence_backoff = min(
            max(first, 2 * self._silence_backoff), self.config.repair_backoff_s[1]
        )
        self._set_timer(HUB_SILENT, now + self._silence_backoff * self._jitter((0.8, 1.2)))

    # --- status reports -------------------------------------------------------------

    @property
    def schedule(self) -> Schedule:
        return self._schedule

    def receipt(self) -> Receipt | None:
        """What we have stored of the hub's bulletins, as a proof: bits over the last
        heartbeat's active list, and the stored bulletins newer than that heartbeat.

        The catalogue holds only what the daemon has committed to its store (a bulletin
        whose write failed is forgotten again, see :meth:`forget_bulletin`), so nothing
        here can claim more than the store holds."""
        if self.hub is None:
            return None
        key_id = self.hub.key_id
        stored = self.catalogue.held(key_id)
        displayed = {s for k, s in self.displayed if k == key_id}
        receipt = Receipt.of(self.hub.heartbeat_seq, self.hub.active, stored, displayed)
        if len(receipt.newer) > MAX_NEWER:
            receipt = replace(receipt, newer=receipt.newer[-MAX_NEWER:])
        return replace(receipt, others=self._national_held())

    def _national_held(self) -> tuple[BulletinRef, ...]:
        """Active national bulletins we stored (our hub relayed them): named one by one,
        the newest few, so the national node sees their reach per point."""
        national = [p.key_id for p in self.keyring.principals() if p.role is Role.NATIONAL]
        refs = sorted(BulletinRef(k, s) for k in national for s in self.catalogue.active(k))
        return tuple(refs[-MAX_OTHERS:])

    def reporting(self, now: float) -> dict[str, object]:
        """How this point reports (for ``relay status show`` and the doctor): the interval
        the hub announced, whether the hub listed us in it, our hop limit, the next try."""
        hub_now = self.clock.precise(now)
        due = self._timers.get(STATUS)
        k = None if hub_now is None else self._schedule.interval_of(hub_now)
        return {
            "status_interval_s": self._schedule.interval,
            "heard_this_interval": k is not None and self._confirmed == k,
            "hop_limit": self.hops.limit,
            "next_report_in_s": None if due is None else max(0, round(due - now)),
        }

    def _mac_key(self) -> bytes | None:
        hub = self.keyring.principal(self.hub.key_id) if self.hub else None
        if hub is None or hub.role is not Role.HUB:
            return None
        if self._mac_keys.get(hub.key_id) is None:
            self._mac_keys[hub.key_id] = statusframe.point_mac_key(self.issuer.key, hub.key)
        return self._mac_keys[hub.key_id]

    def _queue_status(self, now: float) -> None:
        """Queue a report now (replacing one still waiting: the newest receipt wins)."""
        key = self._mac_key()
        if key is None or self.hub is None:
            return
        waiting = self.outbox.find(STATUS, 0, 0)
        if waiting is not None:
            if waiting.in_flight:
                return  # on the air already; the next try carries the news
            self.outbox.remove(waiting.id)
        report = _fit_wire(replace(self.status, point_id=0, receipt=self.receipt()))
        raw = statusframe.encode(
            self.issuer.key.key_id,
            self.issuer.counter.next(),
            self.hub.key_id,
            report,
            key,
            carry=self._misses >= self.config.carry_after_misses,
        )
        self.outbox.add(
            raw,
            destination=BROADCAST,
            priority=Priority.STATUS,
            purpose=STATUS,
            hop_limit=self.hops.limit,
        )
        self._dirty = False

    def _status_due(self, now: float, past_slot: bool = False) -> None:
        """Arm the status timer at our next try (hub time known: else when it is); after a
        try (``past_slot``), in a later heartbeat period: the one that ends judges it."""
        hub_now = self.clock.precise(now)
        if hub_now is None:
            return
        every = self._schedule.heartbeat
        after = (hub_now // every + 1) * every if past_slot else hub_now
        due = self._schedule.next_try(self.point_id, after, self.rng.random())
        self._set_timer(STATUS, now + (due - hub_now), earliest=False)

    def _on_status_timer(self, now: float) -> None:
        hub_now = self.clock.precise(now)
        if hub_now is None:
            return
        k = self._schedule.interval_of(hub_now)
        if self._confirmed != k or self._dirty:
            self._queue_status(now)
        self._status_due(now, past_slot=True)

    def _urgent_receipt(self, now: float) -> None:
        """An Immediate bulletin is acknowledged before our next slot, at our phase in a
        short window (points that got it at the same moment still report apart)."""
        hub_now = self.clock.now(now)
        if hub_now is None:
            return
        spread = self.config.urgent_receipt_spread_s
        offset = slot_offset(self.point_id, self._schedule.slots, spread)
        when = now + self.config.status_settle_s + offset
        if when + spread < self._timers.get(STATUS, math.inf):
            self._set_timer(URGENT_RECEIPT, when)  # else our next slot comes soon enough

    def _heartbeat(self, env_seq: int, hub_time: int, body: Heartbeat, now: float) -> None:
        assert self.hub is not None
        self.hub.active = body.active
        self.hub.heartbeat_seq = env_seq
        c = self.config
        self._schedule = Schedule(
            float(body.status_interval_s or c.status_interval_s),
            float(body.interval_s or c.heartbeat_interval_s),
            body.slots,
            c.status_settle_s,
            c.status_min_tries,
        )
        self._learn_from_heard_list(hub_time, body)
        if STATUS not in self._timers:
            self._status_due(now)
        self._gaps_changed(now)

    def _learn_from_heard_list(self, hub_time: int, body: Heartbeat) -> None:
        """The heartbeat acknowledges (or not) our last report of this interval."""
        sent = self._sent_at
        if sent is None or hub_time < sent + self.config.status_settle_s:
            return  # issued before our report could have reached the hub
        if self._schedule.interval_of(hub_time) != self._schedule.interval_of(sent):
            return  # a new interval: our next slot is due anyway
        if self.point_id in body.heard:
            if self._confirmed != self._schedule.interval_of(sent):
                self.hops.heard()
            self._confirmed = self._schedule.interval_of(sent)
            self._misses = 0
        elif self._confirmed != self._schedule.interval_of(sent):
            self.hops.missed()
            self._misses += 1  # after a few, neighbours that hear us may carry our reports
        self._sent_at = None  # one verdict per report

    def _update_hop_limit(self) -> None:
        """Direct messages (help requests): the hub's hops plus a margin and what failures
        added (a want_ack frame with hop limit 0 would be raised to the default anyway)."""
        margin = self.config.dm_hop_margin
        if margin is None or self._hub_hops is None:
            return
        self.outbox.hub_hop_limit = min(7, self._hub_hops + margin + self._extra_hops)

    def _dm_outcome(self, delivered: bool) -> None:
        if delivered:
            self._extra_hops = max(0, self._extra_hops - 1)
        else:
            self._extra_hops = min(2, self._extra_hops + 1)
        self._update_hop_limit()

    def _slowdown(self) -> float:
        """Stretch factor for repair requests when the radio reports a busy channel (the
        firmware itself sheds its background traffic above 25 %). Status reports follow
        the interval the hub announces instead."""
        util = self.channel_utilisation
        busy = self.config.busy_channel
        return 1.0 if util is None or util <= busy else min(util / busy, 4.0) ** 2

    # --- timers and outbox events ---------------------------------------------------

    def _on_timer(self, name: str, now: float) -> list[Output]:
        if name == STATUS:
            self._on_status_timer(now)
        elif name == URGENT_RECEIPT:
            self._queue_status(now)
        elif name == REPAIR_REQUEST:
            self._ask_for_repair(now)
        elif name == NEIGHBOUR_ANSWER:
            self._answer_neighbours(now)
        elif name == HUB_SILENT:
            self._on_hub_silent(now)
        elif is_help_timer(name):
            return self.help.on_timer(name, now)
        return self._expire(now)

    def _completed(self, event: Completed, now: float) -> list[Output]:
        if event.entry.destination == TO_HUB:
            self._dm_outcome(delivered=True)
        if event.entry.purpose == REPAIR_REQUEST:
            self._request_backoff = self.config.dm_retry_s[0]
        if event.entry.purpose == STATUS:
            self._sent_at = self.clock.precise(now)  # the next heartbeat judges this one
        return self.help.on_completed(event.entry, now)

    def _failed(self, event: Failed, now: float) -> list[Output]:
        self.help.on_failed(event.entry, now)
        if event.entry.destination == TO_HUB:
            self._dm_outcome(delivered=False)
        if event.entry.purpose == REPAIR_REQUEST:
            # The request itself did not leave. Ask again after the back-off (doubling,
            # stretched on a busy channel): a congested channel must not be answered with
            # more requests.
            delay = self._request_backoff * self._slowdown() * self._jitter((0.5, 1.5))
            self._set_timer(REPAIR_REQUEST, now + delay)
            self._request_backoff = min(self._request_backoff * 2, self.config.dm_retry_s[1])
        # A refused status frame simply waits for our next try (the heard-list decides).
        return []
