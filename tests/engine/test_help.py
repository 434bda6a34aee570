"""Help requests end to end on the test mesh: arrival, operator steps, loss, bad input,
priority, size and restarts (relay.engine.help)."""

from __future__ import annotations

import functools
import random

import pytest

from relay.engine.config import EngineConfig
from relay.engine.help import (
    HELP_ACK,
    HELP_HEDGE,
    HELP_REQUEST,
    HELP_UPDATE,
    HELP_UPDATE_HEDGE,
    Case,
)
from relay.engine.hub import HubEngine
from relay.engine.hubclock import HubClock
from relay.engine.outbox import TO_HUB
from relay.engine.outputs import (
    Delivered,
    HelpRequestAccepted,
    HelpUpdateAccepted,
    HelpUpdateAcked,
    HelpUpdateIssued,
    Output,
    Priority,
    Rejected,
    Transmit,
)
from relay.engine.point import PointEngine
from relay.radio.transport import Frame
from relay.wire import envelope
from relay.wire import model as m
from relay.wire.help import (
    HelpDetails,
    HelpInputError,
    HelpReply,
    open_details,
    open_reply,
    seal_details,
)
from relay.wire.issuer import Issuer, MemoryCounter
from relay.wire.keys import PrivateKey, PublicKey
from relay.wire.seal import UnsealableError
from tests.engine.harness import HUB_NODE, World, build_world, text
from tests.wire.conftest import NOW, fixed_key

HELP_PURPOSES = (HELP_REQUEST, HELP_UPDATE, HELP_ACK)
DETAILS = HelpDetails(
    "Pythagoraslaan 2, tweede verdieping links",
    "Mevrouw (82) met thuiszuurstof, apparaat werkt niet meer sinds de stroom uitviel.",
    "Fatima El Amrani",
)


# --- helpers -------------------------------------------------------------------------


def ask(
    w: World,
    pid: int,
    details: HelpDetails = DETAILS,
    type_code: int = m.HelpType.VULNERABLE_PERSON,
    urgency: m.HelpUrgency = m.HelpUrgency.LIFE_THREATENING,
    people: int = 1,
) -> m.SignedMessage:
    box: list[m.SignedMessage] = []

    def go(now: float) -> list[Output]:
        message, outputs = w.points[pid].send_help(type_code, urgency, people, details, now)
        box.append(message)
        return outputs

    w.mesh.call(w.point_node(pid), go)
    return box[0]


def step(
    w: World,
    request: m.SignedMessage,
    state: m.HelpState,
    reply: HelpReply | None = None,
) -> m.SignedMessage:
    """The operator at the hub acts on ``request``."""
    env = request.envelope
    box: list[m.SignedMessage] = []

    def go(now: float) -> list[Output]:
        message, outputs = w.hub.help_update(env.key_id, env.seq, state, reply, now)
        box.append(message)
        return outputs

    w.mesh.call(HUB_NODE, go)
    return box[0]


def accepted_at_hub(w: World) -> list[HelpRequestAccepted]:
    return [o for o in w.mesh.outputs[HUB_NODE] if isinstance(o, HelpRequestAccepted)]


def updates_at(w: World, pid: int) -> list[HelpUpdateAccepted]:
    return [o for o in w.mesh.outputs[w.point_node(pid)] if isinstance(o, HelpUpdateAccepted)]


def help_frames(w: World, node: int) -> list[Transmit]:
    sent = [o for o in w.mesh.outputs[node] if isinstance(o, Transmit)]
    return [t for t in sent if t.purpose in HELP_PURPOSES]


def act(w: World, key: tuple[int, int], state: m.HelpState, reply: HelpReply | None = None) -> None:
    """The operator's step on request ``key`` (point key id, request number)."""

    def go(now: float) -> list[Output]:
        return w.hub.help_update(key[0], key[1], state, reply, now)[1]

    w.mesh.call(HUB_NODE, go)


def publish(hub: HubEngine, bulletin: m.Bulletin, now: float) -> list[Output]:
    return hub.issue(bulletin, now)[1]


def frame_from(node: int, raw: bytes) -> Frame:
    return Frame(raw, node, HUB_NODE)


