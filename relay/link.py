"""The frame-and-link vocabulary shared by the engine, the radios and the simulator.

It sits below all of them (beside :mod:`relay.errors` and :mod:`relay.airtime`): the
sans-I/O engine speaks in :class:`Frame` and :class:`SendStatus` without importing any
transport, and the simulator produces them without importing the radio package.
:mod:`relay.radio.transport` re-exports these names for the transports.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

#: Meshtastic's broadcast address.
BROADCAST = 0xFFFFFFFF
#: Our private application port (PRIVATE_APP).
PRIVATE_PORT = 256
#: How long a direct message with ``want_ack`` waits for its destination's ack once a relay
#: took it. The firmware stops retrying when it overhears a relay pass the frame on (an
#: implicit ack), so only the destination's ack proves delivery; without one by then the
#: frame counts as not delivered (``MAX_RETRANSMIT``) and its sender may try again. In the
#: 150-point region bench at LONG_FAST 99 % of those acks came within 36 s (max 86 s);
#: waiting 120 s made a lost help request wait two minutes for its next try.
DM_ACK_WAIT_S = 60.0


def node_id_str(num: int) -> str:
    """Meshtastic's ``!xxxxxxxx`` spelling of a node number."""
    return f"!{num:08x}"


@dataclass(frozen=True, slots=True)
class Frame:
    """One received radio frame on our port, as the transport hands it up."""

    payload: bytes
    sender: int
    destination: int
    #: Meshtastic packet id (for logs and duplicate diagnosis; not unique across senders).
    packet_id: int = 0
    snr: float | None = None
    rssi: int | None = None
    #: Hops the packet took to reach us (hop_start - hop_limit), when the firmware says.
    hops: int | None = None
    #: Transport clock (seconds) when the frame arrived; monotonic or virtual.
    rx_time: float = 0.0

    @property
    def is_broadcast(self) -> bool:
        return self.destination == BROADCAST


class LinkState(enum.Enum):
    """Connection state of a transport, reported on every change."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"  # down; the supervisor is trying again
    CLOSED = "closed"  # closed on purpose; no further frames


class SendStatus(enum.Enum):
    """What became of a frame handed to :meth:`Transport.send`.

    ``QUEUED`` means the radio accepted the frame for transmission (broadcasts without
    an ack request end here). ``ACKED`` means the destination (DM) or a rebroadcasting
    neighbour (broadcast with ``want_ack``: an implicit ack) confirmed it. The refusals
    mirror the firmware's routing errors; ``NOT_SENT`` means the frame never reached
    the radio (link down) and the caller still owns it.
    """

    QUEUED = "queued"
    ACKED = "acked"
    TOO_LARGE = "too_large"
    DUTY_CYCLE_LIMIT = "duty_cycle_limit"
    NO_ROUTE = "no_route"
    MAX_RETRANSMIT = "max_retransmit"
    RATE_LIMIT = "rate_limit"
    NOT_SENT = "not_sent"
    OTHER_ERROR = "other_error"

    @property
    def delivered_to_radio(self) -> bool:
        return self in (SendStatus.QUEUED, SendStatus.ACKED)


@dataclass(frozen=True, slots=True)
class SendResult:
    status: SendStatus
    packet_id: int = 0
    detail: str = ""
