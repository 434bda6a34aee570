"""A bare stream-API client on a socket: handshake only, no library, no auto-reconnect."""

from __future__ import annotations

import asyncio

from meshtastic.protobuf import mesh_pb2

from relay.emulator.framing import FrameReader, encode_frame


async def raw_handshake(port: int, nonce: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
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
