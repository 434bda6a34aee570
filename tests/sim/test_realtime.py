"""The real-time driver: the same model paced to the loop's clock."""

import asyncio
import random

import pytest

from relay.airtime import frame_airtime_s, preset
from relay.sim.api import BROADCAST, MeshPacket
from relay.sim.mesh import Mesh
from relay.sim.realtime import AirNotRunningError, RealtimeAir, RealtimeNode
from relay.waits import within

from .helpers import Recorder, chain

SPEED = 50.0  # virtual seconds per wall second, so the tests take a moment, not minutes
PATIENCE = 30.0  # wall seconds before a test gives up waiting (a hang guard, not a check)


class Waiting(Recorder):
    """A recorder whose arrivals can be awaited."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = asyncio.Event()

    def on_packet(self, packet):
        super().on_packet(packet)
        self.arrived.set()

    async def next_packet(self) -> MeshPacket:
        await within(self.arrived.wait(), PATIENCE)
        self.arrived.clear()
        return self.packets[-1]


@pytest.fixture
async def air():
    mesh = Mesh(chain(3), random.Random(1))
    async with RealtimeAir(mesh, speed=SPEED) as running:
        yield running


async def test_a_packet_crosses_the_air_in_real_time(air):
    far = Waiting()
    air.node("n1").attach(far)
    sent_at = air.virtual_now()
    air.node("n0").send(BROADCAST, 256, b"live")
    packet = await far.next_packet()
    assert packet.payload == b"live"
    assert packet.rx_time >= sent_at + frame_airtime_s(4, preset("LONG_FAST"))
    assert air.virtual_now() >= packet.rx_time
    assert air.errors == []


async def test_apps_attach_and_detach_while_it_runs(air):
    first, second = Waiting(), Waiting()
    air.node("n2").attach(first)
    air.node("n0").send(BROADCAST, 256, b"one")
    assert (await first.next_packet()).payload == b"one"
    air.node("n2").detach(first)
    air.node("n2").attach(second)
    air.node("n0").send(BROADCAST, 256, b"two")
    assert (await second.next_packet()).payload == b"two"
    assert first.payloads() == [b"one"]


async def test_an_app_may_send_from_inside_a_callback(air):
    class Echo(Recorder):
        def __init__(self, node: RealtimeNode) -> None:
            super().__init__()
            self.node = node

        def on_packet(self, packet):
            super().on_packet(packet)
            self.node.send(packet.src, 256, b"echo:" + packet.payload)

    n1 = air.node("n1")
    n1.attach(Echo(n1))
    origin = Waiting()
    air.node("n0").attach(origin)
    air.node("n0").send(BROADCAST, 256, b"ping", hop_limit=0)
    assert (await origin.next_packet()).payload == b"echo:ping"


async def test_a_failing_app_is_logged_and_the_air_runs_on(air, caplog):
    class Broken(Recorder):
        def on_packet(self, packet):
            raise RuntimeError("app bug")

    healthy = Waiting()
    air.node("n0").attach(Broken())
    air.node("n2").attach(healthy)
    air.node("n1").send(BROADCAST, 256, b"x")
    await healthy.next_packet()
    while not air.errors:
        await asyncio.sleep(0.01)
    assert isinstance(air.errors[0], RuntimeError)
    assert "n0: client app failed" in caplog.text
    assert air.running


async def test_virtual_time_moves_with_the_clock_and_stops_with_the_air():
    mesh = Mesh(chain(2), random.Random(1))
    air = RealtimeAir(mesh, speed=SPEED)
    with pytest.raises(AirNotRunningError):
        air.node("n0").send(BROADCAST, 256, b"too early")
    await air.start()
    before = air.virtual_now()
    await asyncio.sleep(0.05)
    assert air.virtual_now() > before
    await air.stop()
    assert not air.running
    with pytest.raises(AirNotRunningError):
        air.node("n0").send(BROADCAST, 256, b"too late")


def test_speed_must_be_positive():
    with pytest.raises(ValueError, match="speed"):
        RealtimeAir(Mesh(chain(2), random.Random(1)), speed=0)


async def test_both_node_faces_implement_the_node_api(air: RealtimeAir) -> None:
    from relay.sim.api import SimNodeAPI, SimNodeControl

    live: SimNodeControl = air.node("n0")  # mypy checks the protocols here
    model: SimNodeControl = air.mesh.node("n0")
    contract: SimNodeAPI = live
    assert contract.info.num == live.info.num
    assert live.info == model.info
    assert [p.long_name for p in live.peers()] == ["n1", "n2"]
    assert live.queue_status() == (16, 16)
    assert live.air_util_tx() == 0.0
    assert live.now() >= model.now()
    from relay.sim.api import Role

    live.configure(role=Role.CLIENT_MUTE)
    assert model.info.role is Role.CLIENT_MUTE