def signed_request(
    key_seed: int,
    name: str,
    role: m.Role,
    seq: int,
    *,
    to: int,
    sealed: bytes,
    type_code: int = 1,
) -> m.SignedMessage:
    key = fixed_key(key_seed, name, role)
    body = m.HelpRequest(type_code, m.HelpUrgency.URGENT, 2, to, sealed)
    return envelope.sign(key, seq, NOW, body)


def assert_within_budget(w: World) -> None:
    limit = w.hub.config.budget_fraction * 3600
    for node, log in w.mesh.airtime_log.items():
        for start, _ in log:
            in_window = sum(a for t, a in log if start <= t < start + 3600)
            assert in_window <= limit + 1e-6, f"node {node:#x} over its airtime budget"


# --- the whole way ---------------------------------------------------------------------


def test_request_reaches_hub_and_every_operator_step_reaches_the_point() -> None:
    w = build_world(2)
    w.mesh.run(60)  # the points hear the hub's first heartbeat
    request = ask(w, 1)
    w.mesh.run(30)

    [arrived] = accepted_at_hub(w)
    assert arrived.message.raw == request.raw
    assert arrived.details == DETAILS
    assert arrived.details_error == ""
    assert arrived.sender.point_id == 1
    assert arrived.node == w.point_node(1)
    [received] = updates_at(w, 1)
    assert received.update.state is m.HelpState.RECEIVED
    assert received.reply == HelpReply()
    delivered = [o for o in w.mesh.outputs[w.point_node(1)] if isinstance(o, Delivered)]
    assert any(d.purpose == HELP_REQUEST for d in delivered)

    steps = [
        (m.HelpState.ACKNOWLEDGED, None),
        (m.HelpState.ANSWERED, HelpReply("Ambulance onderweg, verwacht 20 min.", "Kees")),
        (m.HelpState.CLOSED, None),
    ]
    for state, reply in steps:
        update = step(w, request, state, reply)
        w.mesh.run(60)
        latest = updates_at(w, 1)[-1]
        assert latest.message.raw == update.raw
        assert latest.update.state is state
        acked = w.mesh.of(HUB_NODE, HelpUpdateAcked)[-1]
        assert acked == HelpUpdateAcked(request.envelope.key_id, request.envelope.seq,
                                        update.envelope.seq)  # fmt: skip
    # The reply is sealed to the point and opened there; closing keeps the last reply.
    replies = [u.reply for u in updates_at(w, 1)]
    assert replies[2] == HelpReply("Ambulance onderweg, verwacht 20 min.", "Kees")
    assert replies[3] == replies[2]
    assert [u.update.state for u in updates_at(w, 1)] == [
        m.HelpState.RECEIVED,
        m.HelpState.ACKNOWLEDGED,
        m.HelpState.ANSWERED,
        m.HelpState.CLOSED,
    ]
    assert not updates_at(w, 2)  # the other point was never involved

    # Without loss every update goes out once: no second copy when the point's
    # acknowledgement (which is also "hearing from the point") arrives.
    payloads = [t.payload for t in help_frames(w, HUB_NODE)]
    assert len(payloads) == len(set(payloads)) == 4

    # Nothing repeats forever: hours later, not one more help frame on the air.
    sent_before = len(help_frames(w, HUB_NODE)) + len(help_frames(w, w.point_node(1)))
    w.mesh.run(4 * 3600)
    assert len(help_frames(w, HUB_NODE)) + len(help_frames(w, w.point_node(1))) == sent_before
    assert len(accepted_at_hub(w)) == 1
    assert not [n for n in w.hub._timers if n.startswith("help:")]
    assert not [n for n in w.points[1]._timers if n.startswith("help:")]


def test_the_acknowledgement_itself_does_not_bring_another_copy() -> None:
    """Hearing from a point with an unacknowledged update sends it again, but not when
    what we heard is that update's acknowledgement (it arrives late here: 20 s)."""
    w = build_world(1, config=EngineConfig(help_ack_delay_s=20.0))
    w.mesh.run(60)
    request = ask(w, 1)
    w.mesh.run(30)
    update = step(w, request, m.HelpState.ACKNOWLEDGED)
    w.mesh.run(120)
    assert w.mesh.of(HUB_NODE, HelpUpdateAcked)
    copies = [t for t in help_frames(w, HUB_NODE) if t.payload == update.raw]
    assert len(copies) == 1


