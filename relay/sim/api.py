"""Contract between the simulator's firmware model and the programs attached to a node.

A simulated node models what Meshtastic firmware does on the air (managed flooding,
next-hop routing, acks, duty cycle). On top of each node sits one *app*:

* the emulated Meshtastic node (``relay.emulator``), which turns these calls into the
  stream API so the real ``meshtastic`` library can talk to it;
* the ``sim://`` transport (``relay.radio.sim_transport``) for in-process daemons;
* the delivery engine's benchmark driver, in virtual time;
* the plain-text baseline app of ``tools/bench_mesh.py``.

The app sees what a phone/client sees from real firmware: packets addressed to it (or
broadcast) on any port, and routing reports (ack / NAK) for packets it sent. Nothing
here depends on the ``meshtastic`` package; the emulator maps these types to its
protobufs. Values of :class:`RoutingError` and :class:`Role` are Meshtastic's own, so
the mapping is the identity.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

BROADCAST = 0xFFFFFFFF
#: ``QueueStatus.res`` (firmware ``ErrorCode``): the packet is in the transmit queue.
ERRNO_OK = 0
#: ``QueueStatus.res`` when ``MeshPacketQueue::enqueue`` found the queue full and nothing
#: of lower priority to evict (``RadioLibInterface::send`` returns ``ERRNO_UNKNOWN``): the
#: packet was released, never sent. Refusals by ``Router::send`` put their
#: ``Routing.Error`` value here instead (7 TOO_LARGE, 9 DUTY_CYCLE_LIMIT, ...).
ERRNO_UNKNOWN = 32


class RoutingError(enum.IntEnum):
    """Meshtastic ``Routing.Error`` (the subset the model produces; same numbers)."""

    NONE = 0  # an ack
    NO_ROUTE = 1
    GOT_NAK = 2
    TIMEOUT = 3
    MAX_RETRANSMIT = 5
    TOO_LARGE = 7
    NO_RESPONSE = 8
    DUTY_CYCLE_LIMIT = 9
    BAD_REQUEST = 32
    RATE_LIMIT_EXCEEDED = 38
    PKI_SEND_FAIL_PUBLIC_KEY = 39


class Role(enum.IntEnum):
    """Meshtastic ``Config.DeviceConfig.Role`` values the model implements."""

    CLIENT = 0
    CLIENT_MUTE = 1
    ROUTER = 2
    ROUTER_LATE = 11


class RebroadcastMode(enum.IntEnum):
    """Meshtastic ``Config.DeviceConfig.RebroadcastMode``."""

    ALL = 0
    ALL_SKIP_DECODING = 1
    LOCAL_ONLY = 2
    KNOWN_ONLY = 3
    NONE = 4
    CORE_PORTNUMS_ONLY = 5


@dataclass(frozen=True, slots=True)
class MeshPacket:
    """A decoded packet as the firmware hands it to its client (or takes it from one)."""

    id: int
    src: int
    dst: int
    portnum: int
    payload: bytes
    want_ack: bool = False
    hop_limit: int = 3
    hop_start: int = 3
    #: For ROUTING_APP replies and responses: the id of the packet this answers.
    request_id: int = 0
    channel: int = 0
    #: Simulation time the packet was received (seconds).
    rx_time: float = 0.0
    rx_snr: float = 0.0
    rx_rssi: int = 0

    @property
    def hops_taken(self) -> int:
        return self.hop_start - self.hop_limit


@dataclass(frozen=True, slots=True)
class RoutingReport:
    """Outcome of a packet the app sent: an ack (``NONE``) or a refusal/failure.

    ``from_node`` is who acknowledged: the destination for a DM ack, a rebroadcasting
    neighbour for a broadcast's implicit ack, or our own node for local refusals
    (``TOO_LARGE``, ``DUTY_CYCLE_LIMIT``) and ``MAX_RETRANSMIT``.

    ``implicit`` marks an ack the firmware generated because it overheard a neighbour
    relay the packet. For a broadcast that is the only ack there is; for a DM it only
    means "left our node" (the firmware stops retrying and the real ack, from the
    destination, may or may not follow). Real firmware reports implicit acks with our
    own node number as sender; an emulator mapping to protobufs should do the same.
    """

    request_id: int
    error: RoutingError
    from_node: int
    time: float
    implicit: bool = False


@dataclass(frozen=True, slots=True)
class QueueReport:
    """The ``QueueStatus`` the firmware sends its client after every client packet.

    ``MeshService::sendToMesh`` reports ``router->sendLocal()``'s result (``res``) with
    the queue's free space right after. ``res`` is :data:`ERRNO_OK` when the packet was
    queued, :data:`ERRNO_UNKNOWN` when the transmit queue was full (the packet is gone;
    a ``want_ack`` packet's retransmission timer, started before, may still send it
    later), or a ``Routing.Error`` value for a refusal that also comes as a NAK.
    """

    packet_id: int
    res: int
    free: int
    capacity: int
    time: float

    @property
    def queued(self) -> bool:
        return self.res == ERRNO_OK


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What the node database knows about a node (own or peer)."""

    num: int
    long_name: str
    short_name: str
    role: Role = Role.CLIENT
    hw_model: str = "PORTDUINO"
    latitude: float | None = None
    longitude: float | None = None
    altitude_m: int | None = None
    last_heard: float | None = None
    snr: float | None = None
    hops_away: int | None = None


