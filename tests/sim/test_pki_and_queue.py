"""What the firmware adds to direct messages (PKI) and how a full transmit queue is told.

Firmware 2.7.26: Router.cpp ``perhapsEncode()`` encrypts every DM we originate to the
destination's key (12 more bytes, TOO_LARGE above 219 bytes of ours);
``RadioLibInterface::send()`` releases a packet the full queue cannot take and
``MeshService::sendToMesh()`` says so only in the client's QueueStatus (res 32).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from relay.airtime import MAX_APP_PAYLOAD, MAX_PKI_DM_PAYLOAD, PKI_OVERHEAD_BYTES, phy_bytes
from relay.engine.outputs import Transmit
from relay.sim.air import Transmission
from relay.sim.api import BROADCAST, ERRNO_OK, ERRNO_UNKNOWN, QueueReport, RoutingError
from relay.sim.engine_driver import EngineDriver
from relay.sim.frames import AirFrame
from relay.sim.mesh import Mesh
from tests.engine.harness import build_world, text
from tests.sim.helpers import Recorder, chain

PORT = 256


@dataclass
class QueueRecorder(Recorder):
    """A Recorder that also keeps the per-packet QueueStatus reports."""

    queue: list[QueueReport] = field(default_factory=list)

    def on_queue_status(self, report: QueueReport) -> None:
        self.queue.append(report)


def mesh_of(n: int, **radio: int) -> tuple[Mesh, dict[str, QueueRecorder], list[AirFrame]]:
    """A chain of n nodes with recording apps and a log of every frame put on the air."""
    mesh = Mesh(chain(n, **radio), random.Random(1), link_seed=1)
    apps = {node.name: QueueRecorder() for node in mesh.nodes}
    for node in mesh.nodes:
        node.attach(apps[node.name])
    on_air: list[AirFrame] = []
    transmit = mesh.air.transmit

    def logged(sender: int, frame: AirFrame, start: float) -> Transmission:
        on_air.append(frame)
        return transmit(sender, frame, start)

    mesh.air.transmit = logged  # type: ignore[method-assign]
    return mesh, apps, on_air


def test_a_dm_is_12_bytes_longer_on_air_than_a_broadcast_relays_included() -> None:
    mesh, apps, on_air = mesh_of(3)
    payload = bytes(100)
    n0, n2 = mesh.node("n0"), mesh.node("n2")
    broadcast_id = n0.send(BROADCAST, PORT, payload)
    mesh.run_for(60)
    dm_id = n0.send(n2.num, PORT, payload)
    mesh.run_for(60)
    broadcasts = [f for f in on_air if f.id == broadcast_id]
    dms = [f for f in on_air if f.id == dm_id]
    assert len(dms) == 2  # n0's and n1's relay
    assert {f.phy_len for f in broadcasts} == {phy_bytes(len(payload))}
    assert {f.phy_len for f in dms} == {phy_bytes(len(payload)) + PKI_OVERHEAD_BYTES}
    assert phy_bytes(100, pki=True) == phy_bytes(100) + 12
    airtimes = {round(mesh.air.airtime_s(f), 6) for f in dms}
    assert len(airtimes) == 1 and airtimes.pop() > mesh.air.airtime_s(broadcasts[0])
    assert apps["n2"].payloads() == [payload, payload]


def test_routing_acks_are_not_pki_encrypted() -> None:
    mesh, _, on_air = mesh_of(2)
    n0, n1 = mesh.node("n0"), mesh.node("n1")
    dm_id = n0.send(n1.num, PORT, b"ack me", want_ack=True)
    mesh.run_for(60)
    acks = [f for f in on_air if f.request_id == dm_id]
    assert acks and not any(f.pki for f in acks)
    assert all(f.pki for f in on_air if f.id == dm_id)


def test_too_large_at_219_bytes_for_dms_and_231_for_broadcasts() -> None:
    assert MAX_PKI_DM_PAYLOAD == 219 and MAX_APP_PAYLOAD == 231
    mesh, apps, _ = mesh_of(2)
    n0, n1 = mesh.node("n0"), mesh.node("n1")
    ids = {
        "dm 219": n0.send(n1.num, PORT, bytes(219)),
        "dm 220": n0.send(n1.num, PORT, bytes(220)),
        "broadcast 231": n0.send(BROADCAST, PORT, bytes(231)),
        "broadcast 232": n0.send(BROADCAST, PORT, bytes(232)),
    }
    mesh.run_for(120)
    nak = {k: [r.error for r in apps["n0"].reports_for(pid)] for k, pid in ids.items()}
    assert nak == {
        "dm 219": [],
        "dm 220": [RoutingError.TOO_LARGE],
        "broadcast 231": [],
        "broadcast 232": [RoutingError.TOO_LARGE],
    }
    assert sorted(len(p) for p in apps["n1"].payloads()) == [219, 231]
    res = {r.packet_id: r.res for r in apps["n0"].queue}
    assert res[ids["dm 220"]] == RoutingError.TOO_LARGE and res[ids["dm 219"]] == ERRNO_OK


def test_a_dm_to_a_node_without_a_known_key_is_refused() -> None:
    mesh, apps, on_air = mesh_of(2)
    pid = mesh.node("n0").send(0x0BAD_BEEF, PORT, b"who?")
    mesh.run_for(10)
    assert [r.error for r in apps["n0"].reports_for(pid)] == [RoutingError.PKI_SEND_FAIL_PUBLIC_KEY]
    assert not [f for f in on_air if f.id == pid]


def test_a_full_queue_refuses_only_in_the_queue_status() -> None:
    mesh, apps, on_air = mesh_of(2, tx_queue_size=1)
    n0 = mesh.node("n0")
    first = n0.send(BROADCAST, PORT, b"first")
    second = n0.send(BROADCAST, PORT, b"second")  # same priority: nothing to evict
    mesh.run_for(60)
    assert [(r.packet_id, r.res) for r in apps["n0"].queue] == [
        (first, ERRNO_OK),
        (second, ERRNO_UNKNOWN),
    ]
    assert apps["n0"].reports_for(second) == []  # no routing NAK: the QueueStatus says it
    assert {f.id for f in on_air} == {first}  # sent by n0, relayed by n1
    assert n0.firmware.counters.refused_queue_full == 1


def test_a_more_important_packet_evicts_instead_of_being_refused() -> None:
    mesh, apps, on_air = mesh_of(2, tx_queue_size=1)
    n0, n1 = mesh.node("n0"), mesh.node("n1")
    evicted = n0.send(BROADCAST, PORT, b"routine")  # priority 64
    dm = n0.send(n1.num, PORT, b"reliable", want_ack=True)  # priority 70 takes its place
    mesh.run_for(60)
    assert {r.packet_id: r.res for r in apps["n0"].queue} == {evicted: ERRNO_OK, dm: ERRNO_OK}
    assert evicted not in {f.id for f in on_air}
    assert apps["n1"].payloads() == [b"reliable"]


def test_the_bench_driver_hands_a_queue_refusal_back_as_not_sent() -> None:
    """The engine keeps the refused frame and sends it again; it is not counted sent."""
    mesh, apps, on_air = mesh_of(2, tx_queue_size=1)
    hub_node = mesh.node("n0")
    world = build_world(1)
    driver = EngineDriver(hub_node, world.hub, mesh.scheduler.call_later)
    hub_node.attach(driver)
    filler = hub_node.send(BROADCAST, PORT, b"filler")  # the one queue slot is taken
    _, outputs = world.hub.issue(text("Stroom valt uit; kom naar het dorpshuis."), mesh.now())
    transmits = [o for o in outputs if isinstance(o, Transmit)]
    assert transmits, "the hub sends the bulletin at once"
    driver.handle(outputs)
    mesh.run_for(2.0)
    assert driver.refused_queue_full == 1
    assert {f.id for f in on_air} <= {filler}
    mesh.run_for(120.0)
    got = apps["n1"].payloads()
    assert all(t.payload in got for t in transmits)
    assert driver.refused_queue_full == 1
