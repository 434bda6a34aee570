"""Local repair: a point passes the hub's bulletin on to a neighbour the hub cannot reach."""

from __future__ import annotations

import random

from relay.engine.catalogue import BulletinRecord
from relay.engine.config import EngineConfig
from relay.engine.neighbours import Answer, Carry, NeighbourAid
from relay.engine.outputs import BulletinAccepted, HubHeard, StatusAccepted, Transmit
from relay.engine.point import NEIGHBOUR_ANSWER, NEIGHBOUR_CARRY
from relay.wire import envelope, statusframe
from relay.wire import model as m
from tests.engine.harness import HUB_NODE, World, build_world, text
from tests.engine.test_delivery import held, publish
from tests.wire.conftest import NOW, fixed_key


def _is_bulletin(payload: bytes) -> bool:
    try:
        return envelope.parse(payload).kind is m.Kind.BULLETIN
    except Exception:
        return False


def _cut_off(w: World, pid: int) -> None:
    """The hub's bulletins never reach ``pid`` and nothing ``pid`` sends reaches the
    hub (a weak link to the relays); heartbeats and the neighbours are heard."""
    node = w.point_node(pid)

    def drop(src: int, dst: int, payload: bytes) -> bool:
        if src == node and dst == HUB_NODE:
            return True
        return src == HUB_NODE and dst == node and _is_bulletin(payload)

    w.mesh.drop = drop


def _answers(w: World) -> dict[int, list[Transmit]]:
    out: dict[int, list[Transmit]] = {}
    for pid in w.points:
        sent = w.mesh.of(w.point_node(pid), Transmit)
        out[pid] = [t for t in sent if isinstance(t, Transmit) and t.purpose == NEIGHBOUR_ANSWER]
    return out


def test_a_neighbour_passes_on_what_the_hub_cannot_deliver() -> None:
    w = build_world(3)
    w.mesh.hops = 0  # everyone hears everyone directly
    w.mesh.run(200)
    _cut_off(w, 3)
    msg = publish(w, text("Drinkwater bij sporthal De Vliert"))
    w.mesh.run(1800)
    assert msg.envelope.seq in held(w, 3)
    answers = _answers(w)
    # One neighbour answered; the other heard that copy and kept quiet.
    assert sum(len(a) for a in answers.values()) == 1
    (answer,) = answers[1] + answers[2]
    assert answer.hop_limit == 0 and not answer.want_ack
    assert answer.payload == msg.raw  # the hub's bytes, unchanged
    # The copy came from a point: it says nothing about the hub's node or contact.
    point = w.points[3]
    assert point.hub is not None and point.hub.node == HUB_NODE
    heard_from = {o.node for o in w.mesh.of(w.point_node(3), HubHeard)}  # type: ignore[attr-defined]
    assert heard_from == {HUB_NODE}
    # The hub ignores its own bulletin coming back from a point.
    assert not w.mesh.of(HUB_NODE, BulletinAccepted)


def test_no_neighbour_answers_when_the_hub_does() -> None:
    w = build_world(4)
    w.mesh.hops = 0
    w.mesh.run(200)
    lost = {"n": 0}

    def lose_first_copy_at_point_1(src: int, dst: int, payload: bytes) -> bool:
        if src == HUB_NODE and dst == w.point_node(1) and _is_bulletin(payload):
            lost["n"] += 1
            return lost["n"] == 1
        return False

    w.mesh.drop = lose_first_copy_at_point_1
    msg = publish(w, text("Kookadvies voor Houten"))
    w.mesh.run(1800)
    assert all(msg.envelope.seq in held(w, p) for p in w.points)
    assert not any(_answers(w).values())  # the hub's answer came first and served


def test_requests_relayed_from_further_away_are_left_to_the_hub() -> None:
    w = build_world(3)
    w.mesh.hops = 1  # every frame came through a relay: no one is a direct neighbour
    w.mesh.run(200)
    _cut_off(w, 3)
    msg = publish(w, text("Noodsteunpunt open"))
    w.mesh.run(1800)
    assert msg.envelope.seq not in held(w, 3)
    assert not any(_answers(w).values())


# --- the rules, on NeighbourAid itself ---------------------------------------------


def _record(seq: int) -> BulletinRecord:
    hub = fixed_key(2, "hub-utrecht", m.Role.HUB)
    bulletin = text(f"Bericht {seq}")
    return BulletinRecord(envelope.sign(hub, seq, NOW, bulletin), bulletin, True)


def _seqs(due: list[Answer | Carry]) -> list[int]:
    return [a.message.envelope.seq for a in due if isinstance(a, Answer)]


def _aid(**kw: object) -> NeighbourAid:
    config = EngineConfig(neighbour_delay_s=(30.0, 30.0), **kw)  # type: ignore[arg-type]
    rng = random.Random(1)
    return NeighbourAid(config, lambda r: rng.uniform(*r))


def test_at_most_so_many_answers_an_hour_and_one_per_bulletin_per_cooldown() -> None:
    aid = _aid(neighbour_answers_per_hour=2, neighbour_cooldown_s=600.0)
    records = {s: _record(s) for s in (1, 2, 3)}
    aid.on_request(m.RepairRequest(seqs=(1, 2, 3)), records.get, lambda mid: None, 0.0)
    assert aid.next_due() == 30.0
    assert _seqs(aid.due(30.0)) == [1, 2]  # the third: capped
    aid.on_request(m.RepairRequest(seqs=(1,)), records.get, lambda mid: None, 100.0)
    assert aid.next_due() is None  # #1 went out 70 s ago
    aid.on_request(m.RepairRequest(seqs=(3,)), records.get, lambda mid: None, 3700.0)
    assert _seqs(aid.due(3730.0)) == [3]  # a new hour


