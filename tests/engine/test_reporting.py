"""Slots, the heard-list and hop economy (relay.engine.reporting and the engines)."""

from __future__ import annotations

import functools
import itertools
from collections import Counter

import pytest

from relay.engine.config import EngineConfig
from relay.engine.hub import HubEngine
from relay.engine.outputs import Output, Transmit
from relay.engine.reporting import HopChoice, Schedule, slot_index, slot_offset
from relay.link import BROADCAST, Frame
from relay.wire import model as m
from relay.wire import statusframe
from tests.engine.harness import HUB_NODE, build_world

SCHEDULE = Schedule(interval=1800.0, heartbeat=300.0, slots=150, settle=30.0, min_tries=4)


def test_every_point_has_its_own_slot() -> None:
    for k in range(5):
        indices = [slot_index(p, 150, k)[0] for p in range(1, 151)]
        assert sorted(indices) == list(range(150))


def test_neighbouring_ids_are_far_apart_and_the_order_changes_each_interval() -> None:
    width = 1.0 / 150
    for k in range(3):
        gaps = [
            abs(slot_offset(p + 1, 150, 1.0, k) - slot_offset(p, 150, 1.0, k))
            for p in range(1, 150)
        ]
        assert min(gaps) > 10 * width
    orders = {tuple(slot_index(p, 150, k)[0] for p in range(1, 151)) for k in range(4)}
    assert len(orders) == 4


def test_tries_stay_inside_heartbeat_periods_and_leave_room_for_four() -> None:
    for p in range(1, 151):
        tries = SCHEDULE.tries(p, 7)
        assert len(tries) >= 4
        late = SCHEDULE.tries(p, 7, frac=0.999)  # anywhere in its slot: still in the period
        assert all(30.0 <= t % 300.0 < 270.0 for t in late)
        for t in tries:
            phase = t % SCHEDULE.heartbeat
            # After the heartbeat that opened the period has crossed the relays, early
            # enough for the heartbeat that closes it to judge this try.
            assert 30.0 <= phase <= 300.0 - 30.0 - SCHEDULE.slot_width(p) + 1e-6
            assert 7 * 1800.0 <= t < 8 * 1800.0
        assert all(b - a == SCHEDULE.heartbeat for a, b in itertools.pairwise(tries))


