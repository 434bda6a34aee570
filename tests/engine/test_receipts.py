"""A receipt is a proof: the hub never shows a tick that the point's store contradicts.

Checked after every report the hub takes: for each point and each active bulletin, a tick
(received) only where the point's catalogue holds the bulletin. The point's catalogue holds
only what its daemon committed (:meth:`PointEngine.forget_bulletin` takes back a bulletin
whose write failed).
"""

from __future__ import annotations

import random

from relay.engine.catalogue import BulletinRecord
from relay.engine.hubclock import HubClock
from relay.engine.outputs import BulletinState, Output, ReceiptAccepted
from relay.engine.point import PointEngine
from relay.errors import RelayError
from relay.wire import envelope
from relay.wire import model as m
from relay.wire.issuer import Issuer, MemoryCounter
from tests.engine.harness import HUB_NODE, World, build_world, text
from tests.engine.test_delivery import held, publish


def false_ticks(w: World) -> list[tuple[int, int]]:
    """(point, bulletin) pairs the hub shows as received that the point does not hold."""
    bad = []
    for pid, row in w.hub.receipt_matrix().items():
        for seq, (received, _shown) in row.items():
            if received and seq not in held(w, pid):
                bad.append((pid, seq))
    return bad


def watch_every_receipt(w: World) -> list[list[tuple[int, int]]]:
    """Check the hub's matrix at the moment every receipt is taken."""
    seen: list[list[tuple[int, int]]] = []
    hub = w.hub
    original = hub._receipt

    def checked(view: object, receipt: m.Receipt) -> list[Output]:
        out = original(view, receipt)  # type: ignore[arg-type]
        if any(isinstance(o, ReceiptAccepted) for o in out):
            seen.append(false_ticks(w))
        return out

    hub._receipt = checked  # type: ignore[method-assign]
    return seen


def test_out_of_order_arrival_never_shows_what_is_missing() -> None:
    """The demo's p-west: #1 and #14 arrive, #5, #7 and #13 come later by repair."""
    w = build_world(2)
    checks = watch_every_receipt(w)
    w.mesh.run(100)
    late: set[int] = set()
    dropping = [False]

    def lose_middle_bulletins_for_point_1(src: int, dst: int, payload: bytes) -> bool:
        if dst != w.point_node(1) or src != HUB_NODE or envelope.is_fragment(payload):
            return False
        try:
            env = envelope.parse(payload).envelope
        except RelayError:
            return False
        if env.kind is m.Kind.BULLETIN and dropping[0]:
            late.add(env.seq)
        return env.seq in late

    w.mesh.drop = lose_middle_bulletins_for_point_1
    first = publish(w, text("Stroomstoring tot donderdag"))
    w.mesh.run(60)
    dropping[0] = True
    for body in ("Drinkwater De Vliert", "Kookadvies Houten", "Opvang Jaarbeurs"):
        publish(w, text(body))
        w.mesh.run(20)
    dropping[0] = False
    last = publish(w, text("Wegafsluiting A12"))
    w.mesh.run(30)
    assert {first.envelope.seq, last.envelope.seq} <= held(w, 1)
    assert not late & held(w, 1)
    w.mesh.run(1800)  # reports, heartbeats; the drop filter also loses every repair
    assert checks and all(c == [] for c in checks)
    row = w.hub.receipt_matrix()[1]
    assert row[last.envelope.seq][0] and not any(row[s][0] for s in late)
    w.mesh.drop = lambda src, dst, payload: False  # repair gets through now
    w.mesh.run(2 * 1800)
    assert late <= held(w, 1)
    assert all(w.hub.receipt_matrix()[1][s][0] for s in late)
    assert all(c == [] for c in checks)


def test_a_bulletin_the_store_could_not_keep_is_not_claimed_and_comes_again() -> None:
    """A full disk: the daemon forgets the bulletin in the engine; repair brings it back."""
    w = build_world(1)
    checks = watch_every_receipt(w)
    w.mesh.run(100)
    msg = publish(w, text("Evacuatie Vianen"))
    w.mesh.run(30)
    point = w.points[1]
    seq = msg.envelope.seq
    assert seq in held(w, 1)
    w.mesh.call(w.point_node(1), lambda now: point.forget_bulletin(w.hub.key_id, seq, now))
    assert seq not in held(w, 1)
    w.mesh.run(2 * 1800)
    assert seq in held(w, 1)  # asked for again after the next heartbeat, accepted again
    assert w.hub.receipt_matrix()[1][seq][0]
    assert checks and all(c == [] for c in checks)


def test_a_restarted_point_claims_only_what_its_store_gave_back() -> None:
    w = build_world(1)
    checks = watch_every_receipt(w)
    w.mesh.run(100)
    kept = publish(w, text("Noodsteunpunt open"))
    w.mesh.run(30)
    lost = publish(w, text("Aggregaat nodig"))
    w.mesh.run(30)
    old = w.points[1]
    # The point restarts with a store that holds only the first bulletin (the second was
    # never committed), as relay.daemon.build restores it.
    fresh = PointEngine(
        old.config,
        Issuer(old.issuer.key, old.issuer.certificate, MemoryCounter(1000), lambda: 0),
        old.keyring,
        HubClock(),
        random.Random(7),
        point_id=1,
    )
    record = old.catalogue.get((w.hub.key_id, kept.envelope.seq))
    assert record is not None
    restored = BulletinRecord(record.message, record.bulletin, True, BulletinState.ACTIVE)
    fresh.restore(restored, False)
    w.points[1] = fresh
    w.mesh.nodes[w.point_node(1)] = fresh
    w.mesh.bring_online(w.point_node(1))
    w.mesh.drop = lambda src, dst, payload: payload == lost.raw and dst == w.point_node(1)
    w.mesh.run(1800 + 600)
    row = w.hub.receipt_matrix()[1]
    assert row[kept.envelope.seq][0]
    assert not row[lost.envelope.seq][0]
    assert all(c == [] for c in checks)


def test_a_receipt_against_a_heartbeat_the_hub_forgot_changes_nothing() -> None:
    """After a hub restart the bits name a heartbeat it no longer knows: no tick from them."""
    w = build_world(1)
    w.mesh.run(100)
    msg = publish(w, text("Kookadvies"))
    w.mesh.run(2000)
    before = w.hub.receipt_matrix()[1][msg.envelope.seq]
    w.hub.announced.clear()  # as after a restart
    view = w.hub.points[1]
    stale = m.Receipt(heartbeat=99_999, held=0)  # "none of that heartbeat's bulletins"
    assert w.hub._receipt(view, stale) == []
    assert w.hub.receipt_matrix()[1][msg.envelope.seq] == before
