"""Help requests in the engines: a point's line to the control room, and the hub's end.

Point (:class:`PointDesk`):

* A request is sealed to the hub's key, signed, and queued as a direct message at
  :attr:`Priority.HELP`, ahead of everything in our own outbox (the relays in between
  run Meshtastic firmware and keep their own order; we cannot reorder those).
* It is sent again, the same bytes, until the hub's first update arrives: after
  ``help_retry_s`` (doubling), sooner when the radio reports it undelivered. The outbox
  keeps every frame inside the airtime budget, retries included.
* Every update after "received" is acknowledged with a small :class:`HelpAck` (updates
  arriving close together share one); a repeated update is acknowledged again, since the
  first acknowledgement may have been lost.

Hub (:class:`HubDesk`):

* Every arrival of a request, repeats included, is answered with the request's current
  state (its newest signed update, re-sent byte for byte): idempotent, so a point that
  missed the answer just asks again. A repeat is answered at most once per
  ``help_answer_gap_s``.
* Operator steps (acknowledged, answered with a reply, closed) become new updates, each
  carrying the whole state, sent until the point acknowledges them (``help_update_retry_s``,
  doubling); hearing anything from the point sends an unacknowledged update at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from relay.airtime import MAX_PKI_DM_PAYLOAD
from relay.engine.base import Engine
from relay.engine.outbox import TO_HUB, Entry, Outbox
from relay.engine.outputs import (
    Delivered,
    HelpRequestAccepted,
    HelpUpdateAccepted,
    HelpUpdateAcked,
    HelpUpdateIssued,
    Output,
    Priority,
    Rejected,
)
from relay.errors import CorruptError
from relay.link import BROADCAST
from relay.wire import envelope, schema
from relay.wire.help import (
    HelpDetails,
    HelpInputError,
    HelpReply,
    open_details,
    open_reply,
    seal_details,
    seal_reply,
)
from relay.wire.keys import PublicKey, format_key_id
from relay.wire.model import (
    Envelope,
    HelpAck,
    HelpRequest,
    HelpState,
    HelpUpdate,
    HelpUrgency,
    Kind,
    Role,
    SignedMessage,
)
from relay.wire.seal import UnsealableError
from relay.wire.trust import Verified

log = logging.getLogger(__name__)

HELP_REQUEST = "help-request"
HELP_UPDATE = "help-update"
#: A broadcast copy of an update the point has not acknowledged (the hub's hedge).
HELP_UPDATE_HEDGE = "help-update-hedge"
HELP_ACK = "help-ack"
HELP_HEDGE = "help-hedge"
TIMER_PREFIX = "help:"
ACK_TIMER = "help:ack"
HEDGE_PREFIX = "help:hedge:"
#: Most update numbers one acknowledgement carries.
MAX_ACKS = 32
#: Hub: after hearing from a point with an unacknowledged update, send it this soon.
HEARD_DELAY_S = 1.0


def is_help_timer(name: str) -> bool:
    return name.startswith(TIMER_PREFIX)


def _broadcast_copy(outbox: Outbox, raw: bytes, purpose: str, key_id: int, seq: int) -> None:
    """A hedge: a broadcast copy of a direct message whose answer is overdue. Every relay
    that hears it passes it on, whatever next hop the direct message took; no firmware
    ack is asked for, since the other side's answer (or acknowledgement) is the proof."""
    outbox.add(
        raw,
        destination=BROADCAST,
        priority=Priority.HELP,
        purpose=purpose,
        want_ack=False,
        key_id=key_id,
        seq=seq,
    )


def _wrongly_addressed(what: str, to: int, own: int, node: int) -> Rejected:
    detail = f"{what} is sealed for key {format_key_id(to)}, not for ours ({format_key_id(own)})"
    return Rejected("wrongly_addressed", detail, node)


# --- the point's side --------------------------------------------------------------------


@dataclass
class _Asked:
    """One of our requests, as far as the engine needs it."""

    message: SignedMessage
    backoff: float
    #: Hub sequence number of the newest update for it (0: none yet).
    latest_update: int = 0
    state: HelpState = HelpState.UNKNOWN

    @property
    def answered(self) -> bool:
        return self.latest_update > 0


