"""The TCP API's one-client rule, seen with raw sockets (no library auto-reconnect)."""

from __future__ import annotations

import asyncio

from meshtastic.protobuf import mesh_pb2

from relay.emulator.framing import FrameReader, encode_frame
from relay.emulator.mesh import EmulatedMesh


async def _handshake(port: int, nonce: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    async with asyncio.timeout(20):
        return await _handshake_unbounded(port, nonce)


async def _handshake_unbounded(
    port: int, nonce: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"\xc3" * 32 + encode_frame(mesh_pb2.ToRadio(want_config_id=nonce).SerializeToString())
    )
    frames = FrameReader()
    while True:
        data = await reader.read(4096)
        assert data, "closed during the handshake"
        for raw in frames.feed(data):
            msg = mesh_pb2.FromRadio.FromString(raw)
            if msg.WhichOneof("payload_variant") == "config_complete_id":
                assert msg.config_complete_id == nonce
                return reader, writer


async def test_second_client_kicks_the_first(mesh: EmulatedMesh) -> None:
    port = mesh["alpha"].tcp.port
    reader1, writer1 = await _handshake(port, 11)
    _, writer2 = await _handshake(port, 22)
    try:
        assert await reader1.read() == b""  # the device closed the first connection
        assert mesh["alpha"].tcp.has_client
    finally:
        for writer in (writer1, writer2):
            writer.close()
            await writer.wait_closed()


async def test_heartbeat_is_answered_with_queue_status(mesh: EmulatedMesh) -> None:
    reader, writer = await _handshake(mesh["alpha"].tcp.port, 33)
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