def test_a_closed_request_takes_no_more_steps() -> None:
    w = build_world(1)
    w.mesh.run(60)
    request = ask(w, 1)
    w.mesh.run(30)
    step(w, request, m.HelpState.ACKNOWLEDGED)
    with pytest.raises(HelpInputError, match="acknowledged already"):
        step(w, request, m.HelpState.ACKNOWLEDGED)
    with pytest.raises(HelpInputError, match="cannot go back"):
        step(w, request, m.HelpState.RECEIVED)
    step(w, request, m.HelpState.CLOSED)
    with pytest.raises(HelpInputError, match="is closed"):
        step(w, request, m.HelpState.CLOSED, HelpReply("nog iets"))
    with pytest.raises(HelpInputError, match="no help request"):
        w.hub.help_update(request.envelope.key_id, 999, m.HelpState.CLOSED, None, w.mesh.now)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_heavy_loss_every_request_once_and_every_point_at_the_final_state(seed: int) -> None:
    """40 % of every copy lost: each request surfaces at the hub exactly once, each point
    ends holding "closed", and retries stay inside every node's airtime budget."""
    w = build_world(4, loss=0.4, seed=seed)
    w.mesh.run(300)  # with this loss the first heartbeat may need a second try
    rng = random.Random(seed)
    requests: list[m.SignedMessage] = []
    for pid in w.points:
        w.mesh.run(rng.uniform(0, 120))
        requests.append(ask(w, pid))
    if seed % 2:
        requests.append(ask(w, 1, HelpDetails("Markt 1", "Brand in schuur", "")))

    # An operator who acknowledges each request 30 s after it shows, then closes it.
    seen: dict[tuple[int, int], float] = {}
    acted: dict[tuple[int, int], m.HelpState] = {}
    for _ in range(720):  # two hours in 10-second steps
        w.mesh.run(10)
        for a in accepted_at_hub(w):
            key = (a.message.envelope.key_id, a.message.envelope.seq)
            seen.setdefault(key, w.mesh.now)
        for key, at in seen.items():
            state = acted.get(key)
            if state is None and w.mesh.now - at >= 30:
                acted[key] = m.HelpState.ACKNOWLEDGED
                act(w, key, m.HelpState.ACKNOWLEDGED)
            elif state is m.HelpState.ACKNOWLEDGED and w.mesh.now - at >= 120:
                acted[key] = m.HelpState.CLOSED
                act(w, key, m.HelpState.CLOSED, HelpReply("Afgehandeld"))

    keys = [(r.envelope.key_id, r.envelope.seq) for r in requests]
    arrivals = [(a.message.envelope.key_id, a.message.envelope.seq) for a in accepted_at_hub(w)]
    assert sorted(arrivals) == sorted(keys)  # each exactly once
    for r in requests:
        pid = next(p for p, e in w.points.items() if e.issuer.key.key_id == r.envelope.key_id)
        asked = w.points[pid].help.asked[r.envelope.seq]
        assert asked.state is m.HelpState.CLOSED
        case = w.hub.help.cases[(r.envelope.key_id, r.envelope.seq)]
        assert case.acked == case.latest.envelope.seq  # the point confirmed the last step
    assert_within_budget(w)
    # And then quiet: no help traffic in the last hour of a further two.
    w.mesh.run(2 * 3600)
    late = [t for node in w.mesh.nodes for t in help_frames(w, node)]
    before = len(late)
    w.mesh.run(3600)
    assert len([t for node in w.mesh.nodes for t in help_frames(w, node)]) == before


def test_retries_back_off_and_stay_inside_the_budget_when_the_hub_is_unreachable() -> None:
    config = EngineConfig(duty_cycle=0.01)  # a tight budget: 28.8 s per hour
    w = build_world(1, config=config)
    w.mesh.run(60)
    w.mesh.drop = lambda src, dst, payload: dst == HUB_NODE  # the hub hears nothing
    requests = [
        ask(w, 1, HelpDetails(f"Dorpsstraat {i}", "Val van trap, bloedt aan hoofd", "Piet"))
        for i in range(12)
    ]
    w.mesh.run(3 * 3600)
    tries = [t for t in help_frames(w, w.point_node(1)) if t.purpose == HELP_REQUEST]
    for r in requests:
        assert sum(t.payload == r.raw for t in tries) >= 2  # each kept being tried...
    assert_within_budget(w)  # ...never beyond the budget
    assert not accepted_at_hub(w)
    w.mesh.drop = lambda src, dst, payload: False
    w.mesh.run(3600)  # the hub is back: all arrive, once each
    assert len(accepted_at_hub(w)) == len(requests)


