"""The stream API session, driven with bytes (no sockets): the device side of PhoneAPI."""

from __future__ import annotations

import asyncio
import random

import pytest
from meshtastic.protobuf import admin_pb2, mesh_pb2, portnums_pb2

from relay.emulator.framing import FrameReader, encode_frame
from relay.emulator.node import EmulatedNode
from relay.emulator.phone_api import SPECIAL_NONCE_ONLY_CONFIG, PhoneSession
from tests.emulator.fake_air import FakeAir, FakeNode


class Wire:
    """A ClientLink that keeps what the device wrote."""

    def __init__(self) -> None:
        self._reader = FrameReader()
        self.messages: list[mesh_pb2.FromRadio] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.messages += [mesh_pb2.FromRadio.FromString(f) for f in self._reader.feed(data)]

    def close(self) -> None:
        self.closed = True

    def kinds(self) -> list[str]:
        out = []
        for m in self.messages:
            kind = m.WhichOneof("payload_variant")
            if kind == "config":
                kind = f"config.{m.config.WhichOneof('payload_variant')}"
            elif kind == "moduleConfig":
                kind = "moduleConfig"
            out.append(kind)
        return out

    def take(self) -> list[mesh_pb2.FromRadio]:
        got, self.messages = self.messages, []
        return got


def to_radio(**fields: object) -> bytes:
    return encode_frame(mesh_pb2.ToRadio(**fields).SerializeToString())


@pytest.fixture
def air() -> FakeAir:
    return FakeAir()


@pytest.fixture
def session(air: FakeAir) -> tuple[PhoneSession, Wire, FakeNode]:
    fake = air.add(0x1111, "alpha")
    air.add(0x2222, "bravo")
    node = EmulatedNode(fake, rng=random.Random(5))
    node.attach()
    wire = Wire()
    session = PhoneSession(node, wire, "test")
    node.add_session(session)
    return session, wire, fake


def test_handshake_in_firmware_order(session: tuple[PhoneSession, Wire, FakeNode]) -> None:
    phone, wire, _ = session
    phone.feed(b"\xc3" * 32 + to_radio(want_config_id=42))
    kinds = wire.kinds()
    configs = [
        f"config.{s}"
        for s in (
            "device",
            "position",
            "power",
            "network",
            "display",
            "lora",
            "bluetooth",
            "security",
            "sessionkey",
            "device_ui",
        )
    ]
    n_modules = kinds.count("moduleConfig")
    assert n_modules >= 13
    assert kinds == [
        "my_info",
        "deviceuiConfig",
        "node_info",
        "metadata",
        *["channel"] * 8,
        *configs,
        *["moduleConfig"] * n_modules,
        "node_info",
        "config_complete_id",
    ]
    assert wire.messages[-1].config_complete_id == 42
    assert wire.messages[2].node_info.num == 0x1111
    assert wire.messages[-2].node_info.num == 0x2222
    assert wire.messages[-2].node_info.user.id == "!00002222"


def test_only_config_nonce_skips_peers(session: tuple[PhoneSession, Wire, FakeNode]) -> None:
    phone, wire, _ = session
    phone.feed(to_radio(want_config_id=SPECIAL_NONCE_ONLY_CONFIG))
    assert wire.kinds().count("node_info") == 1


def test_heartbeat_gets_queue_status(session: tuple[PhoneSession, Wire, FakeNode]) -> None:
    phone, wire, fake = session
    fake.free = 11
    phone.feed(to_radio(heartbeat={}))
    (msg,) = wire.take()
    assert msg.queueStatus.free == 11 and msg.queueStatus.maxlen == 16


def _packet(**fields: object) -> mesh_pb2.MeshPacket:
    decoded = fields.pop("decoded", {})
    packet = mesh_pb2.MeshPacket(**fields)
    for key, value in decoded.items():  # type: ignore[attr-defined]
        setattr(packet.decoded, key, value)
    return packet