class PointDesk:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.asked: dict[int, _Asked] = {}
        self._to_ack: set[int] = set()

    @property
    def _key_id(self) -> int:
        return self.engine.issuer.key.key_id

    def hub_key(self) -> PublicKey:
        """The hub key requests are sealed to: the hub we hear, else the newest hub
        certificate in the keyring."""
        ring = self.engine.keyring
        hub_key_id = self.engine.hub_key_id
        if hub_key_id is not None:
            heard = ring.principal(hub_key_id)
            if heard is not None and heard.role is Role.HUB:
                return heard.key
        hubs = [p for p in ring.principals() if p.role is Role.HUB]
        if not hubs:
            raise HelpInputError("no hub certificate in the keyring: cannot seal a help request")
        return max(hubs, key=lambda p: p.valid_until).key

    def send(
        self,
        type_code: int,
        urgency: HelpUrgency,
        people: int,
        details: HelpDetails,
        now: float,
    ) -> SignedMessage:
        """Seal, sign and queue a help request; refused (nothing signed) if it cannot fit
        one radio frame."""
        details = details.checked()
        if not 0 <= people <= 10_000:
            raise HelpInputError(f"people: {people} is not a number of people")
        hub = self.hub_key()
        issuer = self.engine.issuer

        def build(seq: int) -> HelpRequest:
            sealed = seal_details(issuer.key, hub, seq, details)
            return HelpRequest(type_code, urgency, people, hub.key_id, sealed)

        at = self.engine.clock.now(now) or 0
        probe = Envelope(self._key_id, issuer.counter.current() + 1, at, build(0))
        self._check_fits(1 + len(schema.envelope_to_bytes(probe)) + envelope.SIGNATURE_BYTES)
        message = issuer.issue_built(Kind.HELP_REQUEST, build, at=at)
        self._check_fits(len(message.raw))
        seq = message.envelope.seq
        self.asked[seq] = _Asked(message, self.engine.config.help_retry_s[0])
        self._queue(seq, now)
        hedge = self.engine.config.help_hedge_s
        if hedge is not None:
            self.engine._set_timer(f"{HEDGE_PREFIX}{seq}", now + hedge)
        return message

    def _check_fits(self, size: int) -> None:
        # A request is a direct message: the firmware PKI-encrypts it (12 more bytes).
        most = min(self.engine.config.max_payload, MAX_PKI_DM_PAYLOAD)
        if size > most:
            raise HelpInputError(
                f"the help request needs {size} bytes and one radio frame holds {most}: "
                f"shorten the location or the description ({size - most} bytes too many)"
            )

    def restore(self, message: SignedMessage, latest_update: int, state: HelpState) -> None:
        """After a restart: one of our requests from the store."""
        seq = message.envelope.seq
        self.asked[seq] = _Asked(message, self.engine.config.help_retry_s[0], latest_update, state)

    def start(self, now: float) -> None:
        """After a restart: requests the hub never answered go out again at once."""
        for seq, asked in self.asked.items():
            if not asked.answered:
                self._queue(seq, now)

    def _queue(self, seq: int, now: float) -> None:
        asked = self.asked[seq]
        engine = self.engine
        entry = engine.outbox.find(HELP_REQUEST, self._key_id, seq)
        if entry is None:  # not waiting already, nor with the radio
            engine.outbox.add(
                asked.message.raw,
                destination=TO_HUB,
                priority=Priority.HELP,
                purpose=HELP_REQUEST,
                want_ack=True,
                key_id=self._key_id,
                seq=seq,
            )
        delay = asked.backoff * engine._jitter((0.8, 1.2))
        engine._set_timer(f"{TIMER_PREFIX}{seq}", now + delay, earliest=False)
        asked.backoff = min(asked.backoff * 2, engine.config.help_retry_s[1])

    def on_timer(self, name: str, now: float) -> list[Output]:
        if name == ACK_TIMER:
            self._send_acks(now)
            return []
        if name.startswith(HEDGE_PREFIX):
            self._hedge(int(name.removeprefix(HEDGE_PREFIX)))
            return []
        seq = int(name.removeprefix(TIMER_PREFIX))
        asked = self.asked.get(seq)
        if asked is None or asked.answered:
            return []
        entry = self.engine.outbox.find(HELP_REQUEST, self._key_id, seq)
        if entry is not None:
            # Still waiting for its turn (the hub's node unknown, the budget spent), or
            # with the radio, whose own retransmissions are still running: wait.
            delay = asked.backoff * self.engine._jitter((0.8, 1.2))
            self.engine._set_timer(name, now + delay)
            return []
        log.info("help request #%d unanswered: sending it again", seq)
        self._queue(seq, now)
        return []

    def _hedge(self, seq: int) -> None:
        """No answer yet: send a copy as a broadcast as well. A direct message follows the
        one next hop the firmware learned for the hub; when that hop's link is weak, every
        retry fails the same way, while a broadcast is passed on by every relay that
        hears it. Help requests are rare, so the extra frame is cheap."""
        asked = self.asked.get(seq)
        if (
            asked is None
            or asked.answered
            or self.engine.outbox.find(HELP_HEDGE, self._key_id, seq)
        ):
            return
        log.info("help request #%d unanswered: a broadcast copy as well", seq)
        _broadcast_copy(self.engine.outbox, asked.message.raw, HELP_HEDGE, self._key_id, seq)

    def on_completed(self, entry: Entry, now: float) -> list[Output]:
        if entry.purpose == HELP_REQUEST:
            return [Delivered(HELP_REQUEST, entry.key_id, entry.seq, entry.id)]
        return []

    def on_failed(self, entry: Entry, now: float) -> None:
        if entry.purpose != HELP_REQUEST:
            return
        asked = self.asked.get(entry.seq)
        if asked is not None and not asked.answered:
            # Not acknowledged by the hub's radio: try again soon (the outbox keeps it
            # inside the airtime budget; the back-off grows with every try).
            soon = now + self.engine._jitter(self.engine.config.help_failed_retry_s)
            self.engine._set_timer(f"{TIMER_PREFIX}{entry.seq}", soon)

    def on_update(
        self, v: Verified, body: HelpUpdate, node: int, now: float, *, broadcast: bool = False
    ) -> list[Output]:
        """An update of one of our requests. ``broadcast``: it came as the hub's broadcast
        copy, which every point hears: another point's is not an error then."""
        env = v.message.envelope
        if body.point != self._key_id:
            if broadcast:
                return []
            return [_wrongly_addressed(f"help update #{env.seq}", body.point, self._key_id, node)]
        reply: HelpReply | None
        try:
            reply = open_reply(
                self.engine.issuer.key,
                v.sender.key,
                hub_id=env.key_id,
                point_id=self._key_id,
                seq=env.seq,
                sealed=body.sealed,
            )
        except (UnsealableError, CorruptError) as err:
            log.warning("reply in help update #%d does not open: %s", env.seq, err)
            reply = None
        out: list[Output] = []
        asked = self.asked.get(body.request)
        if asked is None:
            log.warning("help update #%d for request #%d we do not know", env.seq, body.request)
        elif env.seq > asked.latest_update:
            asked.latest_update, asked.state = env.seq, body.state
            self.engine._clear_timer(f"{TIMER_PREFIX}{body.request}")
            entry = self.engine.outbox.find(HELP_REQUEST, self._key_id, body.request)
            if entry is not None and entry.pending and not entry.in_flight:
                self.engine.outbox.remove(entry.id)  # answered: no need to send it again
            out.append(HelpUpdateAccepted(v.message, body, reply))
        if body.state is not HelpState.RECEIVED:
            self._to_ack.add(env.seq)
            self.engine._set_timer(ACK_TIMER, now + self.engine.config.help_ack_delay_s)
        return out

    def _send_acks(self, now: float) -> None:
        if not self._to_ack:
            return
        updates = tuple(sorted(self._to_ack)[:MAX_ACKS])
        self._to_ack.difference_update(updates)
        message = self.engine.issuer.issue(HelpAck(updates), at=self.engine.clock.now(now) or 0)
        self.engine.outbox.add(
            message.raw,
            destination=TO_HUB,
            priority=Priority.HELP,
            purpose=HELP_ACK,
            want_ack=True,
        )
        if self._to_ack:
            self.engine._set_timer(ACK_TIMER, now + self.engine.config.help_ack_delay_s)


