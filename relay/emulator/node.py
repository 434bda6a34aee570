"""An emulated Meshtastic node: the client-facing half of firmware on a simulated radio.

The simulated node (:class:`relay.sim.api.SimNodeAPI`) does what the firmware does on
the air; this class does what the firmware does towards its client: it keeps the device
state, answers the handshake and admin requests, hands the client's packets to the air
and the air's packets (and routing reports) to the client, with the queue statuses the
firmware sends. It runs on the simulator's event loop thread, like every model call.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from google.protobuf.message import DecodeError
from meshtastic.protobuf import admin_pb2, mesh_pb2, portnums_pb2

from relay.emulator import convert
from relay.emulator.admin import AdminHandler
from relay.emulator.device_state import DeviceState
from relay.emulator.phone_api import (
    SPECIAL_NONCE_ONLY_CONFIG,
    SPECIAL_NONCE_ONLY_NODES,
    PhoneSession,
)
from relay.sim.api import (
    ERRNO_UNKNOWN,
    MeshPacket,
    QueueReport,
    RebroadcastMode,
    RoutingError,
    RoutingReport,
    SimNodeControl,
)

logger = logging.getLogger(__name__)

PortNum = portnums_pb2.PortNum
#: Largest ``Data.payload`` the firmware's decoder accepts (``DATA_PAYLOAD_LEN``).
DATA_PAYLOAD_LEN = 233
#: Packets kept for a client that is not connected (``MAX_RX_TOPHONE``).
MAX_RX_TOPHONE = 32
#: PhoneAPI's per-port rate limits for packets from the client (seconds).
TEXT_RATE_LIMIT_S = 2.0
TELEMETRY_RATE_LIMIT_S = 10.0
_THROTTLED_PORTS = (
    PortNum.POSITION_APP,
    PortNum.WAYPOINT_APP,
    PortNum.ALERT_APP,
    PortNum.TELEMETRY_APP,
)

#: ``QueueStatus.res`` when the transmitter is off (firmware ``ERRNO_DISABLED``).
ERRNO_DISABLED = 34

#: Runs a callback once the simulated node has handled everything due at this instant.
AfterAir = Callable[[Callable[[], None]], None]


@dataclass(frozen=True, slots=True)
class NodeOptions:
    """How an emulated node presents itself; the defaults are a configured EU node."""

    modem_preset: str = "LONG_FAST"
    hop_limit: int = 3
    region: str = "EU_868"
    rebroadcast_mode: RebroadcastMode = RebroadcastMode.ALL


class EmulatedNode:
    """One emulated Meshtastic device on top of one simulated node."""

    def __init__(
        self,
        sim: SimNodeControl,
        *,
        rng: random.Random,
        options: NodeOptions | None = None,
        after_air: AfterAir | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """``after_air`` must run its callback after the simulated node has processed what
        is due now (the real-time air's ``call_later(0, ...)``): a refusal (TOO_LARGE,
        DUTY_CYCLE_LIMIT) reaches us as a routing report on the model's next turn, and the
        firmware puts it into the packet's QueueStatus. Without it, the next loop turn.
        """
        opts = options or NodeOptions()
        self.sim = sim
        info = sim.info
        self.state = DeviceState(
            info,
            modem_preset=opts.modem_preset,
            hop_limit=opts.hop_limit,
            region=opts.region,
            rebroadcast_mode=opts.rebroadcast_mode,
        )
        self._rng = rng
        self._after_air = after_air
        self._wall_clock = wall_clock
        self._admin = AdminHandler(self.state, rng, sim.now)
        self._sessions: list[PhoneSession] = []
        self._backlog: deque[mesh_pb2.FromRadio] = deque()
        self._last_port_send: dict[int, float] = {}
        self._last_free: int | None = None
        #: Routing reports for client packets whose QueueStatus is not out yet, by id.
        self._capturing: dict[int, list[RoutingReport]] = {}
        #: Client packets the simulated node's full transmit queue refused.
        self._queue_refused: set[int] = set()
        self._attached = False

    @property
    def num(self) -> int:
        return self.sim.info.num

    @property
    def name(self) -> str:
        return self.sim.info.long_name

    def attach(self) -> None:
        """Become the app on the simulated node (packets start to arrive)."""
        if not self._attached:
            self.sim.attach(self)
            self._attached = True

    def detach(self) -> None:
        for session in list(self._sessions):
            session.close()
        if self._attached:
            self.sim.detach(self)
            self._attached = False

    # --- sessions (SessionHost) ---------------------------------------------------------

    def add_session(self, session: PhoneSession) -> None:
        self._sessions.append(session)

    def session_ready(self, session: PhoneSession) -> None:
        """A client finished its handshake: hand it what arrived while nobody listened."""
        backlog = list(self._backlog)
        self._backlog.clear()
        session.deliver(backlog)

    def session_closed(self, session: PhoneSession) -> None:
        if session in self._sessions:
            self._sessions.remove(session)

    def _now_unix(self) -> int:
        return int(self._wall_clock())

    def handshake(self, nonce: int) -> list[mesh_pb2.FromRadio]:
        now = self._now_unix()
        state = self.state
        peers = self.sim.peers()
        out: list[mesh_pb2.FromRadio] = []
        if nonce != SPECIAL_NONCE_ONLY_NODES:
            my_info = state.my_info()
            my_info.nodedb_count = len(peers) + 1
            out.append(mesh_pb2.FromRadio(my_info=my_info))
            out.append(mesh_pb2.FromRadio(deviceuiConfig={}))
        own = state.own_node_info(now)
        own.device_metrics.channel_utilization = self.sim.channel_utilization()
        own.device_metrics.air_util_tx = self.sim.air_util_tx()
        out.append(mesh_pb2.FromRadio(node_info=own))
        if nonce != SPECIAL_NONCE_ONLY_NODES:
            out.append(mesh_pb2.FromRadio(metadata=state.metadata()))
            out.extend(mesh_pb2.FromRadio(channel=ch) for ch in state.channels)
            out.extend(_config_messages(state))
            out.extend(_module_config_messages(state))
        if nonce != SPECIAL_NONCE_ONLY_CONFIG:
            sim_now = self.sim.now()
            out.extend(
                mesh_pb2.FromRadio(node_info=convert.node_info_to_pb(peer, now, sim_now))
                for peer in peers
            )
        out.append(mesh_pb2.FromRadio(config_complete_id=nonce))
        return out

    def queue_status(self, res: int = 0, packet_id: int = 0) -> mesh_pb2.QueueStatus:
        free, capacity = self.sim.queue_status()
        self._last_free = free  # what the client now believes; tick() reports changes
        return mesh_pb2.QueueStatus(res=res, free=free, maxlen=capacity, mesh_packet_id=packet_id)

    def tick(self) -> None:
        """Periodic work: tell the client when the transmit queue's free space changed."""
        free, _ = self.sim.queue_status()
        if free != self._last_free:
            self._to_client([mesh_pb2.FromRadio(queueStatus=self.queue_status())], keep=False)

    # --- packets from the client ----------------------------------------------------------

    def handle_client_packet(self, packet: mesh_pb2.MeshPacket) -> list[mesh_pb2.FromRadio]:
        if packet.WhichOneof("payload_variant") != "decoded":
            logger.warning("%s: ignoring an encrypted packet from the client", self.name)
            return []
        if len(packet.decoded.payload) > DATA_PAYLOAD_LEN:
            # nanopb fails to decode the ToRadio: the firmware ignores it without a word.
            logger.warning(
                "%s: ignoring a ToRadio with a %d-byte payload",
                self.name,
                len(packet.decoded.payload),
            )
            return []
        if not packet.id:
            packet.id = self._new_packet_id()
        limited = self._rate_limited(packet)
        if limited is not None:
            return limited
        if packet.to == self.num:
            return self._local_packet(packet)
        return self._send_to_mesh(packet)

    def _rate_limited(self, packet: mesh_pb2.MeshPacket) -> list[mesh_pb2.FromRadio] | None:
        port = packet.decoded.portnum
        now = self.sim.now()
        last = self._last_port_send.get(port)
        if port == PortNum.TEXT_MESSAGE_APP and last is not None and now - last < TEXT_RATE_LIMIT_S:
            return [
                mesh_pb2.FromRadio(queueStatus=self.queue_status(0, packet.id)),
                self._routing(self.num, packet.id, RoutingError.RATE_LIMIT_EXCEEDED),
            ]
        if port in _THROTTLED_PORTS and last is not None and now - last < TELEMETRY_RATE_LIMIT_S:
            return [mesh_pb2.FromRadio(queueStatus=self.queue_status(0, packet.id))]
        self._last_port_send[port] = now
        return None

    def _send_to_mesh(self, packet: mesh_pb2.MeshPacket) -> list[mesh_pb2.FromRadio]:
        """Hand a client packet to the air; its QueueStatus follows once the air had its turn."""
        lora = self.state.config.lora
        if not lora.tx_enabled or lora.region == 0:
            # RadioLibInterface::send: released without a NAK, the QueueStatus says why.
            return [mesh_pb2.FromRadio(queueStatus=self.queue_status(ERRNO_DISABLED, packet.id))]
        hop_limit = packet.hop_limit
        if packet.want_ack and hop_limit == 0:
            hop_limit = lora.hop_limit  # Router::sendLocal
        self._capturing[packet.id] = []
        try:
            self.sim.send(
                packet.to,
                packet.decoded.portnum,
                packet.decoded.payload,
                want_ack=packet.want_ack,
                hop_limit=hop_limit,
                packet_id=packet.id,
            )
        except Exception:
            self._capturing.pop(packet.id, None)
            raise
        self._defer(lambda: self._settle_send(packet.id))
        return []

    def _defer(self, callback: Callable[[], None]) -> None:
        if self._after_air is not None:
            self._after_air(callback)
        else:
            asyncio.get_running_loop().call_soon(callback)

    def _settle_send(self, packet_id: int) -> None:
        """The QueueStatus for a client packet (with the refusal, if any), then its reports."""
        captured = self._capturing.pop(packet_id, [])
        refusal = next(
            (r for r in captured if r.error is not RoutingError.NONE and r.from_node == self.num),
            None,
        )
        res = int(refusal.error) if refusal is not None else 0
        if packet_id in self._queue_refused:
            # RadioLibInterface::send: the full queue had nothing lower-priority to evict,
            # the packet was released (a full queue alone does not refuse: a more
            # important packet takes a less important one's place).
            self._queue_refused.discard(packet_id)
            res = ERRNO_UNKNOWN
        out = [mesh_pb2.FromRadio(queueStatus=self.queue_status(res, packet_id))]
        out.extend(self._routing_message(report) for report in captured)
        if refusal is not None and refusal.error is RoutingError.DUTY_CYCLE_LIMIT:
            out.append(self._duty_cycle_notice(packet_id))
        self._to_client(out, keep=True)

    def _duty_cycle_notice(self, packet_id: int) -> mesh_pb2.FromRadio:
        note = mesh_pb2.ClientNotification(
            reply_id=packet_id,
            time=self._now_unix(),
            level=mesh_pb2.LogRecord.Level.WARNING,
            message="Duty cycle limit exceeded. You can send again in a few mins",
        )
        return mesh_pb2.FromRadio(clientNotification=note)

    def _local_packet(self, packet: mesh_pb2.MeshPacket) -> list[mesh_pb2.FromRadio]:
        """A packet to our own node number: admin requests and the like."""
        out = [mesh_pb2.FromRadio(queueStatus=self.queue_status(0, packet.id))]
        if packet.decoded.portnum == PortNum.ADMIN_APP:
            out.extend(self._admin_packet(packet))
        elif packet.want_ack:
            out.append(self._routing(self.num, packet.id, RoutingError.NONE))
        self._push_radio_change()
        return out

    def _admin_packet(self, packet: mesh_pb2.MeshPacket) -> list[mesh_pb2.FromRadio]:
        request = admin_pb2.AdminMessage()
        try:
            request.ParseFromString(packet.decoded.payload)
        except DecodeError:
            logger.warning("%s: malformed admin message from the client", self.name)
            return [self._routing(self.num, packet.id, RoutingError.BAD_REQUEST)]
        result = self._admin.handle(request)
        if not packet.decoded.want_response and not result.error:
            return []
        if result.reply is not None:
            reply = mesh_pb2.MeshPacket(
                to=self.num,
                id=self._new_packet_id(),
                rx_time=self._now_unix(),
                channel=packet.channel,
            )
            setattr(reply, "from", self.num)
            reply.decoded.portnum = PortNum.ADMIN_APP
            reply.decoded.payload = result.reply.SerializeToString()
            reply.decoded.request_id = packet.id
            return [mesh_pb2.FromRadio(packet=reply)]
        return [self._routing_pb(self.num, packet.id, result.error)]

    def _push_radio_change(self) -> None:
        """A saved role / rebroadcast mode / hop limit change reaches the simulated radio."""
        change = self.state.take_radio_change()
        if change is None:
            return
        logger.info("%s: radio settings now %s", self.name, change)
        self.sim.configure(
            role=change.role, rebroadcast_mode=change.rebroadcast_mode, hop_limit=change.hop_limit
        )

    # --- from the air (NodeApp) ---------------------------------------------------------

    def on_packet(self, packet: MeshPacket) -> None:
        if packet.src in self.state.ignored:
            return
        pb = convert.packet_to_pb(packet, self._now_unix())
        self._to_client([mesh_pb2.FromRadio(packet=pb)], keep=True)

    def on_queue_status(self, report: QueueReport) -> None:
        if report.res == ERRNO_UNKNOWN and report.packet_id in self._capturing:
            self._queue_refused.add(report.packet_id)

    def on_routing(self, report: RoutingReport) -> None:
        captured = self._capturing.get(report.request_id)
        if captured is not None:
            captured.append(report)
            return
        self._to_client([self._routing_message(report)], keep=True)

    def _routing_message(self, report: RoutingReport) -> mesh_pb2.FromRadio:
        # The firmware reports an implicit ack (a neighbour relayed our packet) with our
        # own node number as sender; clients tell it from a real ack that way.
        src = self.num if report.implicit else report.from_node
        pb = convert.routing_packet(
            src=src,
            dst=self.num,
            request_id=report.request_id,
            error=int(report.error),
            packet_id=self._new_packet_id(),
            rx_time_unix=self._now_unix(),
        )
        return mesh_pb2.FromRadio(packet=pb)

    def _routing(self, src: int, request_id: int, error: RoutingError) -> mesh_pb2.FromRadio:
        return self._routing_pb(src, request_id, int(error))

    def _routing_pb(self, src: int, request_id: int, error: int) -> mesh_pb2.FromRadio:
        pb = convert.routing_packet(
            src=src,
            dst=self.num,
            request_id=request_id,
            error=error,
            packet_id=self._new_packet_id(),
            rx_time_unix=self._now_unix(),
        )
        return mesh_pb2.FromRadio(packet=pb)

    def _to_client(self, messages: list[mesh_pb2.FromRadio], *, keep: bool) -> None:
        """Deliver to the streaming client; keep packets for later when there is none."""
        for session in reversed(self._sessions):
            if session.streaming:
                session.deliver(messages)
                return
        if keep:
            for message in messages:
                if len(self._backlog) >= MAX_RX_TOPHONE:
                    self._backlog.popleft()
                self._backlog.append(message)

    def _new_packet_id(self) -> int:
        return self._rng.getrandbits(32) or 1


def _config_messages(state: DeviceState) -> list[mesh_pb2.FromRadio]:
    out = []
    for section in (
        "device",
        "position",
        "power",
        "network",
        "display",
        "lora",
        "bluetooth",
        "security",
    ):
        msg = mesh_pb2.FromRadio()
        getattr(msg.config, section).CopyFrom(getattr(state.config, section))
        out.append(msg)
    for empty in ("sessionkey", "device_ui"):
        msg = mesh_pb2.FromRadio()
        getattr(msg.config, empty).SetInParent()
        out.append(msg)
    return out


def _module_config_messages(state: DeviceState) -> list[mesh_pb2.FromRadio]:
    out = []
    for field in mesh_pb2.FromRadio().moduleConfig.DESCRIPTOR.fields:
        if field.name not in state.module_config.DESCRIPTOR.fields_by_name:
            continue
        msg = mesh_pb2.FromRadio()
        getattr(msg.moduleConfig, field.name).CopyFrom(getattr(state.module_config, field.name))
        out.append(msg)
    return out
