"""A full transmit queue, as a client of the emulated device sees it: QueueStatus res 32.

The firmware (``RadioLibInterface::send``, ``MeshService::sendToMesh``) releases a
packet its full queue cannot take and tells the client only through that packet's
QueueStatus; a packet that can evict a less important one is taken instead.
"""

from __future__ import annotations

import asyncio

from meshtastic.protobuf import mesh_pb2

from relay.emulator.framing import FrameReader, encode_frame
from relay.emulator.mesh import EmulatedMesh
from relay.sim.api import ERRNO_UNKNOWN
from tests.emulator.conftest import SPEED
from tests.emulator.raw_client import raw_handshake
from tests.emulator.scenarios import BRAVO, trio


def to_radio(packet_id: int, dst: int, want_ack: bool = False) -> bytes:
    packet = mesh_pb2.MeshPacket(id=packet_id, to=dst, want_ack=want_ack, hop_limit=3)
    packet.decoded.portnum = 256
    packet.decoded.payload = f"frame {packet_id}".encode()
    return encode_frame(mesh_pb2.ToRadio(packet=packet).SerializeToString())


async def statuses_for(reader: asyncio.StreamReader, ids: set[int]) -> dict[int, int]:
    frames = FrameReader()
    res: dict[int, int] = {}
    async with asyncio.timeout(20):
        while not ids <= res.keys():
            data = await reader.read(4096)
            assert data, "the device closed the connection"
            for raw in frames.feed(data):
                msg = mesh_pb2.FromRadio.FromString(raw)
                if msg.HasField("queueStatus") and msg.queueStatus.mesh_packet_id in ids:
                    res[msg.queueStatus.mesh_packet_id] = msg.queueStatus.res
    return res


async def test_queue_full_is_res_32_and_a_more_important_packet_evicts(no_leaks: None) -> None:
    async with EmulatedMesh(trio(tx_queue_size=1), seed=3, speed=SPEED) as small:
        reader, writer = await raw_handshake(small["alpha"].tcp_port, 7)
        try:
            # One write: the packets reach the device within a few virtual milliseconds,
            # while the first is on the air (or about to be) and the second fills the
            # one-slot queue.
            broadcasts = list(range(101, 106))
            writer.write(b"".join(to_radio(i, 0xFFFFFFFF) for i in broadcasts))
            writer.write(to_radio(200, BRAVO, want_ack=True))  # priority 70 evicts a 64
            await writer.drain()
            res = await statuses_for(reader, {*broadcasts, 200})
            assert res[101] == 0
            assert [res[i] for i in broadcasts[2:]] == [ERRNO_UNKNOWN] * 3
            assert res[200] == 0
        finally:
            writer.close()
            await writer.wait_closed()