def test_a_copy_heard_cancels_the_answer_fragments_included() -> None:
    aid = _aid()
    whole, big = _record(1), _record(2)
    aid.on_request(m.RepairRequest(seqs=(1,)), {1: whole}.get, lambda mid: None, 0.0)
    aid.heard_copy(whole.message.raw, 5.0)
    assert aid.due(60.0) == []
    need = m.FragmentNeed(b"\x01\x02\x03", 0b10)
    nothing: dict[int, BulletinRecord] = {}
    aid.on_request(m.RepairRequest(fragments=(need,)), nothing.get, lambda mid: big, 0.0)
    (answer,) = aid.due(60.0)
    assert isinstance(answer, Answer) and answer.only_frames == 0b10
    aid.on_request(m.RepairRequest(seqs=(2,)), {2: big}.get, lambda mid: None, 700.0)
    fragment = bytes([envelope.FRAGMENT_MARKER]) + _mid(big) + bytes([0x01]) + b"x"
    aid.heard_copy(fragment, 710.0)
    assert aid.due(800.0) == []


def test_a_request_made_after_a_copy_went_by_is_answered() -> None:
    """The copy a neighbour heard did not reach the asker if the asker asks again
    afterwards: that request is answered, with no cooldown from the copy."""
    aid = _aid(neighbour_cooldown_s=600.0)
    records = {1: _record(1)}
    aid.on_request(m.RepairRequest(seqs=(1,)), records.get, lambda mid: None, 0.0)
    aid.heard_copy(records[1].message.raw, 5.0)  # the hub answered someone: ours waits
    assert aid.due(60.0) == []
    aid.on_request(m.RepairRequest(seqs=(1,)), records.get, lambda mid: None, 150.0)
    assert _seqs(aid.due(180.0)) == [1]  # asked again after the copy: it missed it
    # A request made before a copy went by (it crossed the copy) is still left to it.
    aid.on_request(m.RepairRequest(seqs=(1,)), records.get, lambda mid: None, 900.0, 890.0)
    aid.heard_copy(records[1].message.raw, 895.0)
    assert aid.due(1000.0) == []


def test_off_when_the_hourly_cap_is_zero() -> None:
    aid = _aid(neighbour_answers_per_hour=0)
    aid.on_request(m.RepairRequest(seqs=(1,)), {1: _record(1)}.get, lambda mid: None, 0.0)
    assert aid.next_due() is None


def _mid(record: BulletinRecord) -> bytes:
    from relay.wire import fragments

    return fragments.message_id(record.message.raw)


# --- reports up: neighbours carry a left-out point's status frame ------------------


def _carries(w: World) -> list[Transmit]:
    out = []
    for pid in w.points:
        for t in w.mesh.of(w.point_node(pid), Transmit):
            if isinstance(t, Transmit) and t.purpose == NEIGHBOUR_CARRY:
                out.append(t)
    return out


def _own_frames(w: World, pid: int) -> list[statusframe.StatusFrame]:
    sent = w.mesh.of(w.point_node(pid), Transmit)
    return [
        statusframe.parse(t.payload)
        for t in sent
        if isinstance(t, Transmit) and t.purpose == "status"
    ]


def test_neighbours_carry_the_report_of_a_point_the_hub_cannot_hear() -> None:
    w = build_world(3)
    w.mesh.hops = 0
    p3 = w.point_node(3)
    w.mesh.drop = lambda src, dst, payload: src == p3 and dst == HUB_NODE
    w.mesh.run(4000)
    accepted = [o for o in w.mesh.of(HUB_NODE, StatusAccepted) if isinstance(o, StatusAccepted)]
    assert any(o.sender.point_id == 3 for o in accepted)
    own = _own_frames(w, 3)
    assert not own[0].carry and any(f.carry for f in own)  # asks only once left out
    carries = _carries(w)
    assert 1 <= len(carries) <= sum(f.carry for f in own)  # one carrier per frame at most
    for t in carries:
        frame = statusframe.parse(t.payload)
        assert frame.carried and frame.raw in {f.raw for f in own}
    # The hub never took a carrier's node for the point's own.
    assert w.hub.points[3].node not in (w.point_node(1), w.point_node(2))


def test_no_one_carries_when_every_point_is_heard() -> None:
    w = build_world(3)
    w.mesh.hops = 0
    w.mesh.run(4000)
    assert all(not f.carry for p in w.points for f in _own_frames(w, p))
    assert not _carries(w)


def test_carries_respect_the_gap_and_the_hourly_cap() -> None:
    aid = _aid(
        neighbour_carries_per_hour=2,
        neighbour_carry_gap_s=240.0,
        neighbour_carry_delay_s=(30.0, 30.0),
    )
    aid.on_report(7, b"a", 0.0, 0)
    aid.on_report(7, b"b", 10.0, 0)  # the newest frame of the same point replaces it
    aid.on_report(8, b"c", 0.0, 0)
    aid.on_report(9, b"d", 0.0, 1)
    # Nearest the hub first (9 needs a hop more: 20 s later), then the cap.
    assert [c.raw for c in aid.due(40.0) if isinstance(c, Carry)] == [b"b", b"c"]
    assert aid.due(60.0) == []  # capped
    aid.on_report(7, b"e", 100.0, 0)
    assert aid.next_due() is None  # 7 was carried 60 s ago
    aid.on_report(8, b"f", 300.0, 0)
    aid.heard_carried(8, b"f", 310.0)  # someone else carried it
    assert aid.due(400.0) == []
