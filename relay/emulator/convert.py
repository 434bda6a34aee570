"""Simulator records -> the protobufs firmware sends to its client.

The simulator speaks frozen dataclasses (:mod:`relay.sim.api`); the stream API speaks
Meshtastic protobufs. Every conversion between the two lives here.
"""

from __future__ import annotations

from meshtastic.protobuf import mesh_pb2, portnums_pb2

from relay.emulator.device_state import hw_model_value
from relay.sim.api import MeshPacket, NodeInfo

Priority = mesh_pb2.MeshPacket.Priority


def packet_to_pb(packet: MeshPacket, rx_time_unix: int) -> mesh_pb2.MeshPacket:
    """A packet the node received, as ``FromRadio.packet`` carries it (decoded)."""
    pb = mesh_pb2.MeshPacket(
        to=packet.dst,
        id=packet.id,
        channel=packet.channel,
        rx_time=rx_time_unix,
        rx_snr=packet.rx_snr,
        rx_rssi=packet.rx_rssi,
        hop_limit=packet.hop_limit,
        hop_start=packet.hop_start,
        want_ack=packet.want_ack,
        priority=Priority.RELIABLE if packet.want_ack else Priority.DEFAULT,
    )
    setattr(pb, "from", packet.src)  # "from" is a Python keyword
    pb.decoded.portnum = packet.portnum
    pb.decoded.payload = packet.payload
    if packet.request_id:
        pb.decoded.request_id = packet.request_id
    return pb


def routing_packet(
    *,
    src: int,
    dst: int,
    request_id: int,
    error: int,
    packet_id: int,
    rx_time_unix: int,
) -> mesh_pb2.MeshPacket:
    """A ``ROUTING_APP`` ack/NAK as the firmware hands it to its client."""
    pb = mesh_pb2.MeshPacket(
        to=dst, id=packet_id, rx_time=rx_time_unix, priority=Priority.ACK, hop_limit=0
    )
    setattr(pb, "from", src)
    pb.decoded.portnum = portnums_pb2.PortNum.ROUTING_APP
    pb.decoded.payload = mesh_pb2.Routing(error_reason=error).SerializeToString()
    pb.decoded.request_id = request_id
    return pb


def node_info_to_pb(info: NodeInfo, now_unix: int, sim_now: float) -> mesh_pb2.NodeInfo:
    """A peer's node-database entry as ``FromRadio.node_info``."""
    node = mesh_pb2.NodeInfo(num=info.num)
    user = node.user
    user.id = f"!{info.num:08x}"
    user.long_name = info.long_name
    user.short_name = info.short_name
    user.hw_model = hw_model_value(info.hw_model)
    user.role = int(info.role)
    if info.snr is not None:
        node.snr = info.snr
    if info.hops_away is not None:
        node.hops_away = info.hops_away
    if info.last_heard is not None:
        node.last_heard = max(0, now_unix - round(sim_now - info.last_heard))
    if info.latitude is not None and info.longitude is not None:
        node.position.latitude_i = round(info.latitude * 1e7)
        node.position.longitude_i = round(info.longitude * 1e7)
        if info.altitude_m is not None:
            node.position.altitude = info.altitude_m
    return node
