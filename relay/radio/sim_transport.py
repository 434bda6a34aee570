"""``sim://<node-name>``: a :class:`~relay.radio.transport.Transport` over one node of a
running real-time simulated air (:class:`relay.sim.realtime.RealtimeAir`).

The transport is the node's client app: it sees what a client of real firmware sees.
Refusals come back as the firmware reports them (``TOO_LARGE``, ``DUTY_CYCLE_LIMIT``
routing NAKs, in the same virtual instant as the send), acks as routing reports:

* broadcast with ``want_ack``: ``ACKED`` on the implicit ack (a neighbour relayed it),
  ``MAX_RETRANSMIT`` after three unheard tries;
* DM with ``want_ack``: ``ACKED`` only on the destination's ack; an implicit ack alone
  (a neighbour relayed it, the firmware stopped retrying) ends as ``MAX_RETRANSMIT`` with
  a detail after ``ack_timeout`` virtual seconds (:data:`relay.link.DM_ACK_WAIT_S`), as
  the meshtastic adapter reports it; ``MAX_RETRANSMIT`` when nobody heard it.

Timeouts run on the air's virtual clock, so a sped-up air keeps them consistent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from relay.link import DM_ACK_WAIT_S
from relay.radio.transport import (
    BROADCAST,
    PRIVATE_PORT,
    Frame,
    FrameHandler,
    LinkState,
    SendResult,
    SendStatus,
    StateHandler,
    Unsubscribe,
)
from relay.sim.api import ERRNO_UNKNOWN, MeshPacket, QueueReport, RoutingError, RoutingReport
from relay.sim.realtime import RealtimeAir, RealtimeNode

log = logging.getLogger(__name__)

MAX_PAYLOAD = 231
#: How often (virtual seconds) a send re-checks a full transmit queue, like the library.
QUEUE_POLL_S = 0.5

_REFUSALS = {
    RoutingError.TOO_LARGE: SendStatus.TOO_LARGE,
    RoutingError.DUTY_CYCLE_LIMIT: SendStatus.DUTY_CYCLE_LIMIT,
    RoutingError.NO_ROUTE: SendStatus.NO_ROUTE,
    RoutingError.MAX_RETRANSMIT: SendStatus.MAX_RETRANSMIT,
    RoutingError.RATE_LIMIT_EXCEEDED: SendStatus.RATE_LIMIT,
}


@dataclass(eq=False)
class _PendingSend:
    packet_id: int
    destination: int
    want_ack: bool
    future: asyncio.Future[SendResult]
    implicit_from: int | None = None

    def resolve(self, result: SendResult) -> None:
        if not self.future.done():
            self.future.set_result(result)


class SimTransport:
    """A transport bound to node ``node_name`` of ``air`` (which must be running)."""

    def __init__(
        self,
        air: RealtimeAir,
        node_name: str,
        *,
        ack_timeout: float = DM_ACK_WAIT_S,
        queue_timeout: float = 60.0,
    ) -> None:
        self._air = air
        self._node: RealtimeNode = air.node(node_name)
        self._ack_timeout = ack_timeout
        self._queue_timeout = queue_timeout
        self._state = LinkState.CONNECTING
        self._frame_handlers: list[FrameHandler] = []
        self._state_handlers: list[StateHandler] = []
        self._pending: dict[int, _PendingSend] = {}
        self._unsubscribe_stop: Callable[[], None] | None = None

    # --- Transport properties -----------------------------------------------------------

    @property
    def max_payload(self) -> int:
        return MAX_PAYLOAD

    @property
    def node_num(self) -> int | None:
        return self._node.num if self._state is LinkState.CONNECTED else None

    @property
    def state(self) -> LinkState:
        return self._state

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        if self._state is LinkState.CLOSED:
            raise RuntimeError("transport is closed")
        self._node.attach(self)
        self._unsubscribe_stop = self._air.on_stop(self._air_stopped)
        self._set_state(LinkState.CONNECTED)

    async def close(self) -> None:
        if self._state is LinkState.CLOSED:
            return
        self._node.detach(self)
        if self._unsubscribe_stop is not None:
            self._unsubscribe_stop()
        self._settle_all("closed")
        self._set_state(LinkState.CLOSED)

    def _air_stopped(self) -> None:
        """The simulated air went away: like a radio unplugged, the link is down."""
        self._settle_all("the simulated air stopped")
        if self._state is LinkState.CONNECTED:
            self._set_state(LinkState.DISCONNECTED)

    def _settle_all(self, detail: str) -> None:
        # Frames already handed to the radio: queued, their fate unknown.
        for pending in list(self._pending.values()):
            self._finish(pending, SendResult(SendStatus.QUEUED, pending.packet_id, detail))

    def _set_state(self, state: LinkState) -> None:
        self._state = state
        for handler in list(self._state_handlers):
            try:
                handler(state)
            except Exception:
                log.exception("state handler failed")

    # --- sending ------------------------------------------------------------------------

    async def send(
        self,
        payload: bytes,
        destination: int = BROADCAST,
        *,
        want_ack: bool = False,
        hop_limit: int | None = None,
    ) -> SendResult:
        if self._state is not LinkState.CONNECTED or not self._air.running:
            return SendResult(SendStatus.NOT_SENT, detail="sim link is not connected")
        if not await self._wait_for_queue_room():
            return SendResult(SendStatus.NOT_SENT, detail="radio transmit queue stayed full")
        future: asyncio.Future[SendResult] = asyncio.get_running_loop().create_future()
        packet_id = self._node.send(
            destination, PRIVATE_PORT, bytes(payload), want_ack=want_ack, hop_limit=hop_limit
        )
        pending = _PendingSend(packet_id, destination, want_ack, future)
        self._pending[packet_id] = pending
        if want_ack:
            self._after(self._ack_timeout, lambda: self._timed_out(pending))
        else:
            # Local refusals arrive in the same virtual instant; after that it is queued.
            self._after(
                0.0, lambda: self._finish(pending, SendResult(SendStatus.QUEUED, packet_id))
            )
        return await future

    async def _wait_for_queue_room(self) -> bool:
        waited = 0.0
        while self._node.queue_status()[0] == 0:
            if waited >= self._queue_timeout:
                return False
            await self._sleep_virtual(QUEUE_POLL_S)
            waited += QUEUE_POLL_S
        return True

    async def _sleep_virtual(self, seconds: float) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake() -> None:
            if not done.done():
                done.set_result(None)

        self._air.call_later(seconds, wake)
        await done

    def _after(self, delay: float, callback: Callable[[], None]) -> None:
        self._air.call_later(delay, callback)

    def _timed_out(self, pending: _PendingSend) -> None:
        if pending.implicit_from is not None:
            detail = f"relayed by {pending.implicit_from:#010x}; no ack from the destination"
            dm = pending.destination != BROADCAST
            status = SendStatus.MAX_RETRANSMIT if dm else SendStatus.QUEUED
            self._finish(pending, SendResult(status, pending.packet_id, detail))
        else:
            self._finish(pending, SendResult(SendStatus.OTHER_ERROR, pending.packet_id, "no ack"))

    def _finish(self, pending: _PendingSend, result: SendResult) -> None:
        self._pending.pop(pending.packet_id, None)
        pending.resolve(result)

    # --- NodeApp: called by the simulated firmware on the loop thread --------------------

    def on_queue_status(self, report: QueueReport) -> None:
        """The radio's full queue released the frame (firmware QueueStatus res 32)."""
        pending = self._pending.get(report.packet_id)
        if pending is not None and report.res == ERRNO_UNKNOWN:
            result = SendResult(SendStatus.NOT_SENT, pending.packet_id, "radio transmit queue full")
            self._finish(pending, result)

    def on_routing(self, report: RoutingReport) -> None:
        pending = self._pending.get(report.request_id)
        if pending is None:
            return
        if report.error is not RoutingError.NONE:
            status = _REFUSALS.get(report.error, SendStatus.OTHER_ERROR)
            self._finish(pending, SendResult(status, pending.packet_id, report.error.name))
            return
        if not pending.want_ack:
            return
        if pending.destination == BROADCAST or not report.implicit:
            detail = "implicit ack" if report.implicit else f"ack from {report.from_node:#010x}"
            self._finish(pending, SendResult(SendStatus.ACKED, pending.packet_id, detail))
        else:
            pending.implicit_from = report.from_node

    def on_packet(self, packet: MeshPacket) -> None:
        if packet.portnum != PRIVATE_PORT:
            return
        frame = Frame(
            payload=packet.payload,
            sender=packet.src,
            destination=packet.dst,
            packet_id=packet.id,
            snr=packet.rx_snr,
            rssi=packet.rx_rssi,
            hops=packet.hops_taken if packet.hop_start else None,
            rx_time=packet.rx_time,
        )
        for handler in list(self._frame_handlers):
            try:
                handler(frame)
            except Exception:
                log.exception("frame handler failed")

    # --- subscriptions ------------------------------------------------------------------

    def on_frame(self, handler: FrameHandler) -> Unsubscribe:
        self._frame_handlers.append(handler)
        return lambda: _remove(self._frame_handlers, handler)

    def on_state(self, handler: StateHandler) -> Unsubscribe:
        self._state_handlers.append(handler)
        return lambda: _remove(self._state_handlers, handler)


def _remove(handlers: list[Callable[..., None]], handler: Callable[..., None]) -> None:
    if handler in handlers:
        handlers.remove(handler)