# --- the hub's side ----------------------------------------------------------------------


@dataclass
class Case:
    """A request at the hub: where to answer, and its current state."""

    point_key: int
    request: int
    point_id: int
    node: int
    latest: SignedMessage
    state: HelpState
    reply: HelpReply
    backoff: float
    #: Highest update number the point acknowledged.
    acked: int = 0
    last_answer: float = -1e9
    #: The update a broadcast copy went out for.
    hedged: int = 0

    @property
    def key(self) -> tuple[int, int]:
        return self.point_key, self.request

    @property
    def timer(self) -> str:
        return f"{TIMER_PREFIX}{self.point_key:08x}:{self.request}"

    @property
    def unacknowledged(self) -> bool:
        """The newest update must reach the point (a bare "received" needs no ack: the
        point asks again when it missed it)."""
        return self.state is not HelpState.RECEIVED and self.acked < self.latest.envelope.seq


class HubDesk:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.cases: dict[tuple[int, int], Case] = {}
        self._by_update: dict[int, tuple[int, int]] = {}

    @property
    def _key_id(self) -> int:
        return self.engine.issuer.key.key_id

    # --- requests ---------------------------------------------------------------------

    def on_request(self, v: Verified, body: HelpRequest, node: int, now: float) -> list[Output]:
        env = v.message.envelope
        if body.to != self._key_id:
            return [_wrongly_addressed(f"help request #{env.seq}", body.to, self._key_id, node)]
        case = self.cases.get((env.key_id, env.seq))
        if case is not None:
            case.node = node  # answer along the path it came last
            self._answer(case, now)
            return []
        details: HelpDetails | None = None
        error = ""
        try:
            details = open_details(
                self.engine.issuer.key,
                v.sender.key,
                point_id=env.key_id,
                hub_id=self._key_id,
                seq=env.seq,
                sealed=body.sealed,
            )
        except (UnsealableError, CorruptError) as err:
            error = str(err)
            log.warning(
                "help request #%d from %s: personal part unreadable: %s",
                env.seq,
                v.sender.name,
                err,
            )
        out: list[Output] = [HelpRequestAccepted(v.message, v.sender, node, details, error)]
        update, issued = self._sign(env.key_id, env.seq, HelpState.RECEIVED, HelpReply(), now)
        case = Case(
            env.key_id,
            env.seq,
            v.sender.point_id,
            node,
            update,
            HelpState.RECEIVED,
            HelpReply(),
            self.engine.config.help_update_retry_s[0],
        )
        self.cases[case.key] = case
        self._by_update[update.envelope.seq] = case.key
        self._answer(case, now)
        return [*out, issued]

    def _sign(
        self, point_key: int, request: int, state: HelpState, reply: HelpReply, now: float
    ) -> tuple[SignedMessage, HelpUpdateIssued]:
        point = self.engine.keyring.principal(point_key)
        if point is None:
            raise HelpInputError(f"no certificate for point key {format_key_id(point_key)}")
        issuer = self.engine.issuer

        def build(seq: int) -> HelpUpdate:
            return HelpUpdate(
                point_key, request, state, seal_reply(issuer.key, point.key, seq, reply)
            )

        message = issuer.issue_built(Kind.HELP_UPDATE, build, at=self.engine.clock.now(now))
        body = message.envelope.body
        assert isinstance(body, HelpUpdate)
        return message, HelpUpdateIssued(message, body, reply)

    def _answer(self, case: Case, now: float, *, force: bool = False) -> None:
        """Send the request's newest update to the point (unless it is on its way)."""
        if not force and now - case.last_answer < self.engine.config.help_answer_gap_s:
            return
        seq = case.latest.envelope.seq
        entry = self.engine.outbox.find(HELP_UPDATE, self._key_id, seq)
        if entry is not None and entry.destination == case.node:
            # Waiting, or with the radio (whose own retransmissions are still running):
            # a second copy would only compete with the first for the hub's airtime.
            return
        case.last_answer = now
        self.engine.outbox.add(
            case.latest.raw,
            destination=case.node,
            priority=Priority.HELP,
            purpose=HELP_UPDATE,
            want_ack=True,
            key_id=self._key_id,
            seq=seq,
        )

    # --- operator steps ---------------------------------------------------------------

    def update(
        self,
        point_key: int,
        request: int,
        state: HelpState,
        reply: HelpReply | None,
        now: float,
    ) -> tuple[SignedMessage, list[Output]]:
        """An operator's step: acknowledged, answered (with a reply) or closed."""
        case = self.cases.get((point_key, request))
        if case is None:
            raise HelpInputError(
                f"no help request {format_key_id(point_key)}/{request} at this hub"
            )
        if case.state is HelpState.CLOSED:
            raise HelpInputError(f"help request {format_key_id(point_key)}/{request} is closed")
        if state < case.state or state is HelpState.UNKNOWN:
            raise HelpInputError(
                f"help request {format_key_id(point_key)}/{request} is {case.state.name.lower()}"
                f"; it cannot go back to {state.name.lower()}"
            )
        new_reply = reply.checked() if reply else case.reply
        if state == case.state and new_reply == case.reply:
            raise HelpInputError(
                f"help request {format_key_id(point_key)}/{request} is {state.name.lower()} already"
            )
        message, issued = self._sign(point_key, request, state, new_reply, now)
        case.latest, case.state, case.reply = message, state, new_reply
        case.backoff = self.engine.config.help_update_retry_s[0]
        self._by_update[message.envelope.seq] = case.key
        self._answer(case, now, force=True)
        self._arm(case, now)
        return message, [issued]

    def _arm(self, case: Case, now: float) -> None:
        if not case.unacknowledged:
            self.engine._clear_timer(case.timer)
            return
        delay = case.backoff * self.engine._jitter((0.8, 1.2))
        self.engine._set_timer(case.timer, now + delay, earliest=False)
        case.backoff = min(case.backoff * 2, self.engine.config.help_update_retry_s[1])

    def on_timer(self, name: str, now: float) -> list[Output]:
        for case in self.cases.values():
            if case.timer == name and case.unacknowledged:
                log.info(
                    "help update #%d unacknowledged: sending it again", case.latest.envelope.seq
                )
                self._answer(case, now, force=True)
                self._hedge(case)
                self._arm(case, now)
        return []

    def _hedge(self, case: Case) -> None:
        """Still unacknowledged when the first retry is due: a broadcast copy as well, once
        per update (the mirror of the point's hedge). The direct message follows the one
        next hop the firmware learned towards the point; a relay that takes it counts as
        delivered, and when that relay's link to the point is weak every retry fails alike:
        in the help bench (region, LONG_FAST, 40 seeds) 2 of 480 operator steps never
        reached their point, an edge point, in 15 minutes of retries. With one broadcast
        copy all 480 did. The reply inside is sealed to the point; every relay passes the
        copy on. A copy on every retry cost the requests' p95 time to the hub 7-80 s."""
        seq = case.latest.envelope.seq
        if case.hedged == seq:
            return
        case.hedged = seq
        log.info("help update #%d unacknowledged: a broadcast copy as well", seq)
        _broadcast_copy(self.engine.outbox, case.latest.raw, HELP_UPDATE_HEDGE, self._key_id, seq)

    # --- acknowledgements and contact -------------------------------------------------

    def on_ack(self, v: Verified, body: HelpAck, now: float) -> list[Output]:
        out: list[Output] = []
        for seq in body.updates:
            key = self._by_update.get(seq)
            case = self.cases.get(key) if key else None
            if case is None or case.point_key != v.message.envelope.key_id:
                continue  # not an update of this point's requests
            if seq > case.acked:
                case.acked = seq
                out.append(HelpUpdateAcked(case.point_key, case.request, seq))
                self._arm(case, now)
        return out

    def heard_from(self, point_key: int, node: int, now: float) -> None:
        """Anything from a point with an unacknowledged update: it is reachable now."""
        for case in self.cases.values():
            if case.point_key == point_key and case.unacknowledged:
                case.node = node
                if now - case.last_answer >= self.engine.config.help_answer_gap_s:
                    # Soon rather than now: the message we heard may be the very
                    # acknowledgement of this update (handled right after this call).
                    self.engine._set_timer(case.timer, now + HEARD_DELAY_S)

    def restore(self, case: Case, now: float) -> None:
        """After a restart: a request from the store, with its newest update."""
        self.cases[case.key] = case
        self._by_update[case.latest.envelope.seq] = case.key
        if case.unacknowledged:
            self._answer(case, now, force=True)
            self._arm(case, now)
