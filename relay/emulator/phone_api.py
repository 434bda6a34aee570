"""One client connection of an emulated node: the firmware's ``PhoneAPI`` state machine.

Bytes from the client go in through :meth:`PhoneSession.feed`; framed ``FromRadio``
messages come out through the :class:`ClientLink` the server gave us. The session knows
the stream protocol (framing, the handshake order, heartbeats, disconnect, duplicate
packet ids); what the node *does* with a packet is the node's business
(:class:`SessionHost`).

The handshake order is firmware v2.7.26's ``PhoneAPI::getFromRadio``: ``my_info``,
``deviceuiConfig``, own ``node_info``, ``metadata``, ``channel`` x 8, ``config`` (device,
position, power, network, display, lora, bluetooth, security, sessionkey, device_ui),
``moduleConfig`` x N, the other nodes' ``node_info``, ``config_complete_id``.
"""

from __future__ import annotations

import enum
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Protocol

from google.protobuf.message import DecodeError
from meshtastic.protobuf import mesh_pb2

from relay.emulator.framing import FrameReader, FrameTooLargeError, encode_frame

logger = logging.getLogger(__name__)

#: ``want_config_id`` nonces with a special meaning (PhoneAPI.h).
SPECIAL_NONCE_ONLY_CONFIG = 69420
SPECIAL_NONCE_ONLY_NODES = 69421
#: PhoneAPI remembers the last 20 packet ids from its client and ignores repeats.
RECENT_IDS = 20


class ClientLink(Protocol):
    """The I/O side of a session (a TCP connection or a pseudo-terminal)."""

    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...


class SessionHost(Protocol):
    """What the session asks of its node."""

    def handshake(self, nonce: int) -> list[mesh_pb2.FromRadio]: ...

    def handle_client_packet(self, packet: mesh_pb2.MeshPacket) -> list[mesh_pb2.FromRadio]: ...

    def queue_status(self) -> mesh_pb2.QueueStatus: ...

    def session_ready(self, session: PhoneSession) -> None: ...

    def session_closed(self, session: PhoneSession) -> None: ...


class SessionState(enum.Enum):
    IDLE = "idle"  # no config requested yet (or the client said disconnect)
    STREAMING = "streaming"  # handshake sent; live packets flow


class PhoneSession:
    """The device side of one stream-API client."""

    def __init__(
        self,
        host: SessionHost,
        link: ClientLink,
        name: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._host = host
        self._link = link
        self.name = name
        self._clock = clock
        #: When the client last sent anything (the firmware drops it after 15 silent min).
        self.last_contact = clock()
        self._reader = FrameReader()
        self._recent_ids: deque[int] = deque(maxlen=RECENT_IDS)
        self.state = SessionState.IDLE
        self.closed = False
        #: Handshakes completed on this session (a pty session sees one per client).
        self.handshakes = 0

    # --- input --------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Bytes from the client, split anywhere."""
        self.last_contact = self._clock()
        for frame in self._reader.feed(data):
            if self.closed:
                return
            self._handle_frame(frame)

    def _handle_frame(self, frame: bytes) -> None:
        to_radio = mesh_pb2.ToRadio()
        try:
            to_radio.ParseFromString(frame)
        except DecodeError:
            logger.warning("%s: ignoring a malformed ToRadio (%d bytes)", self.name, len(frame))
            return
        which = to_radio.WhichOneof("payload_variant")
        if which == "want_config_id":
            self._start_config(to_radio.want_config_id)
        elif which == "packet":
            self._client_packet(to_radio.packet)
        elif which == "heartbeat":
            self._send([mesh_pb2.FromRadio(queueStatus=self._host.queue_status())])
        elif which == "disconnect":
            logger.info("%s: client said disconnect", self.name)
            self.state = SessionState.IDLE
        else:
            logger.debug("%s: ignoring ToRadio %s", self.name, which)

    def _start_config(self, nonce: int) -> None:
        logger.info("%s: client wants config, nonce=%d", self.name, nonce)
        self.state = SessionState.IDLE
        self._send(self._host.handshake(nonce))
        self.state = SessionState.STREAMING
        self.handshakes += 1
        self._host.session_ready(self)

    def _client_packet(self, packet: mesh_pb2.MeshPacket) -> None:
        if packet.id and packet.id in self._recent_ids:
            logger.debug("%s: ignoring repeated packet id %08x", self.name, packet.id)
            return
        if packet.id:
            self._recent_ids.append(packet.id)
        self._send(self._host.handle_client_packet(packet))

    # --- output -------------------------------------------------------------------------

    @property
    def streaming(self) -> bool:
        return self.state is SessionState.STREAMING and not self.closed

    def deliver(self, messages: Iterable[mesh_pb2.FromRadio]) -> None:
        """Live messages (packets, queue status) for a client past its handshake."""
        if self.streaming:
            self._send(messages)

    def _send(self, messages: Iterable[mesh_pb2.FromRadio]) -> None:
        if self.closed:
            return
        chunks = []
        for message in messages:
            try:
                chunks.append(encode_frame(message.SerializeToString()))
            except FrameTooLargeError:
                logger.exception("%s: dropping an oversized FromRadio", self.name)
        if chunks:
            self._link.write(b"".join(chunks))

    def close(self) -> None:
        """End the session (the client went away or a new client took the slot)."""
        if self.closed:
            return
        self.closed = True
        self.state = SessionState.IDLE
        self._link.close()
        self._host.session_closed(self)
