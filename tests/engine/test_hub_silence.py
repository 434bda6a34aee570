"""A point that hears nothing from its hub acts on it (issue 14, item 8).

A relay site over its duty cycle drops every relay: the points behind it hear no
heartbeat for as long as that lasts. After ``hub_silent_periods`` heartbeat periods the
point sends its reports with the most hops (a longer path, where one exists), asks the
hub for a heartbeat, and once the hub is back asks for what it lacks without the
back-off its failed requests built up while the path was down.
"""

from __future__ import annotations

from relay.engine.config import EngineConfig
from relay.engine.outputs import Transmit
from relay.engine.point import REPAIR_REQUEST
from relay.link import BROADCAST, Frame
from relay.wire import envelope
from relay.wire import model as m
from tests.engine.harness import HUB_NODE, World, build_world, text

PERIOD = 300.0  # EngineConfig's heartbeat interval


def _sends(w: World, node: int, purpose: str) -> list[Transmit]:
    return [o for o in w.mesh.outputs[node] if isinstance(o, Transmit) and o.purpose == purpose]


def _near_world() -> World:
    """One point that hears the hub without a relay: its reports go with hop limit 0."""
    w = build_world(1)
    w.mesh.run(10)
    beat = w.hub.issuer.issue(m.Heartbeat(interval_s=300), at=w.hub.clock.now(w.mesh.now))
    w.points[1].receive(Frame(beat.raw, HUB_NODE, BROADCAST, hops=0), w.mesh.now)
    w.mesh.run(PERIOD)
    assert w.points[1].hops.limit == 0
    return w


def _hub_silent(w: World) -> None:
    w.mesh.drop = lambda src, dst, payload: src == HUB_NODE


def test_a_silent_hub_raises_the_hop_limit_and_asks_for_a_heartbeat() -> None:
    w = _near_world()
    point, node = w.points[1], w.point_node(1)
    _hub_silent(w)
    w.mesh.run(3 * PERIOD)
    assert point.hub_silent
    assert point.hops.limit == EngineConfig().max_hops
    [ask, *_] = _sends(w, node, REPAIR_REQUEST)
    assert ask.hop_limit == EngineConfig().max_hops and ask.destination == BROADCAST
    request = envelope.parse(ask.payload).envelope.body
    assert isinstance(request, m.RepairRequest) and request.seqs == ()
    # The hub heard the empty request: it beats before its grid's next heartbeat.
    asked_at = w.mesh.now - 3 * PERIOD + 2 * PERIOD
    early = [t for t, _ in w.mesh.airtime_log[HUB_NODE] if t % PERIOD > 1.0 and t > asked_at]
    assert early, "no early heartbeat in answer to the point's request"


def test_the_requests_back_off_while_the_silence_lasts() -> None:
    w = _near_world()
    _hub_silent(w)
    node = w.point_node(1)
    w.mesh.run(5 * 3600)
    first = len(_sends(w, node, REPAIR_REQUEST))
    w.mesh.run(5 * 3600)
    later = len(_sends(w, node, REPAIR_REQUEST)) - first
    cap = EngineConfig().repair_backoff_s[1]  # the longest back-off, jittered +-20 %
    assert 1 <= later <= 5 * 3600 / (0.8 * cap) + 1  # not one per period (60 of them)


def test_without_it_a_point_does_nothing_about_a_silent_hub() -> None:
    """The setting that turns it off keeps the old behaviour (the benches' "before")."""
    w = build_world(1, config=EngineConfig(hub_silent_periods=0))
    w.mesh.run(PERIOD)
    _hub_silent(w)
    w.mesh.run(3 * PERIOD)
    assert not w.points[1].hub_silent
    assert not _sends(w, w.point_node(1), REPAIR_REQUEST)


def test_back_from_silence_the_point_asks_for_what_it_lacks_at_once() -> None:
    w = build_world(1)
    point = w.points[1]
    w.mesh.run(PERIOD)
    _hub_silent(w)
    w.mesh.run(600)  # the point asks, hears nothing: its back-off grows
    w.mesh.call(HUB_NODE, lambda now: w.hub.issue(text("Drinkwater bij De Vliert"), now)[1])
    w.mesh.run(4 * 3600)
    assert point.hub_silent and not point.catalogue.held(w.hub.key_id)
    w.mesh.drop = lambda src, dst, payload: False
    w.mesh.run(PERIOD + EngineConfig().repair_delay_s[1] + 60)
    assert not point.hub_silent
    assert point.catalogue.held(w.hub.key_id)
