"""The ``meshtastic`` library's pieces, adapted: endpoints, interface subclasses, the worker
thread, and library errors turned into noodrelay's. Used only by
:mod:`relay.radio.meshtastic_link`, which owns the connection.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import errno
import queue
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from relay.errors import PortBusyError, PortNotFoundError, RadioConnectError, RadioError

T = TypeVar("T")


class RadioUnreachableError(RadioConnectError):
    """Nothing answers at the radio's network address."""


@dataclass(frozen=True, slots=True)
class SerialEndpoint:
    path: str

    def __str__(self) -> str:
        return f"serial://{self.path}"


@dataclass(frozen=True, slots=True)
class TcpEndpoint:
    host: str
    port: int = 4403

    def __str__(self) -> str:
        return f"tcp://{self.host}:{self.port}"


Endpoint = SerialEndpoint | TcpEndpoint


class LibraryHooks(Protocol):
    """What the interface subclasses report to their link (from library threads)."""

    @property
    def connect_timeout(self) -> float: ...

    def queue_status_from_library(self, qs: Any) -> None: ...

    def device_closed(self) -> None: ...


def interface_classes() -> tuple[type[Any], type[Any]]:
    """The library's interfaces, subclassed to report what it otherwise hides.

    Imported lazily: ``import meshtastic`` starts the library's global publishing
    thread, which commands that never touch a radio should not pay for.
    """
    from meshtastic.serial_interface import SerialInterface
    from meshtastic.tcp_interface import TCPInterface

    class ObservedSerial(SerialInterface):  # type: ignore[misc]
        _link: LibraryHooks

        def _handleQueueStatusFromRadio(self, queueStatus: Any) -> None:  # noqa: N802, N803
            super()._handleQueueStatusFromRadio(queueStatus)
            self._link.queue_status_from_library(queueStatus)

    class ObservedTcp(TCPInterface):  # type: ignore[misc]
        _link: LibraryHooks

        def _handleQueueStatusFromRadio(self, queueStatus: Any) -> None:  # noqa: N802, N803
            super()._handleQueueStatusFromRadio(queueStatus)
            self._link.queue_status_from_library(queueStatus)

        def myConnect(self) -> None:  # noqa: N802
            # The library connects without a timeout (minutes on an unreachable host).
            address = (self.hostname, self.portNumber)
            self.socket = socket.create_connection(address, timeout=self._link.connect_timeout)
            self.socket.settimeout(None)

        def _reconnect(self) -> None:
            # Instead of the library's silent reconnect (which drops sends in its gap),
            # end this connection with a loss event; the supervisor reconnects.
            self._link.device_closed()
            self._wantExit = True
            sock = self.socket
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    return ObservedSerial, ObservedTcp


class Worker:
    """One thread that runs this link's library calls, one at a time, in order.

    Our own (not a ``ThreadPoolExecutor``) so that closing can wait for it with a bound
    and tests can see that it has ended.
    """

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[
            tuple[Callable[[], Any], concurrent.futures.Future[Any]] | None
        ] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def submit(self, fn: Callable[[], T]) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._jobs.put((fn, future))
        return future

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            fn, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as err:  # handed to the awaiting coroutine
                future.set_exception(err)

    def stop(self) -> None:
        self._jobs.put(None)


def close_interface(iface: Any) -> None:
    """``iface.close()``, then cancel a heartbeat timer started behind its back.

    The library cancels its heartbeat timer first and joins its reader thread last; a
    reader still finishing a handshake in between starts a new 300 s timer thread that
    nothing cancels. After the join no new one can appear.
    """
    try:
        iface.close()
    finally:
        timer = iface.heartbeatTimer
        if timer is not None:
            timer.cancel()


def map_error(endpoint: Endpoint, err: Exception) -> RadioError:
    """A library or OS error as one of ours, with a message a technician can act on."""
    if isinstance(endpoint, SerialEndpoint):
        return _map_serial_error(endpoint, err)
    if isinstance(err, ConnectionRefusedError):
        return RadioUnreachableError(
            f"{endpoint}: connection refused (is the radio's TCP API on and the port right?)"
        )
    if isinstance(err, socket.gaierror):
        return RadioUnreachableError(f"{endpoint}: unknown host {endpoint.host!r}")
    if isinstance(err, TimeoutError):
        return RadioUnreachableError(f"{endpoint}: no answer (host down or unreachable)")
    return RadioConnectError(f"{endpoint}: {type(err).__name__}: {err}")


def _map_serial_error(endpoint: SerialEndpoint, err: Exception) -> RadioError:
    text = str(err)
    path = endpoint.path
    if isinstance(err, FileNotFoundError) or "No such file" in text:
        return PortNotFoundError(f"{path}: no such serial device (is the radio plugged in?)")
    if isinstance(err, PermissionError):
        return RadioConnectError(f"{path}: permission denied (add the user to group 'dialout')")
    busy = getattr(err, "errno", None) == errno.EBUSY
    if busy or "exclusively lock" in text or "busy" in text.lower():
        return PortBusyError(f"{path}: the serial port is in use by another program")
    return RadioConnectError(f"{endpoint}: {type(err).__name__}: {text}")
