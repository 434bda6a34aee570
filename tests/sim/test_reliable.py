"""Acks, retransmissions, next-hop routing and the firmware's refusals."""

from relay.sim.air import Transmission
from relay.sim.api import BROADCAST, RoutingError, RoutingReport
from relay.sim.frames import NO_NEXT_HOP, AirFrame, last_byte
from relay.sim.mesh import Mesh
from relay.sim.scenario import parse_scenario

from .helpers import chain, link_scenario, mesh_with_recorders


def errors(reports: list[RoutingReport]) -> list[tuple[RoutingError, bool]]:
    return [(r.error, r.implicit) for r in reports]


def test_broadcast_want_ack_gets_an_implicit_ack_from_a_relay():
    mesh, apps = mesh_with_recorders(chain(3))
    pid = mesh.node("n0").send(BROADCAST, 256, b"hello", want_ack=True)
    mesh.run_for(60)
    (report,) = apps["n0"].reports_for(pid)
    assert report.error is RoutingError.NONE
    assert report.implicit
    assert report.from_node == mesh.node("n1").num
    assert mesh.node("n0").radio.counters.tx_packets == 1  # no retries after the ack


def test_broadcast_nobody_relays_three_tries_then_max_retransmit():
    """A leaf's only neighbour is CLIENT_MUTE: nothing is relayed, so no implicit ack."""
    nodes = ["a", {"name": "mute", "role": "CLIENT_MUTE"}]
    mesh, apps = mesh_with_recorders(link_scenario(nodes, [("a", "mute", 5.0)]))
    pid = mesh.node("a").send(BROADCAST, 256, b"anyone?", want_ack=True)
    mesh.run_for(120)
    assert errors(apps["a"].reports_for(pid)) == [(RoutingError.MAX_RETRANSMIT, False)]
    assert apps["a"].reports_for(pid)[0].from_node == mesh.node("a").num
    assert mesh.node("a").radio.counters.tx_packets == 3
    assert apps["mute"].payloads() == [b"anyone?"]  # retries of a seen packet: delivered once


def test_dm_to_a_neighbour_is_acked_by_the_destination():
    mesh, apps = mesh_with_recorders(chain(2))
    pid = mesh.node("n0").send(mesh.node("n1").num, 256, b"dm", want_ack=True)
    mesh.run_for(60)
    (report,) = apps["n0"].reports_for(pid)
    assert (report.error, report.implicit, report.from_node) == (
        RoutingError.NONE,
        False,
        mesh.node("n1").num,
    )
    (packet,) = apps["n1"].packets
    assert packet.want_ack and packet.dst == mesh.node("n1").num


def test_dm_over_two_hops_implicit_then_real_ack_and_next_hop_learned():
    mesh, apps = mesh_with_recorders(chain(3))
    n0, n1, n2 = (mesh.node(f"n{i}") for i in range(3))
    pid = n0.send(n2.num, 256, b"dm", want_ack=True)
    mesh.run_for(60)
    reports = apps["n0"].reports_for(pid)
    assert [(r.implicit, r.from_node) for r in reports] == [(True, n1.num), (False, n2.num)]
    assert apps["n2"].payloads() == [b"dm"]
    # The ack came back through n1, which also relayed the DM: route via n1 from now on.
    assert n0.firmware.nodes[n2.num].next_hop == last_byte(n1.num)
    assert n1.firmware.nodes[n2.num].next_hop == last_byte(n2.num)


def spy_on_air(mesh: Mesh) -> list[tuple[int, AirFrame]]:
    """Record every (sender, frame) put on the air, then transmit it as usual."""
    sent: list[tuple[int, AirFrame]] = []
    transmit = mesh.air.transmit

    def recording(sender: int, frame: AirFrame, start: float) -> Transmission:
        sent.append((sender, frame))
        return transmit(sender, frame, start)

    mesh.air.transmit = recording  # type: ignore[method-assign]
    return sent


def test_learned_next_hop_keeps_other_nodes_from_relaying():
    """A side node s hears n0 and n1 strongly; n1 hears n0 weakly, so n1 relays first
    (short contention window) and s cancels. Once n0 has learned n1 as next hop to n2,
    DMs carry that hop and s no longer even considers them."""
    names = ["n0", "n1", "n2", "s"]
    links = [("n0", "n1", -5.0), ("n1", "n2", 5.0), ("n0", "s", 10.0), ("s", "n1", 10.0)]
    mesh, apps = mesh_with_recorders(link_scenario(names, links), seed=3)
    n0, n2 = mesh.node("n0"), mesh.node("n2")
    n0.send(n2.num, 256, b"learn", want_ack=True)
    mesh.run_for(90)
    hop = n0.firmware.nodes[n2.num].next_hop
    assert hop == last_byte(mesh.node("n1").num)
    sent = spy_on_air(mesh)
    pid = n0.send(n2.num, 256, b"routed", want_ack=True)
    mesh.run_for(90)
    assert apps["n2"].payloads()[-1] == b"routed"
    assert any(not r.implicit for r in apps["n0"].reports_for(pid))
    copies = [(sender, f.next_hop) for sender, f in sent if f.id == pid]
    assert copies[0] == (n0.num, hop)
    assert mesh.node("s").num not in [sender for sender, _ in copies]


