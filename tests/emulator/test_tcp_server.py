"""The TCP API's one-client rule, seen with raw sockets (no library auto-reconnect)."""

from __future__ import annotations

import asyncio
import random

from meshtastic.protobuf import mesh_pb2

from relay.emulator.framing import FrameReader, encode_frame
from relay.emulator.mesh import EmulatedMesh
from relay.emulator.node import EmulatedNode
from relay.emulator.radio import EmulatedRadio
from tests.emulator.fake_air import FakeAir
from tests.emulator.raw_client import raw_handshake


async def test_second_client_kicks_the_first(mesh: EmulatedMesh) -> None:
    port = mesh["alpha"].tcp_port
    reader1, writer1 = await raw_handshake(port, 11)
    _, writer2 = await raw_handshake(port, 22)
    try:
        assert await reader1.read() == b""  # the device closed the first connection
        server = mesh["alpha"].tcp
        assert server is not None and server.has_client
    finally:
        for writer in (writer1, writer2):
            writer.close()
            await writer.wait_closed()


async def test_heartbeat_is_answered_with_queue_status(mesh: EmulatedMesh) -> None:
    reader, writer = await raw_handshake(mesh["alpha"].tcp_port, 33)
    try:
        writer.write(encode_frame(mesh_pb2.ToRadio(heartbeat={}).SerializeToString()))
        frames = FrameReader()
        statuses: list[mesh_pb2.QueueStatus] = []
        async with asyncio.timeout(20):
            while not statuses:
                data = await reader.read(4096)
                got = [mesh_pb2.FromRadio.FromString(f) for f in frames.feed(data)]
                statuses = [m.queueStatus for m in got if m.HasField("queueStatus")]
        assert statuses[0].maxlen == 16 and statuses[0].mesh_packet_id == 0
    finally:
        writer.close()
        await writer.wait_closed()


async def test_silent_client_is_dropped(no_leaks: None) -> None:
    """The firmware closes a client it has not heard from (15 minutes; 0.2 s here)."""
    air = FakeAir()
    radio = EmulatedRadio(EmulatedNode(air.add(1, "solo"), rng=random.Random(1)), client_idle_s=0.2)
    async with radio:
        reader, writer = await raw_handshake(radio.tcp_port, 5)
        try:
            async with asyncio.timeout(20):
                while await reader.read(4096):  # queue status updates, then the close
                    pass
        finally:
            writer.close()
            await writer.wait_closed()
