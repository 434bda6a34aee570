"""The :class:`~relay.radio.transport.Transport` over a real Meshtastic radio (serial or TCP).

The library and its threads stay inside :mod:`relay.radio.meshtastic_link`; this module
is plain asyncio. Its promise: **a frame is reported sent only when the device said it
took it** (the firmware answers every packet from its client with a ``QueueStatus``
carrying the packet id and a result code). Until then the frame stays in our queue, in
order, across link losses and reconnects; ``send`` returns ``NOT_SENT`` only when the
caller's ``send_timeout`` runs out, the queue is full or the transport is closed.
A frame may therefore reach the air twice (sent, then the confirmation lost with the
link): delivery is at least once, and the layers above deduplicate by their own ids.

Firmware refusals come back as :class:`~relay.radio.transport.SendStatus` values:
``QueueStatus.res`` carries local refusals (``TOO_LARGE``, ``DUTY_CYCLE_LIMIT``), and the
``ROUTING_APP`` reply to a ``want_ack`` frame carries the ack or the NAK.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

from relay.errors import RadioDisconnectedError, RadioError, SlotTakenError
from relay.link import DM_ACK_WAIT_S
from relay.radio.meshtastic_link import (
    Endpoint,
    LinkTimeouts,
    MeshtasticLink,
    QueueStatusEvent,
    RoutingEvent,
)
from relay.radio.supervisor import Backoff, Supervisor
from relay.radio.transport import (
    BROADCAST,
    Frame,
    FrameHandler,
    LinkState,
    SendResult,
    SendStatus,
    StateHandler,
    Unsubscribe,
    node_id_str,
)
from relay.waits import cancel_all, wait_event, within

logger = logging.getLogger(__name__)

#: Largest payload of ours that one frame carries (the firmware NAKs 232-233 as TOO_LARGE).
MAX_PAYLOAD = 231
#: What the library itself accepts before raising (``DATA_PAYLOAD_LEN``).
LIBRARY_MAX_PAYLOAD = 233
MAX_HOP_LIMIT = 7

#: ``QueueStatus.res`` values (firmware ``ErrorCode``; 7 and 9 are Routing.Error values).
_RES_OK = (0, 35)  # ERRNO_OK, ERRNO_SHOULD_RELEASE ("no error")
_RES_QUEUE_FULL = 32  # ERRNO_UNKNOWN from a full transmit queue: not taken, try again
_RES_DETAIL = {33: "no radio interface", 34: "transmitter disabled (is the region set?)"}
#: ``Routing.Error`` -> our status.
_ROUTING_STATUS = {
    0: SendStatus.ACKED,
    1: SendStatus.NO_ROUTE,
    5: SendStatus.MAX_RETRANSMIT,
    7: SendStatus.TOO_LARGE,
    9: SendStatus.DUTY_CYCLE_LIMIT,
    38: SendStatus.RATE_LIMIT,
}
#: Queue statuses remembered for ids whose ``sendData`` has not returned yet.
_RECENT = 64


@dataclass(frozen=True, slots=True)
class AdapterOptions:
    timeouts: LinkTimeouts = field(default_factory=LinkTimeouts)
    #: How long the device may take to confirm a packet with its QueueStatus.
    queue_status_s: float = 5.0
    #: How long a want_ack frame waits for its ack or NAK (then: QUEUED, "no ack").
    ack_s: float = DM_ACK_WAIT_S
    #: How long send() keeps a frame queued while the link is down (None: until close).
    send_timeout_s: float | None = None
    max_pending: int = 64
    backoff: Backoff = field(default_factory=Backoff)
    #: After the device closed our TCP session (another client): give it time.
    slot_backoff: Backoff = field(default_factory=lambda: Backoff(initial_s=15.0, cap_s=120.0))


@dataclass(eq=False, slots=True)
class _Outgoing:
    payload: bytes
    destination: int
    want_ack: bool
    hop_limit: int | None
    future: asyncio.Future[SendResult]
    packet_id: int = 0
    implicit_ack: bool = False

    def resolve(self, result: SendResult) -> None:
        if not self.future.done():
            self.future.set_result(result)


class MeshtasticTransport:
    """A Meshtastic radio as a :class:`~relay.radio.transport.Transport`."""

    max_payload = MAX_PAYLOAD

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        options: AdapterOptions | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.options = options or AdapterOptions()
        self._rng = rng or random.Random()  # noqa: S311 - backoff jitter, not secrets
        self._state = LinkState.DISCONNECTED
        self._link: MeshtasticLink | None = None
        self._node_num: int | None = None
        self._pending: deque[_Outgoing] = deque()
        self._confirming: dict[int, _Outgoing] = {}
        self._awaiting_ack: dict[int, _Outgoing] = {}
        self._recent_status: OrderedDict[int, QueueStatusEvent] = OrderedDict()
        #: Acks that came back before sendData returned (serial sleeps 0.1 s per write).
        self._early_routing: OrderedDict[int, list[RoutingEvent]] = OrderedDict()
        self._status_waiters: dict[int, asyncio.Future[QueueStatusEvent]] = {}
        self._closers: set[asyncio.Task[None]] = set()
        #: Free slots in the radio's transmit queue, as its last QueueStatus said.
        self._radio_free: int | None = None
        self._frame_handlers: list[FrameHandler] = []
        self._state_handlers: list[StateHandler] = []
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        #: Why the link is down (None while connected).
        self.last_error: RadioError | None = None

    # --- Transport properties -----------------------------------------------------------

    @property
    def node_num(self) -> int | None:
        return self._node_num

    @property
    def state(self) -> LinkState:
        return self._state

    def on_frame(self, handler: FrameHandler) -> Unsubscribe:
        self._frame_handlers.append(handler)
        return lambda: _remove(self._frame_handlers, handler)

    def on_state(self, handler: StateHandler) -> Unsubscribe:
        self._state_handlers.append(handler)
        return lambda: _remove(self._state_handlers, handler)

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Connect, or raise a clear :class:`~relay.errors.RadioConnectError`.

        After the first success the link is kept up in the background until :meth:`close`.
        """
        if self._tasks or self._state is LinkState.CLOSED:
            return
        self._set_state(LinkState.CONNECTING)
        try:
            link = await self._connect()
        except RadioError as err:
            self.last_error = err
            self._set_state(LinkState.DISCONNECTED)
            raise
        self._install(link)
        self._set_state(LinkState.CONNECTED)
        supervisor = Supervisor(
            self._connect,
            self._supervisor_report,
            rng=self._rng,
            backoff=self.options.backoff,
            slot_backoff=self.options.slot_backoff,
            on_link=self._install,
            slot_error=self._slot_error,
        )
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._sender(), name=f"sender {self.endpoint}"),
            loop.create_task(supervisor.run(link), name=f"supervisor {self.endpoint}"),
        ]

    async def _connect(self) -> MeshtasticLink:
        link = MeshtasticLink(
            self.endpoint, self, asyncio.get_running_loop(), self.options.timeouts
        )
        await link.open()
        return link

    def _install(self, link: MeshtasticLink) -> None:
        self._link = link
        self._radio_free = None
        self._node_num = link.node_num
        self.last_error = None

    def _slot_error(self) -> RadioError:
        return SlotTakenError(
            f"{self.endpoint}: the radio closed our API session; another client has probably "
            "taken its single TCP slot"
        )

    def _supervisor_report(self, state: LinkState, error: RadioError | None) -> None:
        if error is not None:
            self.last_error = error
        if state is LinkState.DISCONNECTED and self._link is not None:
            dead, self._link = self._link, None
            self._close_later(dead)
        self._set_state(state)

    def _close_later(self, link: MeshtasticLink) -> None:
        task = asyncio.get_running_loop().create_task(link.close(), name=f"close {link}")
        self._closers.add(task)
        task.add_done_callback(self._closers.discard)

    async def close(self) -> None:
        """Stop for good. Frames not yet taken by the radio come back ``NOT_SENT``."""
        if self._state is LinkState.CLOSED:
            return
        tasks, self._tasks = self._tasks, []
        await cancel_all(tasks)
        link, self._link = self._link, None
        if link is not None:
            await link.close()
        for closer in list(self._closers):
            with contextlib.suppress(Exception):
                await closer
        self._fail_all("transport closed")
        self._set_state(LinkState.CLOSED)

    def _fail_all(self, why: str) -> None:
        for out in list(self._pending) + list(self._confirming.values()):
            out.resolve(SendResult(SendStatus.NOT_SENT, detail=why))
        for out in self._awaiting_ack.values():
            out.resolve(SendResult(SendStatus.QUEUED, out.packet_id, f"{why} before an ack"))
        self._pending.clear()
        self._confirming.clear()
        self._awaiting_ack.clear()

    # --- sending ------------------------------------------------------------------------

    async def send(
        self,
        payload: bytes,
        destination: int = BROADCAST,
        *,
        want_ack: bool = False,
        hop_limit: int | None = None,
    ) -> SendResult:
        if hop_limit is not None and not 0 <= hop_limit <= MAX_HOP_LIMIT:
            raise ValueError(f"hop_limit {hop_limit} outside 0..{MAX_HOP_LIMIT}")
        if self._state is LinkState.CLOSED:
            return SendResult(SendStatus.NOT_SENT, detail="transport closed")
        if len(payload) > LIBRARY_MAX_PAYLOAD:
            return SendResult(
                SendStatus.TOO_LARGE, detail=f"{len(payload)} bytes > {self.max_payload}"
            )
        if len(self._pending) >= self.options.max_pending:
            return SendResult(SendStatus.NOT_SENT, detail="send queue full")
        future: asyncio.Future[SendResult] = asyncio.get_running_loop().create_future()
        out = _Outgoing(bytes(payload), destination, want_ack, hop_limit, future)
        self._pending.append(out)
        self._wake.set()
        try:
            return await within(asyncio.shield(future), self.options.send_timeout_s)
        except TimeoutError:
            if out in self._pending:
                self._pending.remove(out)
                why = f"link down for {self.options.send_timeout_s:.0f} s"
                return SendResult(SendStatus.NOT_SENT, detail=why)
            return await future  # the radio has it; its answer is near
        finally:
            if not future.done() and out in self._pending:  # the caller was cancelled
                self._pending.remove(out)
                out.resolve(SendResult(SendStatus.NOT_SENT, detail="cancelled"))

    def _ready_link(self) -> MeshtasticLink | None:
        link = self._link
        if self._state is LinkState.CONNECTED and link is not None and link.is_up:
            return link
        return None

    async def _sender(self) -> None:
        """Hand queued frames to the radio one by one, in order; only confirmed ones leave.

        While the radio's transmit queue is full we wait for its next QueueStatus instead
        of calling ``sendData``, which would sleep in the library until then.
        """
        while True:
            link = self._ready_link()
            if not self._pending or link is None:
                self._wake.clear()
                await self._wake.wait()
                continue
            if self._radio_free == 0:
                self._wake.clear()
                if not await wait_event(self._wake, self.options.queue_status_s):
                    self._radio_free = None  # no update came: try, the QueueStatus will tell
                continue
            out = self._pending[0]
            try:
                await self._hand_over(link, out)
            except RadioDisconnectedError as err:
                logger.warning("%s: frame not taken by the radio, kept queued: %s", self, err)
                link.fail()
                self._wake.clear()

    async def _hand_over(self, link: MeshtasticLink, out: _Outgoing) -> None:
        packet_id = await link.send(out.payload, out.destination, out.want_ack, out.hop_limit)
        self._pending.popleft()
        out.packet_id = packet_id
        self._confirming[packet_id] = out
        try:
            status = await self._queue_status(link, packet_id)
        finally:
            self._confirming.pop(packet_id, None)
        if status is None:
            out.packet_id = 0
            self._pending.appendleft(out)
            raise RadioDisconnectedError(f"no QueueStatus for packet {packet_id:08x}")
        if status.res == _RES_QUEUE_FULL:
            logger.info("%s: radio transmit queue full; frame kept until there is room", self)
            out.packet_id = 0
            self._pending.appendleft(out)
            self._radio_free = 0
            return
        self._settle(out, status)

    async def _queue_status(self, link: MeshtasticLink, packet_id: int) -> QueueStatusEvent | None:
        """The device's confirmation for ``packet_id``, or None (timeout, link lost)."""
        waiter: asyncio.Future[QueueStatusEvent] = asyncio.get_running_loop().create_future()
        self._status_waiters[packet_id] = waiter
        try:
            early = self._recent_status.pop(packet_id, None)
            if early is not None:
                return early
            lost = asyncio.ensure_future(link.wait_lost())
            watched: set[asyncio.Future[Any]] = {waiter, lost}
            done, _ = await asyncio.wait(
                watched, timeout=self.options.queue_status_s, return_when=asyncio.FIRST_COMPLETED
            )
            lost.cancel()
            return waiter.result() if waiter in done else None
        finally:
            self._status_waiters.pop(packet_id, None)

    def _settle(self, out: _Outgoing, status: QueueStatusEvent) -> None:
        pid = out.packet_id
        if status.res not in _RES_OK:
            out.resolve(_refusal(pid, status.res))
            return
        if not out.want_ack:
            out.resolve(SendResult(SendStatus.QUEUED, pid))
            return
        self._awaiting_ack[pid] = out
        for event in self._early_routing.pop(pid, []):
            self.link_routing(event)
        if not out.future.done():
            loop = asyncio.get_running_loop()
            loop.call_later(self.options.ack_s, self._ack_timeout, pid)

    def _ack_timeout(self, packet_id: int) -> None:
        out = self._awaiting_ack.pop(packet_id, None)
        if out is None:
            return
        why = "implicit ack only" if out.implicit_ack else "no ack"
        detail = f"{why} in {self.options.ack_s:.0f} s"
        if out.destination == BROADCAST:
            out.resolve(SendResult(SendStatus.QUEUED, packet_id, detail))
        else:
            # Only the destination's ack proves a direct message arrived (see DM_ACK_WAIT_S).
            out.resolve(SendResult(SendStatus.MAX_RETRANSMIT, packet_id, detail))

    # --- LinkEvents (on the loop thread) ----------------------------------------------------

    def link_queue_status(self, event: QueueStatusEvent) -> None:
        self._radio_free = event.free
        if event.free:
            self._wake.set()
        if not event.packet_id:
            return  # a heartbeat answer or a free-space update
        waiter = self._status_waiters.get(event.packet_id)
        if waiter is not None and not waiter.done():
            waiter.set_result(event)
            return
        self._recent_status[event.packet_id] = event
        while len(self._recent_status) > _RECENT:
            self._recent_status.popitem(last=False)

    def link_routing(self, event: RoutingEvent) -> None:
        pid = event.request_id
        out = self._awaiting_ack.get(pid)
        if out is None:
            self._early_routing.setdefault(pid, []).append(event)
            while len(self._early_routing) > _RECENT:
                self._early_routing.popitem(last=False)
            return
        if event.error == 0 and out.destination not in (BROADCAST, event.from_node):
            out.implicit_ack = True  # a neighbour relayed our DM; wait for the destination
            return
        del self._awaiting_ack[pid]
        if event.error == 0:
            out.resolve(
                SendResult(SendStatus.ACKED, pid, f"acked by {node_id_str(event.from_node)}")
            )
        else:
            out.resolve(_nak(pid, event.error))

    def link_frame(self, frame: Frame) -> None:
        for handler in list(self._frame_handlers):
            try:
                handler(frame)
            except Exception:
                logger.exception("%s: a frame handler failed", self)

    # --- state --------------------------------------------------------------------------

    def _set_state(self, state: LinkState) -> None:
        if state is self._state:
            return
        self._state = state
        logger.info("%s: %s", self, state.value)
        self._wake.set()
        for handler in list(self._state_handlers):
            try:
                handler(state)
            except Exception:
                logger.exception("%s: a state handler failed", self)

    def __str__(self) -> str:
        return str(self.endpoint)


def _refusal(packet_id: int, res: int) -> SendResult:
    """A non-zero ``QueueStatus.res``: the firmware did not queue the packet."""
    status = _ROUTING_STATUS.get(res, SendStatus.OTHER_ERROR)
    if status is SendStatus.ACKED:
        status = SendStatus.OTHER_ERROR
    detail = _RES_DETAIL.get(res) or _routing_name(res)
    return SendResult(status, packet_id, f"radio refused it: {detail}")


def _routing_name(error: int) -> str:
    from meshtastic.protobuf import mesh_pb2

    try:
        return str(mesh_pb2.Routing.Error.Name(error))
    except ValueError:
        return f"code {error}"


def _nak(packet_id: int, error: int) -> SendResult:
    status = _ROUTING_STATUS.get(error, SendStatus.OTHER_ERROR)
    return SendResult(status, packet_id, _routing_name(error))


def _remove(handlers: list[FrameHandler] | list[StateHandler], handler: object) -> None:
    with contextlib.suppress(ValueError):
        handlers.remove(handler)  # type: ignore[arg-type]