def queue_filler(engine: PointEngine | HubEngine, n: int, destination: int) -> None:
    """Routine frames already waiting in an outbox (status reports, repair requests)."""
    for i in range(n):
        priority = Priority.STATUS if i % 2 else Priority.CONTROL
        engine.outbox.add(b"\xa1" + bytes(180), destination=destination, priority=priority,
                          purpose="filler", want_ack=False)  # fmt: skip


def test_a_request_whose_direct_messages_all_fail_gets_through_as_a_broadcast() -> None:
    # The firmware routes direct messages along one learned next hop; when that hop is
    # weak every retry fails alike. The broadcast copy takes any relay.
    w = build_world(2)
    w.mesh.run(200)
    w.mesh.drop_dm = lambda src, dst, payload: dst == HUB_NODE
    request = ask(w, 1)
    w.mesh.run(120)
    accepted = w.mesh.of(HUB_NODE, HelpRequestAccepted)
    assert [a.message.raw for a in accepted] == [request.raw]  # type: ignore[attr-defined]
    hedges = [t for t in w.mesh.of(w.point_node(1), Transmit) if t.purpose == HELP_HEDGE]  # type: ignore[attr-defined]
    assert len(hedges) == 1 and hedges[0].destination == 0xFFFFFFFF  # type: ignore[attr-defined]


def test_an_answered_request_sends_no_broadcast_copy() -> None:
    w = build_world(2)
    w.mesh.run(200)
    ask(w, 1)
    w.mesh.run(600)
    assert w.mesh.of(HUB_NODE, HelpRequestAccepted)
    sent = [t.purpose for t in w.mesh.of(w.point_node(1), Transmit)]  # type: ignore[attr-defined]
    assert HELP_HEDGE not in sent


def test_an_update_whose_direct_messages_all_fail_reaches_the_point_as_a_broadcast() -> None:
    # The mirror of the point's hedge: the hub's direct messages to the point take one
    # learned next hop; a relay that takes them and cannot pass them on fails them all.
    w = build_world(2)
    w.mesh.run(200)
    request = ask(w, 1)
    w.mesh.run(60)
    assert updates_at(w, 1)  # "received" came the direct way
    w.mesh.drop_dm = lambda src, dst, payload: src == HUB_NODE
    update = step(w, request, m.HelpState.ACKNOWLEDGED)
    w.mesh.run(900)
    assert update.envelope.seq in [u.message.envelope.seq for u in updates_at(w, 1)]
    assert w.mesh.of(HUB_NODE, HelpUpdateAcked)
    hedges = [t for t in w.mesh.of(HUB_NODE, Transmit) if t.purpose == HELP_UPDATE_HEDGE]  # type: ignore[attr-defined]
    assert len(hedges) == 1 and hedges[0].destination == 0xFFFFFFFF  # type: ignore[attr-defined]
    # Point 2 heard that copy too: another point's update, by broadcast, is no error.
    rejected = [o for o in w.mesh.outputs[w.point_node(2)] if isinstance(o, Rejected)]
    assert not rejected


def test_an_acknowledged_update_sends_no_broadcast_copy() -> None:
    w = build_world(2)
    w.mesh.run(200)
    request = ask(w, 1)
    w.mesh.run(60)
    step(w, request, m.HelpState.ACKNOWLEDGED)
    w.mesh.run(900)
    assert w.mesh.of(HUB_NODE, HelpUpdateAcked)
    sent = [t.purpose for t in w.mesh.of(HUB_NODE, Transmit)]  # type: ignore[attr-defined]
    assert HELP_UPDATE_HEDGE not in sent


def test_help_request_goes_out_before_the_points_backlog() -> None:
    w = build_world(1)
    w.mesh.run(60)
    node = w.point_node(1)
    p = w.points[1]
    queue_filler(p, 6, TO_HUB)
    w.mesh.call(node, p.tick)  # the first filler frame goes; the rest wait their gap
    assert len([e for e in p.outbox.entries() if e.purpose == "filler" and e.pending]) == 5
    before = len(w.mesh.outputs[node])
    request = ask(w, 1)
    w.mesh.run(60)
    sent = [o for o in w.mesh.outputs[node][before:] if isinstance(o, Transmit)]
    assert sent[0].payload == request.raw
    assert sent[0].priority is Priority.HELP
    assert [t.purpose for t in sent[1:6]] == ["filler"] * 5


