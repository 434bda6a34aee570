"""sim://: the Transport protocol over a node of a running real-time air."""

import asyncio
import random
from typing import Any

import pytest

from relay.radio.sim_transport import SimTransport
from relay.radio.transport import BROADCAST, Frame, LinkState, SendResult, SendStatus
from relay.sim.mesh import Mesh
from relay.sim.realtime import RealtimeAir
from relay.sim.scenario import Scenario, parse_scenario
from relay.waits import within

from .helpers import chain, link_scenario

SPEED = 50.0
PATIENCE = 30.0  # wall seconds: a hang guard, not a timing check


async def running_air(scenario: Scenario) -> RealtimeAir:
    air = RealtimeAir(Mesh(scenario, random.Random(1)), speed=SPEED)
    await air.start()
    return air


@pytest.fixture
async def chain_air():
    air = await running_air(chain(3))
    yield air
    await air.stop()


async def connected(air: RealtimeAir, name: str, **kwargs: float) -> SimTransport:
    transport = SimTransport(air, name, **kwargs)
    await transport.start()
    return transport


class Inbox:
    def __init__(self, transport: SimTransport) -> None:
        self.frames: list[Frame] = []
        self._event = asyncio.Event()
        self.unsubscribe = transport.on_frame(self._got)

    def _got(self, frame: Frame) -> None:
        self.frames.append(frame)
        self._event.set()

    async def next(self) -> Frame:
        await within(self._event.wait(), PATIENCE)
        self._event.clear()
        return self.frames[-1]


async def send(transport: SimTransport, *args: Any, **kwargs: Any) -> SendResult:
    return await within(transport.send(*args, **kwargs), PATIENCE)


async def test_start_reports_state_and_node_number(chain_air):
    transport = SimTransport(chain_air, "n0")
    states: list[LinkState] = []
    transport.on_state(states.append)
    assert transport.state is LinkState.CONNECTING and transport.node_num is None
    await transport.start()
    assert states == [LinkState.CONNECTED]
    assert transport.node_num == chain_air.node("n0").num
    assert transport.max_payload == 231
    await transport.close()
    assert states == [LinkState.CONNECTED, LinkState.CLOSED]


async def test_broadcast_is_queued_and_arrives_as_a_frame(chain_air):
    a, b, c = [await connected(chain_air, n) for n in ("n0", "n1", "n2")]
    at_b, at_c = Inbox(b), Inbox(c)
    result = await send(a, b"bulletin")
    assert result.status is SendStatus.QUEUED and result.packet_id
    frame = await at_b.next()
    assert (frame.payload, frame.sender, frame.destination, frame.hops) == (
        b"bulletin",
        a.node_num,
        BROADCAST,
        0,
    )
    assert frame.is_broadcast and frame.packet_id == result.packet_id
    assert frame.snr is not None and frame.rssi is not None and frame.rx_time > 0
    assert (await at_c.next()).hops == 1


async def test_broadcast_want_ack_resolves_on_the_implicit_ack(chain_air):
    a = await connected(chain_air, "n0")
    result = await send(a, b"acked", want_ack=True)
    assert result.status is SendStatus.ACKED
    assert result.detail == "implicit ack"


async def test_dm_want_ack_resolves_on_the_destinations_ack(chain_air):
    a, c = await connected(chain_air, "n0"), await connected(chain_air, "n2")
    at_c = Inbox(c)
    result = await send(a, b"status", c.node_num, want_ack=True)
    assert result.status is SendStatus.ACKED
    assert result.detail == f"ack from {c.node_num:#010x}"
    frame = await at_c.next()
    assert frame.destination == c.node_num and frame.hops == 1


async def test_too_large_is_refused(chain_air):
    a = await connected(chain_air, "n0")
    assert (await send(a, bytes(232))).status is SendStatus.TOO_LARGE
    assert (await send(a, bytes(231))).status is SendStatus.QUEUED


async def test_nobody_relays_means_max_retransmit():
    nodes = ["a", {"name": "mute", "role": "CLIENT_MUTE"}]
    air = await running_air(link_scenario(nodes, [("a", "mute", 5.0)]))
    try:
        a = await connected(air, "a")
        result = await send(a, b"anyone?", want_ack=True)
        assert result.status is SendStatus.MAX_RETRANSMIT
    finally:
        await air.stop()


