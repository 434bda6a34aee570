"""What travels on the simulated air: a Meshtastic packet as the firmware puts it on LoRa.

The header fields are the firmware's (``PacketHeader``: to, from, id, flags with hop
limit / hop start / want_ack, channel hash, next_hop, relay_node). The payload is kept
decoded (the simulator does not encrypt), but its size on air is computed from the
protobuf encoding the firmware would produce, so airtime is right.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from relay.airtime import MAX_PHY_PAYLOAD, PKI_OVERHEAD_BYTES, phy_bytes
from relay.sim.api import BROADCAST, RoutingError

#: Meshtastic port numbers the model needs by name.
TEXT_MESSAGE_APP = 1
POSITION_APP = 3
NODEINFO_APP = 4
ROUTING_APP = 5
ADMIN_APP = 6
TEXT_MESSAGE_COMPRESSED_APP = 7
WAYPOINT_APP = 8
ALERT_APP = 11
KEY_VERIFICATION_APP = 12
TELEMETRY_APP = 67
TRACEROUTE_APP = 70
STORE_FORWARD_APP = 65
STORE_FORWARD_PLUSPLUS_APP = 35
PRIVATE_APP = 256

#: Ports a CORE_PORTNUMS_ONLY node still handles and relays (Router::handleReceived).
CORE_PORTNUMS = frozenset(
    {
        TEXT_MESSAGE_APP,
        TEXT_MESSAGE_COMPRESSED_APP,
        POSITION_APP,
        NODEINFO_APP,
        ROUTING_APP,
        TELEMETRY_APP,
        ADMIN_APP,
        ALERT_APP,
        KEY_VERIFICATION_APP,
        WAYPOINT_APP,
        STORE_FORWARD_APP,
        TRACEROUTE_APP,
        STORE_FORWARD_PLUSPLUS_APP,
    }
)

#: Ports Router.cpp ``perhapsEncode()`` never PKI-encrypts, even in a direct message.
PKI_EXCLUDED_PORTS = frozenset({TRACEROUTE_APP, NODEINFO_APP, ROUTING_APP, POSITION_APP})

#: next_hop value meaning "flood" and relay_node value meaning "unknown".
NO_NEXT_HOP = 0
NO_RELAY_NODE = 0


class Priority(enum.IntEnum):
    """MeshPacket.Priority; the transmit queue is ordered by it."""

    BACKGROUND = 10
    DEFAULT = 64
    RELIABLE = 70
    RESPONSE = 80
    HIGH = 100
    ALERT = 110
    ACK = 120


def last_byte(num: int) -> int:
    """The firmware identifies relayers and next hops by a node number's last byte."""
    return num & 0xFF


def routing_payload(error: RoutingError) -> bytes:
    """Encoded ``Routing{error_reason}`` (field 3, varint); the firmware always writes it."""
    value = int(error)
    out = bytearray([0x18])
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def default_priority(portnum: int, want_ack: bool, request_id: int) -> Priority:
    """fixPriority(): what the firmware assigns when the client left priority unset."""
    if portnum == ROUTING_APP:
        return Priority.ACK
    if portnum in (TEXT_MESSAGE_APP, ADMIN_APP):
        return Priority.HIGH
    if request_id:
        return Priority.RESPONSE
    return Priority.RELIABLE if want_ack else Priority.DEFAULT


@dataclass(frozen=True, slots=True)
class AirFrame:
    """One Meshtastic packet as transmitted (header + decoded payload)."""

    src: int
    dst: int
    id: int
    portnum: int
    payload: bytes
    hop_limit: int
    hop_start: int
    want_ack: bool = False
    next_hop: int = NO_NEXT_HOP
    relay_node: int = NO_RELAY_NODE
    channel: int = 0
    request_id: int = 0
    #: For ROUTING_APP frames: the error carried (NONE for an ack).
    routing_error: RoutingError | None = None
    priority: Priority = Priority.DEFAULT
    #: Encrypted to the destination's public key (12 more bytes on air, relays included).
    pki: bool = False
    phy_len: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if not self.phy_len:
            size = phy_bytes(len(self.payload), self.portnum)
            if self.pki:
                size += PKI_OVERHEAD_BYTES
            if self.request_id:
                size += 5  # request_id: fixed32 with its tag
            object.__setattr__(self, "phy_len", size)

    @property
    def is_broadcast(self) -> bool:
        return self.dst == BROADCAST

    @property
    def too_large(self) -> bool:
        return self.phy_len > MAX_PHY_PAYLOAD

    @property
    def hops_away(self) -> int:
        """getHopsAway(): hops taken so far, -1 when the header cannot tell."""
        if self.hop_start == 0 or self.hop_start < self.hop_limit:
            return -1
        return self.hop_start - self.hop_limit

    @property
    def key(self) -> tuple[int, int]:
        return (self.src, self.id)