def test_hub_answers_help_before_its_bulletin_backlog() -> None:
    w = build_world(1)
    w.mesh.run(60)
    for i in range(15):
        bulletin = text(f"Bericht {i} " + "x" * 120)
        w.mesh.call(HUB_NODE, functools.partial(publish, w.hub, bulletin))
    w.mesh.run(1)
    ask(w, 1)
    w.mesh.run(20)
    outs = w.mesh.outputs[HUB_NODE]
    arrived = next(i for i, o in enumerate(outs) if isinstance(o, HelpRequestAccepted))
    after = [o for o in outs[arrived:] if isinstance(o, Transmit)]
    assert after[0].purpose == HELP_UPDATE
    assert "bulletin" in [t.purpose for t in after[1:]]  # the backlog was there, and waited


# --- bad input -----------------------------------------------------------------------

POINT_KEY_SEED = 11  # tests.engine.harness: point 1's key is fixed_key(10 + 1, ...)
OTHER_HUB = fixed_key(5, "hub-backup", m.Role.HUB)


def test_forged_requests_are_rejected_and_never_surface() -> None:
    w = build_world(1)
    w.mesh.run(60)
    hub_key = w.hub.issuer.key
    sealed = seal_details(fixed_key(99, "stranger", m.Role.POINT), hub_key.public, 1, DETAILS)
    uncertified = signed_request(99, "stranger", m.Role.POINT, 1, to=hub_key.key_id, sealed=sealed)
    outs = w.hub.receive(frame_from(0x3000, uncertified.raw), w.mesh.now)
    assert [o.reason for o in outs if isinstance(o, Rejected)] == ["unknown_key"]

    # A hub key may sign bulletins and updates, never a request (its certified role).
    by_hub = signed_request(2, "hub-utrecht", m.Role.HUB, 9000, to=hub_key.key_id, sealed=sealed)
    outs = w.hub.receive(frame_from(0x3000, by_hub.raw), w.mesh.now)
    assert [o.reason for o in outs if isinstance(o, Rejected)] == ["role"]
    w.mesh.run(60)
    assert not accepted_at_hub(w)
    assert not w.hub.help.cases


def test_replayed_request_is_answered_with_its_state_but_never_surfaces_twice() -> None:
    w = build_world(1)
    w.mesh.run(60)
    request = ask(w, 1)
    w.mesh.run(30)
    update = step(w, request, m.HelpState.ACKNOWLEDGED)
    w.mesh.run(60)
    assert len(accepted_at_hub(w)) == 1
    answers_before = [t for t in help_frames(w, HUB_NODE) if t.purpose == HELP_UPDATE]

    # The same bytes again, five times within seconds (a lost answer, or an attacker).
    for _ in range(5):
        w.mesh.call(
            HUB_NODE, functools.partial(w.hub.receive, frame_from(w.point_node(1), request.raw))
        )
        w.mesh.run(2)
    w.mesh.run(30)
    assert len(accepted_at_hub(w)) == 1
    answers = [t for t in help_frames(w, HUB_NODE) if t.purpose == HELP_UPDATE]
    new = answers[len(answers_before) :]
    assert [t.payload for t in new] == [update.raw]  # the current state, once per gap


def test_malformed_requests_are_rejected_with_a_reason() -> None:
    w = build_world(1)
    w.mesh.run(60)
    request = ask(w, 1)
    w.mesh.drop = lambda src, dst, payload: True  # keep the real one off the air
    node = w.point_node(1)
    raw = bytearray(request.raw)
    tampered = bytes(raw[:60]) + bytes([raw[60] ^ 0x01]) + bytes(raw[61:])  # in the sealed part
    cases = {
        "garbage": b"\xa1" + random.Random(5).randbytes(120),
        "truncated": request.raw[:-20],
        "tampered": tampered,
        "not ours": b"hello from a meshtastic user",
    }
    reasons = {}
    for name, payload in cases.items():
        outs = w.hub.receive(frame_from(node, payload), w.mesh.now)
        reasons[name] = [o.reason for o in outs if isinstance(o, Rejected)]
    # A change anywhere in a signed message breaks its signature: the hub refuses it
    # whole, and the point's own copy (retried until answered) is what gets through.
    assert all(len(r) == 1 and r[0] for r in reasons.values()), reasons
    assert reasons["tampered"] == ["bad_signature"]
    assert not accepted_at_hub(w)
    empty = w.hub.receive(frame_from(node, b""), w.mesh.now)
    assert not [o for o in empty if isinstance(o, HelpRequestAccepted)]