async def test_client_packet_goes_to_air_with_queue_status(
    session: tuple[PhoneSession, Wire, FakeNode], air: FakeAir
) -> None:
    phone, wire, _ = session
    phone.feed(to_radio(want_config_id=1))
    wire.take()
    packet = _packet(to=0xFFFFFFFF, id=77, hop_limit=3, decoded={"portnum": 256, "payload": b"hoi"})
    phone.feed(to_radio(packet=packet))
    phone.feed(to_radio(packet=packet))  # the same id again: ignored, as PhoneAPI does
    await asyncio.sleep(0)
    (msg,) = wire.take()
    assert msg.queueStatus.mesh_packet_id == 77 and msg.queueStatus.res == 0
    assert [p.payload for p in air.sent] == [b"hoi"]


async def test_too_large_comes_back_in_queue_status_and_as_nak(
    session: tuple[PhoneSession, Wire, FakeNode],
) -> None:
    phone, wire, _ = session
    phone.feed(to_radio(want_config_id=1))
    wire.take()
    packet = _packet(to=0xFFFFFFFF, id=78, decoded={"portnum": 256, "payload": b"x" * 232})
    phone.feed(to_radio(packet=packet))
    for _ in range(3):
        await asyncio.sleep(0)
    status, nak = wire.take()
    assert status.queueStatus.res == mesh_pb2.Routing.Error.TOO_LARGE
    assert nak.packet.decoded.portnum == portnums_pb2.PortNum.ROUTING_APP
    assert nak.packet.decoded.request_id == 78
    routing = mesh_pb2.Routing.FromString(nak.packet.decoded.payload)
    assert routing.error_reason == mesh_pb2.Routing.Error.TOO_LARGE
    assert getattr(nak.packet, "from") == 0x1111


async def test_packets_wait_for_a_client(
    session: tuple[PhoneSession, Wire, FakeNode], air: FakeAir
) -> None:
    """The firmware keeps up to 32 packets for a client that is not connected."""
    phone, wire, _ = session
    air.nodes[0x2222].send(0x1111, 256, b"while you were away")
    await asyncio.sleep(0)
    assert wire.take() == []
    phone.feed(to_radio(want_config_id=5))
    last = wire.take()[-1]
    assert last.packet.decoded.payload == b"while you were away"


def test_admin_get_channel_and_set_owner(session: tuple[PhoneSession, Wire, FakeNode]) -> None:
    phone, wire, _ = session
    phone.feed(to_radio(want_config_id=1))
    wire.take()
    ask = admin_pb2.AdminMessage(get_channel_request=1)
    phone.feed(
        to_radio(
            packet=_packet(
                to=0x1111,
                id=5,
                want_ack=True,
                decoded={
                    "portnum": portnums_pb2.PortNum.ADMIN_APP,
                    "payload": ask.SerializeToString(),
                    "want_response": True,
                },
            )
        )
    )
    status, reply = wire.take()
    assert status.queueStatus.mesh_packet_id == 5
    answer = admin_pb2.AdminMessage.FromString(reply.packet.decoded.payload)
    assert answer.get_channel_response.role == answer.get_channel_response.Role.PRIMARY
    assert reply.packet.decoded.request_id == 5
    assert len(answer.session_passkey) == 8

    owner = admin_pb2.AdminMessage()
    owner.set_owner.long_name = "   "
    phone.feed(
        to_radio(
            packet=_packet(
                to=0x1111,
                id=6,
                decoded={
                    "portnum": portnums_pb2.PortNum.ADMIN_APP,
                    "payload": owner.SerializeToString(),
                    "want_response": True,
                },
            )
        )
    )
    _, nak = wire.take()
    routing = mesh_pb2.Routing.FromString(nak.packet.decoded.payload)
    assert routing.error_reason == mesh_pb2.Routing.Error.BAD_REQUEST


def test_disconnect_stops_live_output(session: tuple[PhoneSession, Wire, FakeNode]) -> None:
    phone, _, _ = session
    phone.feed(to_radio(want_config_id=1))
    phone.feed(to_radio(disconnect=True))
    assert not phone.streaming


def test_malformed_toradio_is_ignored(session: tuple[PhoneSession, Wire, FakeNode]) -> None:
    phone, wire, _ = session
    phone.feed(encode_frame(b"\xff\xff\xff"))
    phone.feed(to_radio(want_config_id=9))
    assert wire.messages[-1].config_complete_id == 9
