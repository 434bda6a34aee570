"""One contract, every transport (python-can's back2back style).

:class:`TransportContract` states what any :class:`~relay.radio.transport.Transport`
must do; each subclass runs it on one implementation over the same simulated air:
``tcp://`` and ``serial://`` through the real ``meshtastic`` library and emulated
devices, ``sim://`` in-process.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from relay.emulator.mesh import EmulatedMesh
from relay.radio.transport import Frame, LinkState, SendStatus, Transport
from relay.radio.url import TransportContext, open_transport
from relay.sim.mesh import Mesh
from relay.sim.realtime import RealtimeAir
from tests.emulator.scenarios import ALPHA, BRAVO, trio
from tests.helpers import eventually
from tests.radio.conftest import FAST, SPEED


@dataclass
class Pair:
    """Two started transports on neighbouring nodes (alpha and bravo of the trio)."""

    a: Transport
    b: Transport
    got_a: list[Frame]
    got_b: list[Frame]
    states_a: list[LinkState]


async def _pair(urls: tuple[str, str], context: TransportContext) -> AsyncIterator[Pair]:
    a, b = (open_transport(url, context) for url in urls)
    got_a: list[Frame] = []
    got_b: list[Frame] = []
    states_a: list[LinkState] = []
    a.on_frame(got_a.append)
    b.on_frame(got_b.append)
    a.on_state(states_a.append)
    await a.start()
    await b.start()
    try:
        yield Pair(a, b, got_a, got_b, states_a)
    finally:
        await a.close()
        await b.close()


class TransportContract:
    @pytest.fixture
    async def pair(self, no_leaks: None) -> AsyncIterator[Pair]:
        raise NotImplementedError
        yield  # pragma: no cover

    async def test_connected_with_our_node_number(self, pair: Pair) -> None:
        assert pair.a.state is LinkState.CONNECTED
        assert LinkState.CONNECTED in pair.states_a
        assert pair.a.node_num == ALPHA and pair.b.node_num == BRAVO
        assert pair.a.max_payload == 231

    async def test_broadcast_reaches_the_neighbour(self, pair: Pair) -> None:
        result = await pair.a.send(b"bulletin 1")
        assert result.status is SendStatus.QUEUED and result.packet_id
        await eventually(lambda: pair.got_b, what="frame at bravo")
        frame = pair.got_b[0]
        assert frame.payload == b"bulletin 1"
        assert frame.sender == ALPHA and frame.is_broadcast
        assert frame.packet_id == result.packet_id
        assert frame.hops == 0 and frame.snr is not None

    async def test_broadcast_with_ack_is_acked_by_a_relay(self, pair: Pair) -> None:
        result = await pair.a.send(b"bulletin 2", want_ack=True)
        assert result.status is SendStatus.ACKED

    async def test_dm_is_acked_by_its_destination(self, pair: Pair) -> None:
        result = await pair.a.send(b"status", BRAVO, want_ack=True)
        assert result.status is SendStatus.ACKED
        await eventually(lambda: pair.got_b, what="DM at bravo")
        assert pair.got_b[0].destination == BRAVO and not pair.got_b[0].is_broadcast

    async def test_full_frame_fits_one_byte_more_does_not(self, pair: Pair) -> None:
        assert (await pair.a.send(bytes(231))).status is SendStatus.QUEUED
        assert (await pair.a.send(bytes(232))).status is SendStatus.TOO_LARGE

    async def test_unsubscribed_handler_hears_nothing(self, pair: Pair) -> None:
        dropped: list[Frame] = []
        unsubscribe = pair.b.on_frame(dropped.append)
        unsubscribe()
        await pair.a.send(b"after unsubscribe")
        await eventually(lambda: pair.got_b, what="frame at bravo")
        assert dropped == []

    async def test_closed_transport_sends_nothing(self, pair: Pair) -> None:
        await pair.a.close()
        await pair.a.close()
        assert pair.a.state is LinkState.CLOSED
        assert pair.states_a[-1] is LinkState.CLOSED
        assert (await pair.a.send(b"too late")).status is SendStatus.NOT_SENT


class TestTcpTransport(TransportContract):
    @pytest.fixture
    async def pair(self, no_leaks: None) -> AsyncIterator[Pair]:
        async with EmulatedMesh(trio(), seed=5, speed=SPEED) as mesh:
            urls = tuple(f"tcp://127.0.0.1:{mesh[n].tcp_port}" for n in ("alpha", "bravo"))
            async for pair in _pair(urls, TransportContext(meshtastic=FAST)):  # type: ignore[arg-type]
                yield pair


class TestSerialTransport(TransportContract):
    @pytest.fixture
    async def pair(self, no_leaks: None) -> AsyncIterator[Pair]:
        serial = ["alpha", "bravo"]
        async with EmulatedMesh(trio(), seed=5, speed=SPEED, serial=serial, tcp=False) as mesh:
            urls = tuple(f"serial://{mesh[n].serial_path}" for n in serial)
            async for pair in _pair(urls, TransportContext(meshtastic=FAST)):  # type: ignore[arg-type]
                yield pair


class TestSimTransport(TransportContract):
    @pytest.fixture
    async def pair(self, no_leaks: None) -> AsyncIterator[Pair]:
        air = RealtimeAir(Mesh(trio(), random.Random(5)), speed=SPEED)
        async with air:
            async for pair in _pair(("sim://alpha", "sim://bravo"), TransportContext(air=air)):
                yield pair