def test_validly_signed_request_with_an_unreadable_part_still_reaches_the_operator() -> None:
    """A point with a bug (or a newer sealing) signs a sealed part we cannot open: the
    public fields (type, urgency, people, the point) are still help someone needs."""
    w = build_world(1)
    w.mesh.run(60)
    hub_id = w.hub.issuer.key.key_id
    junk = signed_request(POINT_KEY_SEED, "np-001", m.Role.POINT, 500, to=hub_id, sealed=bytes(40))
    outs = w.hub.receive(frame_from(w.point_node(1), junk.raw), w.mesh.now)
    [arrived] = [o for o in outs if isinstance(o, HelpRequestAccepted)]
    assert arrived.details is None
    assert "does not open" in arrived.details_error
    body = arrived.message.envelope.body
    assert isinstance(body, m.HelpRequest) and body.people == 2
    assert any(isinstance(o, HelpUpdateIssued) for o in outs)  # answered, so it stops retrying


def test_request_sealed_to_another_hub_is_rejected_as_wrongly_addressed() -> None:
    w = build_world(1)
    w.mesh.run(60)
    point = fixed_key(POINT_KEY_SEED, "np-001", m.Role.POINT)
    sealed = seal_details(point, OTHER_HUB.public, 600, DETAILS)
    elsewhere = signed_request(
        POINT_KEY_SEED, "np-001", m.Role.POINT, 600, to=OTHER_HUB.key_id, sealed=sealed
    )
    outs = w.hub.receive(frame_from(w.point_node(1), elsewhere.raw), w.mesh.now)
    [rejected] = [o for o in outs if isinstance(o, Rejected)]
    assert rejected.reason == "wrongly_addressed"
    assert f"{OTHER_HUB.key_id:08x}" in rejected.detail
    assert not [o for o in outs if isinstance(o, HelpRequestAccepted | Transmit)]

    # Addressed to us but sealed to the other hub's key: the seal does not open.
    ours = signed_request(
        POINT_KEY_SEED, "np-001", m.Role.POINT, 601, to=w.hub.issuer.key.key_id, sealed=sealed
    )
    outs = w.hub.receive(frame_from(w.point_node(1), ours.raw), w.mesh.now)
    [arrived] = [o for o in outs if isinstance(o, HelpRequestAccepted)]
    assert arrived.details is None and arrived.details_error


def test_update_for_another_point_is_rejected_by_the_point() -> None:
    w = build_world(2)
    w.mesh.run(60)
    request = ask(w, 2)
    w.mesh.run(30)
    update = step(w, request, m.HelpState.ACKNOWLEDGED)
    outs = w.points[1].receive(Frame(update.raw, HUB_NODE, w.point_node(1)), w.mesh.now)
    assert [o.reason for o in outs if isinstance(o, Rejected)] == ["wrongly_addressed"]
    assert not [o for o in outs if isinstance(o, HelpUpdateAccepted)]


def test_unknown_type_from_a_newer_version_is_shown_as_other_with_its_code_kept() -> None:
    w = build_world(1)
    w.mesh.run(60)
    point = fixed_key(POINT_KEY_SEED, "np-001", m.Role.POINT)
    hub = w.hub.issuer.key
    sealed = seal_details(point, hub.public, 700, DETAILS)
    newer = signed_request(
        POINT_KEY_SEED, "np-001", m.Role.POINT, 700, to=hub.key_id, sealed=sealed, type_code=42
    )
    outs = w.hub.receive(frame_from(w.point_node(1), newer.raw), w.mesh.now)
    [arrived] = [o for o in outs if isinstance(o, HelpRequestAccepted)]
    body = arrived.message.envelope.body
    assert isinstance(body, m.HelpRequest)
    assert body.type is m.HelpType.OTHER
    assert body.type_code == 42
    assert arrived.details == DETAILS


