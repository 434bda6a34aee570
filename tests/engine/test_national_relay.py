"""A national bulletin from federation: the hub checks it like a radio frame, broadcasts it
unchanged after the national certificate, and points verify and keep it (issue 13)."""

from __future__ import annotations

from relay.engine.outputs import BulletinAccepted, Rejected
from relay.wire import envelope
from relay.wire import model as m
from tests.engine.harness import HUB_NODE, World, build_world, text
from tests.wire.conftest import NOW
from tests.wire.test_national_trust import NATIONAL_ROOT, NCC, national_cert


def national_world() -> World:
    w = build_world(2)
    for engine in (w.hub, *w.points.values()):
        engine.keyring.pin(NATIONAL_ROOT.public)
    w.hub.keyring.add_certificate(national_cert())
    return w


def relay(w: World, raw: bytes) -> None:
    w.mesh.call(HUB_NODE, lambda now: w.hub.relay_national(raw, now))


def test_points_verify_a_relayed_national_bulletin_and_learn_its_certificate() -> None:
    w = national_world()
    w.mesh.run(200)
    msg = envelope.sign(NCC, 7, NOW + 100, text("Landelijk: blijf binnen"))
    relay(w, msg.raw)
    w.mesh.run(600)
    for pid, point in w.points.items():
        assert 7 in point.catalogue.held(NCC.key_id)
        accepted = [
            o
            for o in w.mesh.of(w.point_node(pid), BulletinAccepted)
            if isinstance(o, BulletinAccepted)
        ]
        assert [a.message.raw for a in accepted] == [msg.raw]  # unchanged bytes, once
        assert accepted[0].sender.role is m.Role.NATIONAL


def test_exact_repeat_is_dropped_quietly_and_a_replayed_number_is_refused() -> None:
    w = national_world()
    msg = envelope.sign(NCC, 7, NOW, text("Landelijk: blijf binnen"))
    assert any(isinstance(o, BulletinAccepted) for o in w.hub.relay_national(msg.raw, 1.0))
    assert w.hub.relay_national(msg.raw, 2.0) == []  # QoS 1 may deliver twice
    other = envelope.sign(NCC, 7, NOW, text("Iets anders"))
    refused = w.hub.relay_national(other.raw, 3.0)
    assert [o.reason for o in refused if isinstance(o, Rejected)] == ["replay"]


def test_a_region_hub_bulletin_on_the_national_topic_is_refused() -> None:
    w = national_world()
    hub_msg = w.hub.issuer.issue(text("Regionaal"), at=NOW)
    refused = w.hub.relay_national(hub_msg.raw, 1.0)
    assert [o.reason for o in refused if isinstance(o, Rejected)] == ["not_national"]


def test_a_forged_national_bulletin_is_refused() -> None:
    w = national_world()
    msg = envelope.sign(NCC, 8, NOW, text("Echt"))
    forged = msg.raw[:-1] + bytes([msg.raw[-1] ^ 1])  # a signature that does not match
    refused = w.hub.relay_national(forged, 1.0)
    assert [o.reason for o in refused if isinstance(o, Rejected)] == ["bad_signature"]


def test_receipts_name_the_national_bulletins_a_point_stored() -> None:
    """The hub learns per point which national bulletins arrived (their reach)."""
    w = national_world()
    w.mesh.run(200)
    msg = envelope.sign(NCC, 7, NOW + 100, text("Landelijk: blijf binnen"))
    relay(w, msg.raw)
    w.mesh.run(1900)  # every point reports within one status interval
    ref = m.BulletinRef(NCC.key_id, 7)
    for point in w.points.values():
        receipt = point.receipt()
        assert receipt is not None and receipt.others == (ref,)
    for view in w.hub.points.values():
        assert view.receipt is not None and ref in view.receipt.others


def test_a_point_that_missed_a_national_bulletin_gets_it_again() -> None:
    """All broadcasts lost to point 2: its receipt does not name the bulletin, so the hub
    broadcasts it again (a point cannot ask: the heartbeat lists only the hub's own)."""
    w = national_world()
    w.mesh.run(200)
    msg = envelope.sign(NCC, 7, NOW + 100, text("Landelijk: blijf binnen"))
    lost = {"on": True}
    missed = w.point_node(2)
    w.mesh.drop = lambda src, dst, payload: lost["on"] and dst == missed and payload == msg.raw
    relay(w, msg.raw)
    w.mesh.run(120)
    assert 7 not in w.points[2].catalogue.held(NCC.key_id)
    lost["on"] = False
    w.mesh.run(1900)  # its next report's receipt lacks it: the hub sends it again
    assert 7 in w.points[2].catalogue.held(NCC.key_id)
    accepted = [o for o in w.mesh.of(missed, BulletinAccepted) if isinstance(o, BulletinAccepted)]
    assert [a.message.raw for a in accepted] == [msg.raw]