class NodeApp(Protocol):
    """The program attached to a simulated node. Called on the simulator's thread/loop."""

    def on_packet(self, packet: MeshPacket) -> None:
        """A packet for us (DM to our number, or a broadcast), on any port except routing."""

    def on_routing(self, report: RoutingReport) -> None:
        """Ack or NAK for a packet we sent with ``want_ack`` (and local refusals always)."""


@runtime_checkable
class QueueStatusListener(Protocol):
    """An app that also wants the per-packet :class:`QueueReport` (optional: apps
    without ``on_queue_status`` get only packets and routing reports)."""

    def on_queue_status(self, report: QueueReport) -> None:
        """Called on the model's next turn after ``send()`` (after a refusal's NAK,
        before the packet is on the air)."""


class SimNodeAPI(Protocol):
    """What an app may ask of its simulated node (the firmware's client-facing side)."""

    @property
    def info(self) -> NodeInfo: ...

    def now(self) -> float:
        """Simulation time in seconds."""
        ...

    def attach(self, app: NodeApp) -> None:
        """Connect the (single) client app; replaces a previous one, like the firmware's
        one-client-at-a-time API."""

    def detach(self, app: NodeApp) -> None: ...

    def send(
        self,
        dst: int,
        portnum: int,
        payload: bytes,
        *,
        want_ack: bool = False,
        hop_limit: int | None = None,
        packet_id: int | None = None,
    ) -> int:
        """Queue a packet from the client; returns its packet id.

        Refusals are not exceptions: like the firmware, the node reports them through
        :meth:`NodeApp.on_routing` (``TOO_LARGE`` above 233 bytes of Data payload or
        231 bytes of ours, 219 in a PKI-encrypted direct message; ``DUTY_CYCLE_LIMIT``
        when the rolling-hour budget is spent). A full transmit queue is no routing
        error: only the :class:`QueueReport` says so (``res`` :data:`ERRNO_UNKNOWN`).
        """
        ...

    def queue_status(self) -> tuple[int, int]:
        """(free, capacity) of the transmit queue, as ``QueueStatus`` reports it."""
        ...

    def peers(self) -> list[NodeInfo]:
        """The node database minus ourselves (sent to the client at handshake)."""
        ...


class SimNodeControl(SimNodeAPI, Protocol):
    """A simulated node's settings and airtime figures, beyond the client-facing contract.

    Kept apart from :class:`SimNodeAPI` so that fakes of the contract stay valid; both
    real faces (``SimNode``, ``RealtimeNode``) implement it.
    """

    def configure(
        self,
        *,
        role: Role | None = None,
        rebroadcast_mode: RebroadcastMode | None = None,
        hop_limit: int | None = None,
    ) -> None:
        """Apply a saved device/LoRa config change (what ``meshtastic --set`` ends in).

        Only what the model uses; ``None`` keeps the current value. Like the firmware
        after its reboot, the new settings govern every packet handled from now on.
        """

    def channel_utilization(self) -> float:
        """Percent of the last minute the radio was busy sending or receiving
        (``DeviceMetrics.channel_utilization``)."""
        ...

    def air_util_tx(self) -> float:
        """Percent of the rolling hour spent transmitting (``DeviceMetrics.air_util_tx``);
        the firmware refuses our packets above the region's duty cycle (10 % in EU_868)."""
        ...
