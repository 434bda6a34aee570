"""The one narrow transport protocol between noodrelay and a radio.

Everything above this line (the delivery engine, the daemon) sees only these types;
everything below (the ``meshtastic`` library and its threads, the simulator's air)
stays inside one implementation of :class:`Transport`. Implementations are chosen by
URL scheme (``serial://``, ``tcp://``, ``sim://``) in :mod:`relay.radio.url`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from relay.link import (
    BROADCAST,
    PRIVATE_PORT,
    Frame,
    LinkState,
    SendResult,
    SendStatus,
    node_id_str,
)

__all__ = [
    "BROADCAST",
    "PRIVATE_PORT",
    "Frame",
    "FrameHandler",
    "LinkState",
    "SendResult",
    "SendStatus",
    "StateHandler",
    "Transport",
    "Unsubscribe",
    "node_id_str",
]

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