def test_a_client_cancels_even_when_it_is_the_only_way_on():
    """Managed flooding's known weakness, reproduced: n1 is the only link to n2, but when
    it overhears s relay the DM first it cancels its own relay. The sender got an implicit
    ack (from s) and stops retrying; the DM is lost without a NAK."""
    names = ["n0", "n1", "n2", "s"]
    links = [("n0", "n1", 10.0), ("n1", "n2", 5.0), ("n0", "s", -10.0), ("s", "n1", 10.0)]
    mesh, apps = mesh_with_recorders(link_scenario(names, links), seed=1)
    pid = mesh.node("n0").send(mesh.node("n2").num, 256, b"lost", want_ack=True)
    mesh.run_for(120)
    assert apps["n2"].packets == []
    assert [(r.implicit, r.from_node) for r in apps["n0"].reports_for(pid)] == [
        (True, mesh.node("s").num)
    ]
    assert mesh.node("n1").firmware.counters.relays_cancelled == 1


def test_lost_acks_mean_three_tries_then_max_retransmit_and_one_delivery():
    """b hears a, a never hears b: b gets the DM (once, despite retries) and acks each
    copy, a never hears an ack."""
    doc = {
        "radio": {"fading_sigma_db": 0},
        "nodes": [{"name": "a", "num": 0x11}, {"name": "b", "num": 0x22}],
        "links": [{"a": "a", "b": "b", "snr_db": 5.0, "one_way": True}],
    }
    mesh, apps = mesh_with_recorders(parse_scenario(doc))
    pid = mesh.node("a").send(0x22, 256, b"deaf", want_ack=True)
    mesh.run_for(120)
    assert errors(apps["a"].reports_for(pid)) == [(RoutingError.MAX_RETRANSMIT, False)]
    assert mesh.node("a").radio.counters.tx_packets == 3
    assert apps["b"].payloads() == [b"deaf"]
    assert mesh.node("b").radio.counters.tx_packets == 3  # an ack per copy heard


def test_intermediate_retries_once_then_floods_and_forgets_the_next_hop():
    """n1 relays a routed DM to its learned next hop n2 and, hearing nothing back (n2 is
    switched off), retries once as a flood and forgets the hop."""
    mesh, apps = mesh_with_recorders(chain(3))
    n0, n1, n2 = (mesh.node(f"n{i}") for i in range(3))
    n0.send(n2.num, 256, b"learn", want_ack=True)
    mesh.run_for(60)
    assert n1.firmware.nodes[n2.num].next_hop == last_byte(n2.num)
    mesh.air.attach(_Deaf(n2.num))  # n2 is switched off: it hears nothing any more
    sent = spy_on_air(mesh)
    pid = n0.send(n2.num, 256, b"gone", want_ack=True)
    mesh.run_for(180)
    assert apps["n0"].reports_for(pid)[0].implicit  # n1 relayed it: n0 stops retrying
    from_n1 = [f.next_hop for sender, f in sent if sender == n1.num and f.id == pid]
    assert from_n1 == [last_byte(n2.num), NO_NEXT_HOP]
    assert n1.firmware.nodes[n2.num].next_hop == NO_NEXT_HOP
    assert [sender for sender, f in sent if f.id == pid].count(n0.num) == 1


class _Deaf:
    def __init__(self, num: int) -> None:
        self.num = num

    def signal_announced(self, signal):
        pass

    def signal_started(self, signal):
        pass

    def signal_ended(self, signal):
        pass


def test_too_large_is_refused_locally():
    mesh, apps = mesh_with_recorders(chain(2))
    big = mesh.node("n0").send(BROADCAST, 256, bytes(232))
    fits = mesh.node("n0").send(BROADCAST, 256, bytes(231))
    mesh.run_for(30)
    assert errors(apps["n0"].reports_for(big)) == [(RoutingError.TOO_LARGE, False)]
    assert apps["n0"].reports_for(fits) == []
    assert [len(p) for p in apps["n1"].payloads()] == [231]
    assert mesh.node("n0").firmware.counters.refused_too_large == 1


def test_refusal_arrives_after_send_returns():
    """Like the firmware's queued NAK: the id is known to the client before the report."""
    mesh, _ = mesh_with_recorders(chain(2))
    seen = []

    class App:
        def on_packet(self, packet):
            pass

        def on_routing(self, report):
            seen.append((report.request_id, sent.get("id")))

    sent = {}
    mesh.node("n0").attach(App())
    sent["id"] = mesh.node("n0").send(BROADCAST, 256, bytes(300))
    mesh.run_for(1)
    assert seen == [(sent["id"], sent["id"])]


def test_a_failing_app_stops_a_virtual_time_run_with_the_cause():
    import pytest

    from relay.sim.mesh import AppFailedError

    mesh, apps = mesh_with_recorders(chain(3))

    class Broken:
        def on_packet(self, packet):
            raise ValueError("bug in app")

        def on_routing(self, report):
            pass

    mesh.node("n1").attach(Broken())
    mesh.node("n0").send(BROADCAST, 256, b"x")
    with pytest.raises(AppFailedError, match="bug in app") as info:
        mesh.run_for(60)
    assert isinstance(info.value.__cause__, ValueError)
    # The model stayed consistent: finishing the run still delivers to the others.
    mesh.raise_app_errors = False
    mesh.run_for(60)
    assert apps["n2"].payloads() == [b"x"]
