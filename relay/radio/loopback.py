"""``loop://channel``: an in-process radio where every node on a channel hears every other.

Like python-can's ``virtual`` bus: no airtime, no loss, no range, no threads. It lets
daemon and screen tests run complete nodes in one process in milliseconds; the mesh
simulator (``sim://``) and the emulated Meshtastic node (``tcp://``) are where radio
behaviour is modelled. Direct messages are acked when the destination is on the
channel, like a Meshtastic DM with a routing ack.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable

from relay.airtime import MAX_APP_PAYLOAD
from relay.radio.transport import (
    BROADCAST,
    Frame,
    FrameHandler,
    LinkState,
    SendResult,
    SendStatus,
    StateHandler,
    Unsubscribe,
)

log = logging.getLogger(__name__)


class LoopbackChannel:
    """The shared medium: a set of transports that hear each other."""

    def __init__(self) -> None:
        self.members: dict[int, LoopbackTransport] = {}
        self._ids = itertools.count(1)
        #: Optional filter (sender, receiver, payload) -> True to drop that copy.
        self.drop: Callable[[int, int, bytes], bool] = lambda s, r, p: False

    def next_id(self) -> int:
        return next(self._ids)


class LoopbackRegistry:
    """Channels by name; one registry per test or process, passed in (never global)."""

    def __init__(self) -> None:
        self._channels: dict[str, LoopbackChannel] = {}

    def channel(self, name: str) -> LoopbackChannel:
        return self._channels.setdefault(name, LoopbackChannel())


class LoopbackTransport:
    def __init__(self, channel: LoopbackChannel, node_num: int) -> None:
        self._channel = channel
        self._num = node_num
        self._state = LinkState.CONNECTING
        self._frame_handlers: list[FrameHandler] = []
        self._state_handlers: list[StateHandler] = []

    @property
    def max_payload(self) -> int:
        return MAX_APP_PAYLOAD

    @property
    def node_num(self) -> int | None:
        return self._num

    @property
    def state(self) -> LinkState:
        return self._state

    def _set_state(self, state: LinkState) -> None:
        self._state = state
        for handler in list(self._state_handlers):
            handler(state)

    async def start(self) -> None:
        self._channel.members[self._num] = self
        self._set_state(LinkState.CONNECTED)

    async def send(
        self,
        payload: bytes,
        destination: int = BROADCAST,
        *,
        want_ack: bool = False,
        hop_limit: int | None = None,
    ) -> SendResult:
        if self._state is not LinkState.CONNECTED:
            return SendResult(SendStatus.NOT_SENT, detail="not connected")
        if len(payload) > MAX_APP_PAYLOAD:
            return SendResult(SendStatus.TOO_LARGE)
        packet_id = self._channel.next_id()
        loop = asyncio.get_running_loop()
        delivered = False
        for num, member in list(self._channel.members.items()):
            if num == self._num or destination not in (BROADCAST, num):
                continue
            if self._channel.drop(self._num, num, payload):
                continue
            frame = Frame(payload, self._num, destination, packet_id, rx_time=loop.time())
            loop.call_soon(member.deliver, frame)
            delivered = True
        if destination != BROADCAST and want_ack:
            status = SendStatus.ACKED if delivered else SendStatus.MAX_RETRANSMIT
            return SendResult(status, packet_id)
        return SendResult(SendStatus.QUEUED, packet_id)

    def deliver(self, frame: Frame) -> None:
        for handler in list(self._frame_handlers):
            try:
                handler(frame)
            except Exception:
                log.exception("frame handler failed")

    def on_frame(self, handler: FrameHandler) -> Unsubscribe:
        self._frame_handlers.append(handler)
        return lambda: self._frame_handlers.remove(handler)

    def on_state(self, handler: StateHandler) -> Unsubscribe:
        self._state_handlers.append(handler)
        return lambda: self._state_handlers.remove(handler)

    async def close(self) -> None:
        self._channel.members.pop(self._num, None)
        if self._state is not LinkState.CLOSED:
            self._set_state(LinkState.CLOSED)
