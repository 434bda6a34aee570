"""Help requests end to end on the test mesh: arrival, operator steps, loss, bad input,
priority, size and restarts (relay.engine.help)."""

from __future__ import annotations

import random

import pytest

from relay.engine.config import EngineConfig
from relay.engine.help import HELP_ACK, HELP_REQUEST, HELP_UPDATE, Case
from relay.engine.hub import HubEngine
from relay.engine.hubclock import HubClock
from relay.engine.outbox import TO_HUB
from relay.engine.outputs import (
    Priority,
    Delivered,
    HelpRequestAccepted,
    HelpUpdateAccepted,
    HelpUpdateAcked,
    HelpUpdateIssued,
    Output,
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
from relay.wire.seal import UnsealableError
from tests.engine.harness import HUB_NODE, World, build_world, certify, text
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
    return [
        o
        for o in w.mesh.outputs[node]
        if isinstance(o, Transmit) and o.purpose in HELP_PURPOSES
    ]


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
    assert any(d.purpose == HELP_REQUEST for d in w.mesh.of(w.point_node(1), Delivered))

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

    # Nothing repeats forever: hours later, not one more help frame on the air.
    sent_before = len(help_frames(w, HUB_NODE)) + len(help_frames(w, w.point_node(1)))
    w.mesh.run(4 * 3600)
    assert len(help_frames(w, HUB_NODE)) + len(help_frames(w, w.point_node(1))) == sent_before
    assert len(accepted_at_hub(w)) == 1
    assert not [n for n in w.hub._timers if n.startswith("help:")]
    assert not [n for n in w.points[1]._timers if n.startswith("help:")]


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
                w.mesh.call(HUB_NODE, lambda now, k=key: w.hub.help_update(*k, m.HelpState.ACKNOWLEDGED, None, now)[1])  # fmt: skip
            elif state is m.HelpState.ACKNOWLEDGED and w.mesh.now - at >= 120:
                acted[key] = m.HelpState.CLOSED
                w.mesh.call(HUB_NODE, lambda now, k=key: w.hub.help_update(*k, m.HelpState.CLOSED, HelpReply("Afgehandeld"), now)[1])  # fmt: skip

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
        w.mesh.call(HUB_NODE, lambda now, i=i: w.hub.issue(text(f"Bericht {i} " + "x" * 120), now)[1])  # fmt: skip
    w.mesh.run(1)
    ask(w, 1)
    w.mesh.run(20)
    outs = w.mesh.outputs[HUB_NODE]
    arrived = next(i for i, o in enumerate(outs) if isinstance(o, HelpRequestAccepted))
    after = [o for o in outs[arrived:] if isinstance(o, Transmit)]
    assert after[0].purpose == HELP_UPDATE
    assert "bulletin" in [t.purpose for t in after[1:]]  # the backlog was there, and waited