async def test_dm_relayed_but_never_acked_is_not_delivered():
    """n1 relays (implicit ack) but n2 cannot answer: b hears a, a never hears b."""
    doc = {
        "radio": {"fading_sigma_db": 0},
        "nodes": [{"name": n, "num": 0x100 + i} for i, n in enumerate(("n0", "n1", "n2"))],
        "links": [
            {"a": "n0", "b": "n1", "snr_db": 5.0},
            {"a": "n1", "b": "n2", "snr_db": 5.0, "one_way": True},
        ],
    }
    air = await running_air(parse_scenario(doc))
    try:
        a = await connected(air, "n0", ack_timeout=60.0)
        result = await send(a, b"dm", 0x102, want_ack=True)
        # Not delivered: only the destination's ack proves that (the sender may try again).
        assert result.status is SendStatus.MAX_RETRANSMIT
        assert result.detail == "relayed by 0x00000101; no ack from the destination"
    finally:
        await air.stop()


async def test_duty_cycle_limit_is_reported():
    air = await running_air(chain(2, duty_cycle_percent=1.0))
    try:
        a = await connected(air, "n0")
        statuses = []
        for _ in range(30):
            result = await send(a, bytes(231), hop_limit=0)
            statuses.append(result.status)
            if result.status is SendStatus.DUTY_CYCLE_LIMIT:
                break
            await asyncio.sleep(3.0 / SPEED)  # let each frame leave before the next
        assert statuses[-1] is SendStatus.DUTY_CYCLE_LIMIT
        assert statuses[:-1] == [SendStatus.QUEUED] * (len(statuses) - 1)
    finally:
        await air.stop()


async def test_a_full_queue_makes_send_wait_not_fail():
    air = await running_air(chain(2, tx_queue_size=1))
    try:
        a = await connected(air, "n0")
        b = await connected(air, "n1")
        at_b = Inbox(b)
        results = await asyncio.gather(*(send(a, b"%d" % k, hop_limit=0) for k in range(3)))
        assert [r.status for r in results] == [SendStatus.QUEUED] * 3
        while len(at_b.frames) < 3:
            await at_b.next()
        assert sorted(f.payload for f in at_b.frames) == [b"0", b"1", b"2"]
    finally:
        await air.stop()


async def test_closed_transport_sends_nothing_and_hears_nothing(chain_air):
    a, b = await connected(chain_air, "n0"), await connected(chain_air, "n1")
    at_b = Inbox(b)
    await b.close()
    await b.close()  # closing twice is fine
    assert b.state is LinkState.CLOSED
    assert (await send(b, b"x")).status is SendStatus.NOT_SENT
    assert (await send(a, b"after close")).status is SendStatus.QUEUED
    other = await connected(chain_air, "n1")
    at_other = Inbox(other)
    await send(a, b"to the new client")
    assert (await at_other.next()).payload in (b"after close", b"to the new client")
    assert at_b.frames == []


async def test_a_failing_handler_does_not_stop_the_others(chain_air, caplog):
    a, b = await connected(chain_air, "n0"), await connected(chain_air, "n1")

    def broken(frame):
        raise RuntimeError("handler bug")

    b.on_frame(broken)
    good, witness = Inbox(b), Inbox(b)
    await send(a, b"x")
    assert (await good.next()).payload == b"x"
    assert "frame handler failed" in caplog.text
    good.unsubscribe()
    await send(a, b"y")
    while [f.payload for f in witness.frames] != [b"x", b"y"]:
        await witness.next()
    assert [f.payload for f in good.frames] == [b"x"]


async def test_stopping_the_air_settles_sends_and_drops_the_link() -> None:
    air = await running_air(chain(2))
    a = await connected(air, "n0", ack_timeout=1000.0)
    states: list[LinkState] = []
    a.on_state(states.append)
    waiting = asyncio.create_task(a.send(b"dm", air.node("n1").num, want_ack=True))
    while not a._pending:
        await asyncio.sleep(0)
    await air.stop()
    result = await within(waiting, PATIENCE)
    assert result.status is SendStatus.QUEUED and result.detail == "the simulated air stopped"
    assert states == [LinkState.DISCONNECTED]
    assert (await a.send(b"more")).status is SendStatus.NOT_SENT
    await a.close()
    assert states == [LinkState.DISCONNECTED, LinkState.CLOSED]
