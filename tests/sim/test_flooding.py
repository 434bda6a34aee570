"""Managed flooding: timing, hop limit, duplicates and each role's relaying."""

import pytest

from relay.airtime import lora_airtime_s, phy_bytes, preset
from relay.sim.api import BROADCAST
from relay.sim.frames import TEXT_MESSAGE_APP

from .helpers import chain, link_scenario, mesh_with_recorders

LF = preset("LONG_FAST")
SLOT = 0.028  # computeSlotTimeMsec() at LONG_FAST, truncated to whole ms
CAD = 2.5 * 2048 / 250_000


def airtime(payload: int, port: int = 256) -> float:
    return lora_airtime_s(phy_bytes(payload, port), LF)


def slots(seconds: float) -> float:
    return seconds / SLOT


def test_first_hop_timing_is_a_contention_slot_plus_cad_plus_airtime():
    """Our own packet waits 0..7 slots (channel idle: CW 3), CAD, then its airtime."""
    for seed in range(1, 6):
        mesh, apps = mesh_with_recorders(chain(2), seed=seed)
        mesh.node("n0").send(BROADCAST, 256, bytes(50))
        mesh.run_for(10)
        (packet,) = apps["n1"].packets
        waited = slots(packet.rx_time - CAD - airtime(50))
        assert waited == pytest.approx(round(waited), abs=1e-6)
        assert 0 <= round(waited) < 8


def test_client_relays_after_the_routers_window_weighted_by_snr():
    """A CLIENT relay waits 2*CWmax slots, then 0..2^CW-1 slots with CW from the SNR
    (5 dB -> CW 7): between 16 and 143 slots after it received the packet."""
    for seed in range(1, 6):
        mesh, apps = mesh_with_recorders(chain(3, snr=5.0), seed=seed)
        mesh.node("n0").send(BROADCAST, 256, bytes(50))
        mesh.run_for(30)
        (at1,) = [p.rx_time for p in apps["n1"].packets]
        (at2,) = [p.rx_time for p in apps["n2"].packets]
        waited = slots(at2 - at1 - CAD - airtime(50))
        assert waited == pytest.approx(round(waited), abs=1e-6)
        assert 16 <= round(waited) < 16 + 128


def test_router_relays_early():
    nodes = ["n0", {"name": "r", "role": "ROUTER", "rebroadcast_mode": "ALL"}, "n2"]
    scenario = link_scenario(nodes, [("n0", "r", 5.0), ("r", "n2", 5.0)])
    for seed in range(1, 6):
        mesh, apps = mesh_with_recorders(scenario, seed=seed)
        mesh.node("n0").send(BROADCAST, 256, bytes(50))
        mesh.run_for(30)
        at_router = apps["r"].packets[0].rx_time
        at_far = apps["n2"].packets[0].rx_time
        waited = slots(at_far - at_router - CAD - airtime(50))
        assert 0 <= round(waited) < 2 * 7  # random(0, 2*CWsize) slots


def test_hop_limit_bounds_the_flood():
    """Hop limit 3: the packet goes out and is relayed three times, so it reaches four
    hops down a chain and no further."""
    mesh, apps = mesh_with_recorders(chain(7))
    mesh.node("n0").send(BROADCAST, 256, b"far", hop_limit=3)
    mesh.run_for(120)
    reached = [name for name, app in apps.items() if app.packets]
    assert reached == ["n1", "n2", "n3", "n4"]
    hops = {name: apps[name].packets[0].hops_taken for name in reached}
    assert hops == {"n1": 0, "n2": 1, "n3": 2, "n4": 3}
    assert apps["n4"].packets[0].hop_limit == 0


def test_hop_limit_zero_is_not_relayed():
    mesh, apps = mesh_with_recorders(chain(3))
    mesh.node("n0").send(BROADCAST, 256, b"local", hop_limit=0)
    mesh.run_for(60)
    assert apps["n1"].payloads() == [b"local"]
    assert apps["n2"].packets == []


def test_duplicates_are_delivered_once():
    """A diamond: d hears the packet from b and from c (hidden from each other, so
    sometimes their relays collide at d); when both copies arrive, d's client sees one."""
    names = ["a", "b", "c", "d"]
    links = [("a", "b", 5.0), ("a", "c", 5.0), ("b", "d", 5.0), ("c", "d", 5.0)]
    both_arrived = 0
    for seed in range(1, 11):
        mesh, apps = mesh_with_recorders(link_scenario(names, links), seed=seed)
        mesh.node("a").send(BROADCAST, 256, b"once")
        mesh.run_for(60)
        assert apps["a"].packets == []  # our own broadcast is not handed back
        d = mesh.node("d")
        if d.radio.counters.rx_good >= 2:
            both_arrived += 1
            assert apps["d"].payloads() == [b"once"]
            assert d.firmware.counters.rx_dupe >= 1
        else:
            assert d.radio.counters.rx_corrupted >= 1 or apps["d"].payloads() == [b"once"]
    assert both_arrived >= 3