def test_another_point_cannot_open_the_personal_part() -> None:
    """The privacy claim: every point hears the request (one channel key for all), but
    only the hub (and the sender) can open what is sealed in it."""
    w = build_world(3)
    w.mesh.run(60)
    request = ask(w, 1)
    w.mesh.run(30)
    body = request.envelope.body
    assert isinstance(body, m.HelpRequest)
    hub = w.hub.issuer.key
    point = w.points[1].issuer.key
    third = w.points[3].issuer.key
    seq = request.envelope.seq

    def opened(own: PrivateKey, peer: PublicKey) -> HelpDetails:
        return open_details(
            own, peer, point_id=point.key_id, hub_id=hub.key_id, seq=seq, sealed=body.sealed
        )

    assert opened(hub, point.public) == DETAILS
    assert opened(point, hub.public) == DETAILS  # the sender reads it back
    for peer in (point.public, hub.public):
        with pytest.raises(UnsealableError):
            opened(third, peer)
    for word in ("Pythagoraslaan", "zuurstof", "Fatima"):
        assert word.encode() not in request.raw
    reply = HelpReply("Wijkagent komt langs", "Kees")
    update = step(w, request, m.HelpState.ANSWERED, reply)
    ubody = update.envelope.body
    assert isinstance(ubody, m.HelpUpdate)
    uids = {"hub_id": hub.key_id, "point_id": point.key_id, "seq": update.envelope.seq}
    assert open_reply(point, hub.public, **uids, sealed=ubody.sealed) == reply
    with pytest.raises(UnsealableError):
        open_reply(third, hub.public, **uids, sealed=ubody.sealed)


# --- size ----------------------------------------------------------------------------

DUTCH = (
    "Mevrouw van 82 met thuiszuurstof, het apparaat werkt niet meer sinds de stroom is "
    "uitgevallen en de accu is bijna leeg. Zij is benauwd en verward. Buren zijn bij haar. "
    "Graag een ambulance of een aggregaat naar het adres sturen, de voordeur is open."
)[:200]
DUTCH_PLACE = "Pythagoraslaan 2, 3584 BB Utrecht, achteringang bij de fietsenstalling, 2e etage"


def most_that_fits(w: World, location: str, text_: str) -> int:
    """Characters of location + text of the longest request that fits one frame."""
    best = 0
    for n in range(1, len(location) + len(text_) + 1):
        details = HelpDetails(location[:n], text_[: max(0, n - len(location))], "")
        try:
            ask(w, 1, details)
        except HelpInputError:
            break
        best = n
    return best


def test_a_request_too_big_for_one_frame_is_refused_before_signing() -> None:
    w = build_world(1)
    w.mesh.run(60)
    p = w.points[1]
    rng = random.Random(3)
    noise = "".join(rng.choice("qxzjkvwy0123456789QXZ#") for _ in range(300))
    counter, queued = p.issuer.counter.current(), len(p.outbox.entries())
    with pytest.raises(HelpInputError, match="one radio frame holds 219") as err:  # a PKI DM
        ask(w, 1, HelpDetails(noise[:100], noise[100:300], ""))
    assert "bytes too many" in str(err.value)
    assert p.issuer.counter.current() == counter  # nothing signed, no number used
    assert len(p.outbox.entries()) == queued
    with pytest.raises(HelpInputError, match="location: 101 characters"):
        ask(w, 1, HelpDetails("x" * 101, "", ""))
    with pytest.raises(HelpInputError, match="needs a location or a description"):
        ask(w, 1, HelpDetails("", "", "Piet"))
    with pytest.raises(HelpInputError, match="people"):
        ask(w, 1, people=-1)

    # What fits: Dutch compresses well (the codec's dictionary), random text does not. A
    # direct message loses 12 bytes to the firmware's PKI encryption (219 of ours), so the
    # longest Dutch example (280 characters) no longer quite fits; 250 always do.
    assert most_that_fits(w, DUTCH_PLACE, DUTCH) >= 250
    assert 90 <= most_that_fits(w, noise[:100], noise[100:300]) < 130


# --- restarts ------------------------------------------------------------------------


