"""One emulated device: a node model plus the servers a client reaches it through."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from relay.emulator.node import EmulatedNode
from relay.emulator.servers import PtyServer, TcpServer

logger = logging.getLogger(__name__)

#: How often the node checks its transmit queue for a free-space change (seconds).
TICK_S = 0.5
#: The firmware closes an API client it has not heard from for 15 minutes.
CLIENT_IDLE_S = 15 * 60.0


class EmulatedRadio:
    """An emulated Meshtastic device on a simulated node, reachable by TCP and/or serial."""

    def __init__(
        self,
        node: EmulatedNode,
        *,
        tcp_port: int | None = 0,
        serial: bool = False,
        host: str = "127.0.0.1",
        client_idle_s: float = CLIENT_IDLE_S,
    ) -> None:
        self.node = node
        self.client_idle_s = client_idle_s
        self.tcp = TcpServer(node, host, tcp_port) if tcp_port is not None else None
        self.pty = PtyServer(node) if serial else None
        self._ticker: asyncio.Task[None] | None = None

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def tcp_port(self) -> int:
        """The TCP port clients connect to (the node must have a TCP server)."""
        if self.tcp is None:
            raise RuntimeError(f"{self.name} has no TCP API")
        return self.tcp.port

    @property
    def serial_path(self) -> str:
        """The pty a SerialInterface opens (the node must have a serial port)."""
        if self.pty is None:
            raise RuntimeError(f"{self.name} has no serial port")
        return self.pty.path

    async def start(self) -> None:
        self.node.attach()
        if self.tcp is not None:
            await self.tcp.start()
        if self.pty is not None:
            await self.pty.start()
        self._ticker = asyncio.get_running_loop().create_task(
            self._tick(), name=f"tick {self.name}"
        )

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            try:
                self.node.tick()
                if self.tcp is not None:
                    self.tcp.drop_idle(self.client_idle_s)
            except Exception:
                logger.exception("%s: tick failed", self.name)

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self.tcp is not None:
            await self.tcp.stop()
        if self.pty is not None:
            await self.pty.stop()
        self.node.detach()

    async def __aenter__(self) -> EmulatedRadio:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
