"""The one narrow transport protocol between noodrelay and a radio.

Everything above this line (the delivery engine, the daemon) sees only these types;
everything below (the ``meshtastic`` library and its threads, the simulator's air)
stays inside one implementation of :class:`Transport`. Implementations are chosen by
URL scheme (``serial://``, ``tcp://``, ``sim://``) in :mod:`relay.radio.url`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

#: Meshtastic's broadcast address.
BROADCAST = 0xFFFFFFFF
#: Our private application port (PRIVATE_APP).
PRIVATE_PORT = 256


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


#: Called with every received frame (on the asyncio loop thread, never another thread).
FrameHandler = Callable[[Frame], None]
#: Called with every link state change (on the asyncio loop thread).
StateHandler = Callable[[LinkState], None]
#: Returned by the subscribe calls: call it to unsubscribe.
Unsubscribe = Callable[[], None]


class Transport(Protocol):
    """An async link to one radio.

    Implementations must never report a frame as sent when the radio did not take it,
    must deliver callbacks on the event loop thread, and must not raise from ``close``.
    """

    @property
    def max_payload(self) -> int:
        """Largest payload one frame carries on our port (231 on Meshtastic)."""
        ...

    @property
    def node_num(self) -> int | None:
        """Our own node number, once connected."""
        ...

    @property
    def state(self) -> LinkState: ...

    async def start(self) -> None:
        """Connect (and keep reconnecting in the background until :meth:`close`)."""
        ...

    async def send(
        self,
        payload: bytes,
        destination: int = BROADCAST,
        *,
        want_ack: bool = False,
        hop_limit: int | None = None,
    ) -> SendResult:
        """Hand one frame to the radio; wait for the ack/NAK only when ``want_ack``."""
        ...

    def on_frame(self, handler: FrameHandler) -> Unsubscribe: ...

    def on_state(self, handler: StateHandler) -> Unsubscribe: ...

    async def close(self) -> None: ...