def restarted_point(w: World, pid: int) -> PointEngine:
    """A new engine for point ``pid`` with what its store would give back."""
    old = w.points[pid]
    engine = PointEngine(
        old.config,
        Issuer(
            old.issuer.key,
            old.issuer.certificate,
            MemoryCounter(old.issuer.counter.current()),
            lambda: 0,
        ),
        old.keyring,
        HubClock(),
        random.Random(77),
        point_id=pid,
    )
    node = w.point_node(pid)
    for seq, asked in old.help.asked.items():
        del seq
        engine.help.restore(asked.message, asked.latest_update, asked.state)
    w.points[pid] = engine
    w.mesh.nodes[node] = engine
    w.mesh.bring_online(node)
    return engine


def test_point_restart_before_any_answer_sends_the_request_once_more() -> None:
    w = build_world(1)
    w.mesh.run(60)
    w.mesh.drop = lambda src, dst, payload: dst == HUB_NODE
    request = ask(w, 1)
    w.mesh.run(30)
    restarted_point(w, 1)
    w.mesh.drop = lambda src, dst, payload: False
    w.mesh.run(900)  # it learns the hub's node from the next heartbeat, then sends
    [arrived] = accepted_at_hub(w)
    assert arrived.message.raw == request.raw  # the same signed bytes
    assert w.points[1].help.asked[request.envelope.seq].state is m.HelpState.RECEIVED


def test_point_restart_after_the_hub_had_it_does_not_duplicate() -> None:
    w = build_world(1)
    w.mesh.run(60)
    w.mesh.drop = lambda src, dst, payload: src == HUB_NODE and dst != 0xFFFFFFFF
    request = ask(w, 1)
    w.mesh.run(40)  # the hub has it; its answers do not come through
    assert len(accepted_at_hub(w)) == 1
    restarted_point(w, 1)
    w.mesh.drop = lambda src, dst, payload: False
    w.mesh.run(900)
    assert len(accepted_at_hub(w)) == 1
    assert w.points[1].help.asked[request.envelope.seq].state is m.HelpState.RECEIVED

    # Restarted again once the hub answered: nothing goes out again.
    frames = len(help_frames(w, w.point_node(1)))
    restarted_point(w, 1)
    w.mesh.run(900)
    assert [t.purpose for t in help_frames(w, w.point_node(1))[frames:]] == []


def test_hub_restart_keeps_sending_the_unacknowledged_step_and_does_not_duplicate() -> None:
    w = build_world(1)
    w.mesh.run(60)
    request = ask(w, 1)
    w.mesh.run(30)
    w.mesh.drop = lambda src, dst, payload: dst == HUB_NODE  # the point's acks get lost
    update = step(w, request, m.HelpState.ANSWERED, HelpReply("Brandweer komt", "Kees"))
    w.mesh.run(20)
    [arrived] = accepted_at_hub(w)
    issued = [o for o in w.mesh.outputs[HUB_NODE] if isinstance(o, HelpUpdateIssued)][-1]
    assert issued.message.raw == update.raw

    old = w.hub
    hub = HubEngine(
        old.config,
        Issuer(
            old.issuer.key,
            old.issuer.certificate,
            MemoryCounter(old.issuer.counter.current()),
            lambda: NOW,
        ),
        old.keyring,
        HubClock.authoritative(NOW),
        random.Random(78),
        old.replay.__class__.restore(old.replay.snapshot()),
    )
    env = request.envelope
    case = Case(
        env.key_id,
        env.seq,
        arrived.sender.point_id,
        arrived.node,
        issued.message,
        issued.update.state,
        issued.reply,
        hub.config.help_update_retry_s[0],
    )
    w.mesh.drop = lambda src, dst, payload: False
    w.hub = hub
    w.mesh.nodes[HUB_NODE] = hub
    hub.help.restore(case, w.mesh.now)
    w.mesh.bring_online(HUB_NODE)
    w.mesh.run(120)
    [acked] = w.mesh.of(HUB_NODE, HelpUpdateAcked)
    assert acked.update_seq == update.envelope.seq  # type: ignore[attr-defined]
    assert w.points[1].help.asked[env.seq].state is m.HelpState.ANSWERED

    # The point's old request arriving again is answered, not a new case.
    w.mesh.call(HUB_NODE, functools.partial(hub.receive, frame_from(w.point_node(1), request.raw)))
    w.mesh.run(60)
    assert len(accepted_at_hub(w)) == 1
    step(w, request, m.HelpState.CLOSED)
    w.mesh.run(60)
    assert w.points[1].help.asked[env.seq].state is m.HelpState.CLOSED
