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
import random
from dataclasses import dataclass, replace

from relay.engine.base import Engine
from relay.engine.catalogue import BulletinRecord
from relay.engine.config import EngineConfig
from relay.engine.help import PointDesk, is_help_timer
from relay.engine.hubclock import HubClock
from relay.engine.outbox import TO_HUB, Completed, Failed
from relay.engine.outputs import BulletinAccepted, HubHeard, Output, Priority
from relay.link import Frame
from relay.wire.help import HelpDetails
from relay.wire.issuer import Issuer
from relay.wire.model import (
    Bulletin,
    FragmentNeed,
    Heartbeat,
    HelpUpdate,
    HelpUrgency,
    Receipt,
    RepairRequest,
    Role,
    SignedMessage,
    StatusReport,
)
from relay.wire.replay import ReplayGuard
from relay.wire.trust import Keyring, Verified

log = logging.getLogger(__name__)

STATUS = "status"
REPAIR_REQUEST = "repair-request"
CERTIFICATE = "certificate"
#: Most sequence numbers one repair request asks for (keeps it in one frame).
MAX_ASK = 40


@dataclass
class HubView:
    key_id: int
    node: int
    last_heard: float
    #: Active bulletins from the last heartbeat.
    active: tuple[int, ...] = ()


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
        self._dirty = True
        self._last_report = -1e9
        self._dm_backoff = config.dm_retry_s[0]
        self._request_backoff = config.dm_retry_s[0]
        self._repair_backoff = config.repair_backoff_s[0]
        self._asked: dict[int, float] = {}
        self._last_hops: int | None = None
        self.help = PointDesk(self)
        self._hub_hops: int | None = None
        #: Extra hops for direct messages after failures (reset by successes): a point
        #: whose hub is one hop away tries that first, and floods wider only when needed.
        self._extra_hops = 0

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
        """Begin: the first report after a random delay (no storm when a region boots)."""
        self._set_timer(STATUS, now + self._jitter(self.config.first_report_delay_s))
        self.help.start(now)
        return self._pump(now)

    def set_status(self, status: StatusReport, now: float) -> list[Output]:
        """New open state / power / visitors / needs from staff; sent after a short batch."""
        status = replace(status, point_id=self.point_id, receipt=None)
        if status != self.status:
            self.status = status
            self._dirty = True
            self._set_timer(STATUS, now + self.config.status_batch_s)
        return self._pump(now)

    def mark_displayed(self, key_id: int, seq: int, now: float) -> list[Output]:
        """Staff posted or read out a bulletin: the hub sees it in the next receipt."""
        if (key_id, seq) not in self.displayed:
            self.displayed.add((key_id, seq))
            self._receipt_due(now)
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

    # --- receiving ------------------------------------------------------------------

    def receive(self, frame: Frame, now: float) -> list[Output]:
        self._last_hops = frame.hops
        return super().receive(frame, now)

    def _accept(self, v: Verified, node: int, now: float) -> list[Output]:
        body = v.message.envelope.body
        env = v.message.envelope
        if v.sender.role is not Role.HUB:
            return []
        if self.hub is None or self.hub.key_id != env.key_id:
            self.hub = HubView(env.key_id, node, now)
        self.hub.node, self.hub.last_heard = node, now
        self.clock.observe(env.time, now)
        margin = self.config.dm_hop_margin
        if margin is not None and self._last_hops is not None and isinstance(body, Heartbeat):
            self._hub_hops = self._last_hops
            self._update_hop_limit()
        out: list[Output] = [
            HubHeard(env.key_id, env.seq, env.time, node, isinstance(body, Heartbeat))
        ]
        if isinstance(body, Bulletin):
            out += self._bulletin(v, body, now)
        elif isinstance(body, Heartbeat):
            self.hub.active = body.active
            self._gaps_changed(now)
        elif isinstance(body, RepairRequest):
            self._send_own_certificate(body, now)
        elif isinstance(body, HelpUpdate):
            out += self.help.on_update(v, body, node, now)
        return out

    def _bulletin(self, v: Verified, body: Bulletin, now: float) -> list[Output]:
        targeted = body.target.includes(self.point_id, self.groups)
        out: list[Output] = [BulletinAccepted(v.message, v.sender, targeted)]
        out += self.catalogue.add(v.message, targeted, self.clock.now(now))
        self._arm_expiry(now)
        self._repair_backoff = self.config.repair_backoff_s[0]  # progress: be eager again
        self._receipt_due(now)
        self._gaps_changed(now)
        return out

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
            self.outbox.add(
                message.raw,
                destination=destination,
                priority=Priority.CONTROL,
                purpose=REPAIR_REQUEST,
                want_ack=True,
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

    # --- status reports -------------------------------------------------------------

    def receipt(self) -> Receipt | None:
        if self.hub is None:
            return None
        key_id = self.hub.key_id
        held = self.catalogue.held(key_id)
        if not held:
            return Receipt(up_to=0)
        up_to = max(held)
        missing = tuple(s for s in self.hub.active if s <= up_to and s not in held)
        active = set(self.catalogue.active(key_id))
        displayed = tuple(sorted(s for k, s in self.displayed if k == key_id and s in active))
        return Receipt(up_to=up_to, missing=missing, displayed=displayed)

    def _receipt_due(self, now: float) -> None:
        self._dirty = True
        soonest = self._last_report + self.config.receipt_min_gap_s * self._slowdown()
        when = max(now + self._jitter(self.config.receipt_delay_s), soonest)
        self._set_timer(STATUS, when)

    def _queue_status(self, now: float) -> None:
        if self.outbox.find(STATUS, 0, 0) is not None:
            return  # one in the queue already; the next one after it leaves
        report = replace(self.status, receipt=self.receipt())
        message = self.issuer.issue(report, at=self.clock.now(now) or 0)
        self.outbox.add(
            message.raw,
            destination=TO_HUB,
            priority=Priority.STATUS,
            purpose=STATUS,
            want_ack=self.config.status_want_ack,
        )
        self._dirty = False

    def _update_hop_limit(self) -> None:
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
        """Stretch factor for our routine traffic when the channel is busy.

        Status reports are the bulk of a region's traffic; when the radio reports the
        channel busier than ``busy_channel`` (the firmware itself sheds its background
        traffic above 25 %), points report less often so that bulletins still get through.
        """
        util = self.channel_utilisation
        busy = self.config.busy_channel
        return 1.0 if util is None or util <= busy else min(util / busy, 4.0) ** 2

    # --- timers and outbox events ---------------------------------------------------

    def _on_timer(self, name: str, now: float) -> list[Output]:
        if name == STATUS:
            self._queue_status(now)
            self._set_timer(STATUS, now + self.config.status_interval_s * self._slowdown())
        elif name == REPAIR_REQUEST:
            self._ask_for_repair(now)
        elif is_help_timer(name):
            return self.help.on_timer(name, now)
        return self._expire(now)

    def _completed(self, event: Completed, now: float) -> list[Output]:
        if event.entry.destination == TO_HUB:
            self._dm_outcome(delivered=True)
        if event.entry.purpose == REPAIR_REQUEST:
            self._request_backoff = self.config.dm_retry_s[0]
        if event.entry.purpose == STATUS:
            self._last_report = now
            self._dm_backoff = self.config.dm_retry_s[0]
            interval = self.config.status_interval_s * self._slowdown()
            self._set_timer(STATUS, now + interval, earliest=False)
            if self._dirty:
                self._receipt_due(now)
        return self.help.on_completed(event.entry, now)

    def _failed(self, event: Failed, now: float) -> list[Output]:
        self.help.on_failed(event.entry, now)
        if event.entry.destination == TO_HUB:
            self._dm_outcome(delivered=False)
        if event.entry.purpose == REPAIR_REQUEST:
            # The request itself did not arrive. Ask again after the direct-message back-off
            # (doubling, stretched on a busy channel): a congested channel must not be
            # answered with more requests.
            delay = self._request_backoff * self._slowdown() * self._jitter((0.5, 1.5))
            self._set_timer(REPAIR_REQUEST, now + delay)
            self._request_backoff = min(self._request_backoff * 2, self.config.dm_retry_s[1])
        if event.entry.purpose == STATUS:
            self._dirty = True
            self._set_timer(STATUS, now + self._dm_backoff * self._slowdown())
            self._dm_backoff = min(self._dm_backoff * 2, self.config.dm_retry_s[1])
        return []