def test_no_minute_holds_many_first_tries() -> None:
    firsts = Counter(int(SCHEDULE.tries(p, 3)[0] // 60) for p in range(1, 151))
    assert max(firsts.values()) <= 15  # 150 points over 720 s of first tries: ~12 a minute


def test_next_try_moves_on_to_the_next_interval() -> None:
    last = SCHEDULE.tries(5, 2)[-1]
    assert SCHEDULE.next_try(5, last) == SCHEDULE.tries(5, 3)[0]
    assert SCHEDULE.next_try(5, last - 1) == last


def test_hop_choice_starts_where_the_hub_is_and_relearns_both_ways() -> None:
    hops = HopChoice(max_hops=3, probe_after=2)
    assert hops.limit is None
    hops.hub_seen(0)
    assert hops.limit == 0  # we hear the hub directly: no relay needed
    hops.missed()
    hops.missed()
    assert hops.limit == 2
    hops.missed()
    hops.missed()
    assert hops.limit == 3  # never above the maximum
    hops.heard()
    hops.heard()
    assert hops.limit == 2  # two wins in a row: try one hop fewer
    hops.hub_seen(1)
    assert hops.floor == 0  # the floor is the fewest hops ever seen


def _status_sends(world: object, pid: int) -> list[Transmit]:
    w = world
    out = w.mesh.outputs[w.point_node(pid)]  # type: ignore[attr-defined]
    return [o for o in out if isinstance(o, Transmit) and o.purpose == "status"]


def test_status_is_a_small_broadcast_without_firmware_ack() -> None:
    w = build_world(3)
    w.mesh.run(2 * 1800)
    for pid in w.points:
        sends = _status_sends(w, pid)
        assert sends
        for t in sends:
            assert t.destination == BROADCAST and not t.want_ack
            assert statusframe.is_status_frame(t.payload)
            assert len(t.payload) <= 50


def test_a_heard_point_sends_once_per_interval() -> None:
    w = build_world(5)
    w.mesh.run(6 * 1800)
    for pid in w.points:
        sends = _status_sends(w, pid)
        # Six intervals; the first may take a second try while the point learns hub time.
        assert 6 <= len(sends) <= 7


def test_a_point_missing_from_the_heard_list_sends_again_in_its_slot() -> None:
    w = build_world(2)
    lost: list[bytes] = []

    def drop_first_reports_of_point_1(src: int, dst: int, payload: bytes) -> bool:
        if dst != HUB_NODE or src != w.point_node(1) or not statusframe.is_status_frame(payload):
            return False
        if len(lost) < 2:
            lost.append(payload)
            return True
        return False

    w.mesh.drop = drop_first_reports_of_point_1
    w.mesh.run(3 * 1800)
    hub = w.hub
    sent_at = [hub.clock.precise(t) or 0.0 for t, _ in w.mesh.airtime_log[w.point_node(1)]]
    k = int(sent_at[0] // 1800)
    in_first = [t for t in sent_at if int(t // 1800) == k]
    assert len(lost) == 2 and len(in_first) == 3  # two lost; the third heard, then quiet
    periods = [int(t // 300) for t in in_first]  # in the next heartbeat period each time
    assert [b - a for a, b in itertools.pairwise(periods)] == [1, 1]
    later = [t for t in sent_at if int(t // 1800) > k]
    assert len(later) == len({int(t // 1800) for t in later})  # heard: once per interval


def test_admission_control_lengthens_the_interval_on_a_busy_channel() -> None:
    w = build_world(2)
    w.mesh.run(1800)
    w.hub.report_channel(0.40, w.mesh.now)
    w.mesh.run(3700)  # the next boundary that starts a one-hour interval, at the latest
    assert w.hub.status_interval_s == 3600.0
    assert all(p.schedule.interval == 3600.0 for p in w.points.values())
    for _ in range(3):
        w.hub.report_channel(0.05, w.mesh.now)
        w.mesh.run(3700)
    assert w.hub.status_interval_s == 1800.0  # quiet again: back to the configured one
    # Every change came where both the old and the new interval start (hub time), so the
    # points' intervals and the heard-list never disagree about which one is current.
    for at, interval in w.hub.interval_log[1:]:
        assert at % interval == 0 and at % 1800.0 == 0


def test_a_doubling_midway_through_the_longer_interval_waits_for_its_start() -> None:
    w = build_world(2)
    start = w.hub.clock.now(w.mesh.now) or 0
    offset = 3600 - start % 3600  # run to an hour boundary of hub time
    w.mesh.run(offset + 10)
    w.hub.report_channel(0.40, w.mesh.now)
    w.mesh.run(1800)  # the half-hour boundary: a doubling now would start mid-hour
    assert w.hub.status_interval_s == 1800.0
    w.mesh.run(1800)
    assert w.hub.status_interval_s == 3600.0
    at, interval = w.hub.interval_log[-1]
    assert interval == 3600.0 and at % 3600.0 == 0


def test_status_hop_limit_follows_the_hubs_hops() -> None:
    """Frames that reached the point without a relay: its reports go with hop limit 0."""
    w = build_world(1)
    point = w.points[1]
    w.mesh.run(10)  # the first heartbeat
    fresh = w.hub.issuer.issue(m.Heartbeat(interval_s=300), at=w.hub.clock.now(w.mesh.now))
    point.receive(Frame(fresh.raw, HUB_NODE, BROADCAST, hops=0), w.mesh.now)
    assert point.hops.limit == 0
    w.mesh.run(1800)
    assert all(t.hop_limit == 0 for t in _status_sends(w, 1))


@pytest.mark.parametrize("urgency", [m.Urgency.IMMEDIATE, m.Urgency.EXPECTED])
def test_only_immediate_bulletins_are_acknowledged_before_the_slot(urgency: m.Urgency) -> None:
    config = EngineConfig(status_interval_s=4 * 3600.0)  # slots far apart
    w = build_world(3, config=config)
    w.mesh.run(4 * 3600 + 600)  # past every first try of the second interval
    before = {pid: len(_status_sends(w, pid)) for pid in w.points}
    bulletin = m.Bulletin(texts=(m.LocalizedText("nl", "", "Dijk bij Vianen"),), urgency=urgency)
    w.mesh.call(HUB_NODE, functools.partial(_issue, w.hub, bulletin))
    w.mesh.run(config.urgent_receipt_spread_s + 2 * config.status_settle_s)
    extra = sum(len(_status_sends(w, pid)) - before[pid] for pid in w.points)
    if urgency is m.Urgency.IMMEDIATE:
        assert extra >= 1
    else:
        assert extra == 0


def _issue(hub: HubEngine, bulletin: m.Bulletin, now: float) -> list[Output]:
    return hub.issue(bulletin, now)[1]
