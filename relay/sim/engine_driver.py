"""The delivery engine on a simulated node, in virtual time.

The same sans-I/O engine the daemon runs, driven by the simulator's scheduler instead
of asyncio: packets on our port become :class:`Frame` inputs, routing reports become
send results, the engine's deadline becomes a scheduler timer, and the radio's own
transmit time (relays included) is reported to the engine's budget every few minutes.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable

from relay.engine.base import Engine
from relay.engine.outputs import Output, Transmit
from relay.link import DM_ACK_WAIT_S, PRIVATE_PORT, Frame, SendStatus
from relay.sim.api import (
    BROADCAST,
    ERRNO_UNKNOWN,
    MeshPacket,
    QueueReport,
    RoutingError,
    RoutingReport,
    SimNodeAPI,
)

log = logging.getLogger(__name__)

ROUTING_STATUS = {
    RoutingError.NONE: SendStatus.ACKED,
    RoutingError.TOO_LARGE: SendStatus.TOO_LARGE,
    RoutingError.DUTY_CYCLE_LIMIT: SendStatus.DUTY_CYCLE_LIMIT,
    RoutingError.NO_ROUTE: SendStatus.NO_ROUTE,
    RoutingError.MAX_RETRANSMIT: SendStatus.MAX_RETRANSMIT,
    RoutingError.RATE_LIMIT_EXCEEDED: SendStatus.RATE_LIMIT,
}
#: How often the radio's transmit share is passed to the engine's budget.
RADIO_REPORT_S = 300.0
#: A direct message whose only ack was implicit (a relay overheard) counts as failed if
#: the destination's own ack has not come by then, as the daemon's radio adapter does.
DM_ACK_TIMEOUT_S = DM_ACK_WAIT_S

CallLater = Callable[[float, Callable[[], None]], object]


class EngineDriver:
    """A :class:`relay.sim.api.NodeApp` that runs one delivery engine."""

    def __init__(
        self,
        node: SimNodeAPI,
        engine: Engine,
        call_later: CallLater,
        on_output: Callable[[Output], None] = lambda out: None,
    ) -> None:
        self.node = node
        self.engine = engine
        self._call_later = call_later
        self._on_output = on_output
        self._tokens: dict[int, int] = {}  # packet id -> engine token
        self._ids = itertools.count((node.info.num & 0xFFFF) << 12 | 1)
        self._armed: float | None = None
        #: Packet ids of direct messages waiting for the destination's ack.
        self._dms: set[int] = set()
        #: Frames the radio's full transmit queue refused (handed back as NOT_SENT).
        self.refused_queue_full = 0

    def start(self) -> None:
        start = getattr(self.engine, "start", None)
        if start is not None:
            self.handle(start(self.node.now()))
        self._call_later(RADIO_REPORT_S, self._report_radio)

    # --- NodeApp --------------------------------------------------------------------

    def on_packet(self, packet: MeshPacket) -> None:
        if packet.portnum != PRIVATE_PORT:
            return
        frame = Frame(
            packet.payload,
            packet.src,
            packet.dst,
            packet.id,
            packet.rx_snr,
            packet.rx_rssi,
            packet.hops_taken,
            packet.rx_time,
        )
        self.handle(self.engine.receive(frame, self.node.now()))

    def on_queue_status(self, report: QueueReport) -> None:
        """A full radio queue refused the frame: it was never sent, the engine keeps it.

        The firmware answers every client packet with a QueueStatus; ``res`` 32
        (``ERRNO_UNKNOWN`` from ``RadioLibInterface::send``) is its only word for "queue
        full, released" (no routing NAK follows). Other refusals arrive as NAKs too
        and are handled in :meth:`on_routing`.
        """
        if report.res != ERRNO_UNKNOWN:
            return
        token = self._tokens.pop(report.packet_id, None)
        self._dms.discard(report.packet_id)
        if token is not None:
            self.refused_queue_full += 1
            self.handle(self.engine.on_send_result(token, SendStatus.NOT_SENT, self.node.now()))

    def on_routing(self, report: RoutingReport) -> None:
        if report.implicit and report.request_id in self._dms:
            return  # a relay took it; wait for the destination's ack (or the timeout)
        token = self._tokens.pop(report.request_id, None)
        self._dms.discard(report.request_id)
        if token is None:
            return
        status = ROUTING_STATUS.get(report.error, SendStatus.OTHER_ERROR)
        self.handle(self.engine.on_send_result(token, status, self.node.now()))

    # --- outputs and timers ---------------------------------------------------------

    def handle(self, outputs: list[Output]) -> None:
        for out in outputs:
            if isinstance(out, Transmit):
                self._transmit(out)
            else:
                self._on_output(out)
        self._arm()

    def _transmit(self, t: Transmit) -> None:
        packet_id = next(self._ids) & 0xFFFFFFFF
        self._tokens[packet_id] = t.token
        dm = t.destination != BROADCAST
        self.node.send(
            t.destination,
            PRIVATE_PORT,
            t.payload,
            want_ack=t.want_ack,
            hop_limit=t.hop_limit,
            packet_id=packet_id,
        )
        if dm and t.want_ack:
            self._dms.add(packet_id)
            self._call_later(DM_ACK_TIMEOUT_S, lambda: self._ack_timeout(packet_id))
        elif t.want_ack:
            pass  # a broadcast with want_ack: the firmware reports the implicit ack or NAK
        else:
            # No ack will come: the radio took it unless it refused at once (which
            # on_routing / on_queue_status, run first, have handled, removing the token).
            self._call_later(0.0, lambda: self._queued(packet_id))

    def _ack_timeout(self, packet_id: int) -> None:
        token = self._tokens.pop(packet_id, None)
        self._dms.discard(packet_id)
        if token is not None:
            status = SendStatus.MAX_RETRANSMIT
            self.handle(self.engine.on_send_result(token, status, self.node.now()))

    def _queued(self, packet_id: int) -> None:
        token = self._tokens.pop(packet_id, None)
        if token is not None:
            self.handle(self.engine.on_send_result(token, SendStatus.QUEUED, self.node.now()))

    def _arm(self) -> None:
        now = self.node.now()
        deadline = self.engine.next_deadline(now)
        if deadline is None:
            return
        deadline = max(deadline, now)
        if self._armed is not None and self._armed <= deadline:
            return
        self._armed = deadline
        self._call_later(deadline - now, lambda: self._tick(deadline))

    def _tick(self, armed_for: float) -> None:
        if self._armed != armed_for:
            return  # an earlier timer replaced this one
        self._armed = None
        self.handle(self.engine.tick(self.node.now()))

    def _report_radio(self) -> None:
        air_util_tx = getattr(self.node, "air_util_tx", None)
        if air_util_tx is not None:
            seconds = float(air_util_tx()) / 100.0 * 3600.0
            self.engine.report_radio_tx(seconds, self.node.now())
        channel = getattr(self.node, "channel_utilization", None)
        if channel is not None:
            self.engine.report_channel(float(channel()) / 100.0, self.node.now())
        self._call_later(RADIO_REPORT_S, self._report_radio)
