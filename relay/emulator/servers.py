"""The two ways a client reaches an emulated node: TCP (port 4403 style) and a serial pty.

Both are thin: bytes in go to a :class:`PhoneSession`, framed bytes out go to the
socket or the pseudo-terminal. The firmware's rules that depend on the medium live here:
TCP serves **one client at a time** and a new connection kicks the old one; the serial
port has no "connection" at all, so its one session lives as long as the pty.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import struct
import time
import tty

from relay.emulator.node import EmulatedNode
from relay.emulator.phone_api import PhoneSession

logger = logging.getLogger(__name__)

#: Bytes kept for a serial client that does not read; a UART would lose them sooner.
PTY_OUTPUT_LIMIT = 256 * 1024


class _TcpConnection(asyncio.Protocol):
    """One TCP client; also the :class:`ClientLink` of its session."""

    def __init__(self, server: TcpServer) -> None:
        self._server = server
        self._transport: asyncio.Transport | None = None
        self.session: PhoneSession | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        peer = transport.get_extra_info("peername")
        self.session = PhoneSession(self._server.node, self, f"{self._server.node.name} tcp {peer}")
        self._server.accepted(self)

    def data_received(self, data: bytes) -> None:
        if self.session is not None:
            self.session.feed(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.session is not None:
            self.session.close()
        self._server.forget(self)

    # ClientLink
    def write(self, data: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def reset(self) -> None:
        """Close with a TCP RST, the way a powered-off device's socket ends."""
        if self._transport is None:
            return
        sock = self._transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._transport.abort()


class TcpServer:
    """The node's TCP API: one client at a time, the newest wins."""

    def __init__(self, node: EmulatedNode, host: str = "127.0.0.1", port: int = 0) -> None:
        self.node = node
        self.host = host
        self._server: asyncio.Server | None = None
        self._client: _TcpConnection | None = None
        self.port = port
        #: Connections accepted so far (tests use it to see a client come back).
        self.accepted_count = 0

    async def start(self) -> None:
        """Listen (again, after :meth:`power_off`: on the same port, like the device)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _TcpConnection(self), self.host, self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]
        logger.info("%s: TCP API on %s:%d", self.node.name, self.host, self.port)

    def accepted(self, conn: _TcpConnection) -> None:
        old, self._client = self._client, conn
        self.accepted_count += 1
        if conn.session is not None:
            self.node.add_session(conn.session)
        if old is not None:
            logger.info("%s: new TCP client, closing the previous one", self.node.name)
            old.close()

    def forget(self, conn: _TcpConnection) -> None:
        if self._client is conn:
            self._client = None

    @property
    def has_client(self) -> bool:
        return self._client is not None

    def drop_idle(self, idle_s: float) -> None:
        """Close a client silent for ``idle_s`` seconds (PhoneAPI::checkConnectionTimeout)."""
        client = self._client
        if client is None or client.session is None:
            return
        if time.monotonic() - client.session.last_contact > idle_s:
            logger.info("%s: TCP client silent for %.0f s, closing it", self.node.name, idle_s)
            client.close()

    def drop_client(self) -> None:
        """Close the client's connection but keep listening (what a kick looks like)."""
        if self._client is not None:
            self._client.close()

    async def power_off(self) -> None:
        """The device is gone: reset the client's connection and stop listening."""
        if self._client is not None:
            self._client.reset()
        await self.stop()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            if self._client is not None:
                self._client.close()
            await self._server.wait_closed()
            self._server = None


class PtyServer:
    """The node's serial port: a pseudo-terminal whose slave end a client opens."""

    def __init__(self, node: EmulatedNode) -> None:
        self.node = node
        self._master = -1
        self._slave = -1
        self.path = ""
        self._out = bytearray()
        self._session: PhoneSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writing = False

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._master, self._slave = os.openpty()
        # Raw mode at once: with the default echo, our own output would come back to us.
        tty.setraw(self._slave)
        # Keep the slave open ourselves: when the client closes it, the master must not
        # see a hang-up (a real USB serial device does not vanish when a program exits).
        self.path = os.ttyname(self._slave)
        os.set_blocking(self._master, False)
        self._session = PhoneSession(self.node, self, f"{self.node.name} serial {self.path}")
        self.node.add_session(self._session)
        self._loop.add_reader(self._master, self._readable)
        logger.info("%s: serial API on %s", self.node.name, self.path)

    def _readable(self) -> None:
        try:
            data = os.read(self._master, 4096)
        except BlockingIOError:
            return
        except OSError as err:
            logger.warning("%s: pty read failed: %s", self.node.name, err)
            return
        if data and self._session is not None:
            self._session.feed(data)

    # ClientLink
    def write(self, data: bytes) -> None:
        self._out += data
        if len(self._out) > PTY_OUTPUT_LIMIT:
            del self._out[: len(self._out) - PTY_OUTPUT_LIMIT]
        self._flush()

    def close(self) -> None:
        """The session never ends from the device side; only :meth:`stop` closes the pty."""

    def _flush(self) -> None:
        while self._out and self._master >= 0:
            try:
                written = os.write(self._master, self._out)
            except BlockingIOError:
                break
            except OSError as err:
                logger.warning("%s: pty write failed: %s", self.node.name, err)
                self._out.clear()
                break
            del self._out[:written]
        want_writer = bool(self._out) and self._master >= 0
        if want_writer != self._writing and self._loop is not None:
            if want_writer:
                self._loop.add_writer(self._master, self._flush)
            else:
                self._loop.remove_writer(self._master)
            self._writing = want_writer

    async def stop(self) -> None:
        """Unplug: the client's next read fails as on a pulled USB cable."""
        if self._master < 0:
            return
        if self._loop is not None:
            self._loop.remove_reader(self._master)
            if self._writing:
                self._loop.remove_writer(self._master)
                self._writing = False
        if self._session is not None:
            self._session.close()
            self._session = None
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._master = self._slave = -1