def test_a_client_that_overhears_a_relay_cancels_its_own():
    """b and c both hear a and each other; whoever's timer fires first relays, the other
    cancels on hearing it. (Unless both pick the same slot and collide.)"""
    names = ["a", "b", "c"]
    links = [("a", "b", 5.0), ("a", "c", 5.0), ("b", "c", 5.0)]
    cancelled = 0
    for seed in range(1, 11):
        mesh, _ = mesh_with_recorders(link_scenario(names, links), seed=seed)
        mesh.node("a").send(BROADCAST, 256, b"x")
        mesh.run_for(60)
        relays = mesh.node("b").radio.counters.tx_relayed + mesh.node("c").radio.counters.tx_relayed
        cancels = sum(mesh.node(n).firmware.counters.relays_cancelled for n in ("b", "c"))
        assert relays + cancels == 2
        cancelled += cancels
    assert cancelled >= 8


def test_router_and_router_late_never_cancel():
    for role in ("ROUTER", "ROUTER_LATE"):
        nodes = ["a", "b", {"name": "c", "role": role, "rebroadcast_mode": "ALL"}]
        links = [("a", "b", 5.0), ("a", "c", 5.0), ("b", "c", 5.0)]
        for seed in range(1, 6):
            mesh, _ = mesh_with_recorders(link_scenario(nodes, links), seed=seed)
            mesh.node("a").send(BROADCAST, 256, b"x")
            mesh.run_for(60)
            assert mesh.node("c").radio.counters.tx_relayed == 1, (role, seed)
            assert mesh.node("c").firmware.counters.relays_cancelled == 0


def test_router_late_goes_after_the_others():
    """ROUTER_LATE relays like a client unless it hears someone else's relay first; then
    it moves its copy to the late window and still sends it."""
    nodes = ["a", {"name": "late", "role": "ROUTER_LATE"}, "b"]
    links = [("a", "late", 5.0), ("a", "b", -10.0), ("late", "b", 5.0)]
    late_after_b = 0
    for seed in range(1, 11):
        mesh, _apps = mesh_with_recorders(link_scenario(nodes, links), seed=seed)
        mesh.node("a").send(BROADCAST, 256, b"x")
        mesh.run_for(60)
        assert mesh.node("late").radio.counters.tx_relayed == 1
        late_after_b += mesh.node("b").radio.counters.tx_relayed
    # b (weak signal, -10 dB -> short contention window) usually relays first.
    assert late_after_b >= 5


def test_client_mute_never_relays():
    nodes = ["a", {"name": "mute", "role": "CLIENT_MUTE"}, "c"]
    mesh, apps = mesh_with_recorders(link_scenario(nodes, [("a", "mute", 5.0), ("mute", "c", 5.0)]))
    mesh.node("a").send(BROADCAST, 256, b"x")
    mesh.run_for(60)
    assert apps["mute"].payloads() == [b"x"]
    assert mesh.node("mute").radio.counters.tx_packets == 0
    assert apps["c"].packets == []


def test_rebroadcast_mode_none_never_relays():
    nodes = ["a", {"name": "quiet", "rebroadcast_mode": "NONE"}, "c"]
    mesh, apps = mesh_with_recorders(
        link_scenario(nodes, [("a", "quiet", 5.0), ("quiet", "c", 5.0)])
    )
    mesh.node("a").send(BROADCAST, 256, b"x")
    mesh.run_for(60)
    assert apps["c"].packets == []


def test_router_with_core_portnums_only_drops_private_ports():
    """The firmware's ROUTER default does not relay port 256 (nor deliver it to its own
    client), but still relays text; with rebroadcast_mode ALL it relays both."""
    nodes = ["a", {"name": "r", "role": "ROUTER"}, "c"]
    scenario = link_scenario(nodes, [("a", "r", 5.0), ("r", "c", 5.0)])
    mesh, apps = mesh_with_recorders(scenario)
    mesh.node("a").send(BROADCAST, 256, b"private")
    mesh.node("a").send(BROADCAST, TEXT_MESSAGE_APP, b"text")
    mesh.run_for(60)
    assert apps["c"].payloads() == [b"text"]
    assert apps["r"].payloads() == [b"text"]

    nodes[1] = {"name": "r", "role": "ROUTER", "rebroadcast_mode": "ALL"}
    mesh, apps = mesh_with_recorders(link_scenario(nodes, [("a", "r", 5.0), ("r", "c", 5.0)]))
    mesh.node("a").send(BROADCAST, 256, b"private")
    mesh.run_for(60)
    assert apps["c"].payloads() == [b"private"]


def test_configure_changes_relaying_from_now_on() -> None:
    """What `meshtastic --set device.role ROUTER` does: the new role's default rebroadcast
    mode drops port 256, until rebroadcast_mode ALL is set in a second step."""
    from relay.sim.api import RebroadcastMode, Role

    mesh, apps = mesh_with_recorders(chain(3))
    relay = mesh.node("n1")
    relay.configure(role=Role.ROUTER, rebroadcast_mode=RebroadcastMode.CORE_PORTNUMS_ONLY)
    assert relay.info.role is Role.ROUTER
    mesh.node("n0").send(BROADCAST, 256, b"dropped")
    mesh.run_for(60)
    assert apps["n2"].packets == []
    relay.configure(rebroadcast_mode=RebroadcastMode.ALL)
    mesh.node("n0").send(BROADCAST, 256, b"relayed")
    mesh.run_for(60)
    assert apps["n2"].payloads() == [b"relayed"]
    relay.configure(hop_limit=5)
    assert relay.firmware.config.hop_limit == 5
    with pytest.raises(ValueError, match="hop limit"):
        relay.configure(hop_limit=9)
