"""One connection to a Meshtastic radio through the real ``meshtastic`` library, confined.

Everything that touches the library's threads and its global pubsub lives in this
module, so the rest of noodrelay sees one asyncio object. What it defends against
(see ``notes/meshtastic.md``, all observed with meshtastic 2.7.11):

* Library calls block (``sendData`` waits 30 s when the device is gone, the constructor
  waits a hard-coded 30 s for the handshake, the queue-full loop sleeps forever): every
  call runs in this link's own worker thread under our own timeout, and a stuck call is
  released by failing the library's connection wait.
* Library code calls ``sys.exit``: ``SystemExit`` is caught in the worker and becomes a
  :class:`~relay.errors.RadioError`; it never reaches the event loop.
* pypubsub keeps weak references and publishes everyone's packets on shared topics:
  listeners are bound methods of an object this link keeps alive, they check
  ``interface is ours``, hand events to the loop with ``call_soon_threadsafe``, log
  every exception of ours and are unsubscribed on close.
* The silent TCP reconnect (no event, sends in the gap dropped): the interface is
  subclassed so that a closed socket ends the link with a loss event instead; the
  transport's supervisor reconnects, and nothing is reported sent without the device's
  ``QueueStatus`` for that packet id.
* Closing right after connecting races the first heartbeat: :meth:`open` returns only
  after the device answered the heartbeat (its ``QueueStatus``).

The library's classes, the worker thread and the error mapping are in
:mod:`relay.radio.meshtastic_parts`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from relay.errors import (
    ConfigTimeoutError,
    RadioConnectError,
    RadioDisconnectedError,
    RadioError,
    SlotTakenError,
)
from relay.radio.meshtastic_parts import (
    Endpoint,
    RadioUnreachableError,
    SerialEndpoint,
    TcpEndpoint,
    Worker,
    close_interface,
    interface_classes,
    map_error,
)
from relay.radio.supervisor import LossReason
from relay.radio.transport import PRIVATE_PORT, Frame
from relay.waits import wait_event, within

__all__ = [
    "Endpoint",
    "LinkEvents",
    "LinkTimeouts",
    "MeshtasticLink",
    "QueueStatusEvent",
    "RadioUnreachableError",
    "RoutingEvent",
    "SerialEndpoint",
    "TcpEndpoint",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Topics we listen to; the library publishes every interface's traffic on them.
TOPIC_DATA = "meshtastic.receive.data.PRIVATE_APP"
TOPIC_ROUTING = "meshtastic.receive.routing"
TOPIC_LOST = "meshtastic.connection.lost"


@dataclass(frozen=True, slots=True)
class LinkTimeouts:
    connect_s: float = 10.0  # TCP connect (the library has no timeout at all)
    config_s: float = 15.0  # the handshake (instead of the library's fixed 30 s)
    heartbeat_s: float = 5.0  # the device's answer to the first heartbeat
    call_s: float = 10.0  # any other library call
    close_s: float = 5.0


@dataclass(frozen=True, slots=True)
class QueueStatusEvent:
    """The device's word on a packet we handed it (``mesh_packet_id``) or on its queue."""

    packet_id: int
    res: int
    free: int
    capacity: int


@dataclass(frozen=True, slots=True)
class RoutingEvent:
    """An ack or NAK (``ROUTING_APP`` with ``request_id``) from the device."""

    request_id: int
    error: int
    from_node: int


class LinkEvents(Protocol):
    """What a link reports to its transport, always on the event loop thread."""

    def link_frame(self, frame: Frame) -> None: ...

    def link_queue_status(self, event: QueueStatusEvent) -> None: ...

    def link_routing(self, event: RoutingEvent) -> None: ...


class _Listener:
    """pypubsub listener: bound methods of an object the link keeps alive."""

    def __init__(self, link: MeshtasticLink) -> None:
        self._link = link

    def on_data(self, packet: dict[str, Any], interface: Any) -> None:
        self._link.guarded("data", self._link.data_from_library, packet, interface)

    def on_routing(self, packet: dict[str, Any], interface: Any) -> None:
        self._link.guarded("routing", self._link.routing_from_library, packet, interface)

    def on_lost(self, interface: Any) -> None:
        self._link.guarded("lost", self._link.lost_from_library, interface)


class MeshtasticLink:
    """One library interface for one connection; after a loss it is done for good."""

    def __init__(
        self,
        endpoint: Endpoint,
        events: LinkEvents,
        loop: asyncio.AbstractEventLoop,
        timeouts: LinkTimeouts | None = None,
    ) -> None:
        self.endpoint = endpoint
        self._events = events
        self._loop = loop
        self.timeouts = timeouts or LinkTimeouts()
        self._worker = Worker(f"meshtastic {endpoint}")
        self._iface: Any = None
        self._listener = _Listener(self)
        self._subscribed = False
        self._lost: asyncio.Future[LossReason] = loop.create_future()
        self._device_closed = threading.Event()
        self._heartbeat_answered = asyncio.Event()
        self._opened = False
        self.node_num: int | None = None

    @property
    def connect_timeout(self) -> float:
        return self.timeouts.connect_s

    # --- opening ------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect and finish the handshake, or raise a clear :class:`RadioConnectError`."""
        try:
            self._iface = await self._call(self._construct, self.timeouts.call_s)
            self._subscribe()
            await self._call(self._iface.connect, self.timeouts.config_s)
            if self._lost.done():
                raise RadioDisconnectedError(f"{self.endpoint}: connection lost in the handshake")
        except Exception as err:
            await self.close()
            raise self._open_error(err) from err
        except BaseException:
            await self.close()
            raise
        self._opened = True
        self.node_num = int(self._iface.myInfo.my_node_num)
        if not await wait_event(self._heartbeat_answered, self.timeouts.heartbeat_s):
            logger.warning("%s: no answer to the first heartbeat (old firmware?)", self.endpoint)
        self._warn_about_config()

    def _open_error(self, err: Exception) -> RadioError:
        if self._device_closed.is_set():
            return SlotTakenError(self._slot_message())
        if isinstance(err, TimeoutError):
            return ConfigTimeoutError(
                f"{self.endpoint}: the radio did not finish its configuration handshake "
                f"within {self.timeouts.config_s:.0f} s"
            )
        if isinstance(err, RadioConnectError):
            return err
        return RadioConnectError(f"{self.endpoint}: {err}")

    def _slot_message(self) -> str:
        return (
            f"{self.endpoint}: the radio closed our API connection; another client has "
            "probably taken its single TCP slot (Meshtastic serves one client at a time)"
        )

    def _construct(self) -> Any:
        """The interface object, not yet connected (so that we hold it while it connects)."""
        serial_cls, tcp_cls = interface_classes()
        endpoint = self.endpoint
        if isinstance(endpoint, SerialEndpoint):
            # Always pass devPath: without it the library probes ports and may sys.exit.
            iface = serial_cls(devPath=endpoint.path, connectNow=False)
        else:
            # Always a numeric port: the library never parses "host:port" itself.
            iface = tcp_cls(endpoint.host, portNumber=endpoint.port, connectNow=False)
        iface._link = self
        return iface

    def _release(self) -> None:
        """Free a worker stuck in the library's connection wait (runs on another thread)."""
        iface = self._iface
        if iface is None:
            return
        iface.failure = RadioDisconnectedError(f"{self.endpoint}: link abandoned")
        iface.queueStatus = None  # ends the library's "wait for free space" sleep loop
        iface.isConnected.set()

    def _warn_about_config(self) -> None:
        lora = self._iface.localNode.localConfig.lora
        if lora.region == 0:
            logger.warning("%s: the radio has no LoRa region set: it will not transmit", self)
        elif not lora.tx_enabled:
            logger.warning("%s: the radio's transmitter is disabled (lora.tx_enabled)", self)

    def __str__(self) -> str:
        return str(self.endpoint)

    # --- the worker thread --------------------------------------------------------------

    async def _call(self, fn: Callable[[], T], timeout: float) -> T:
        """Run a library call in our worker; map its errors; never wait longer than ``timeout``.

        On timeout the call is released (the library's connection wait fails) and left to
        finish in the worker; the caller gets :class:`TimeoutError`.
        """
        future = asyncio.wrap_future(self._worker.submit(lambda: self._guard_call(fn)))
        future.add_done_callback(_consume)
        try:
            return await within(asyncio.shield(future), timeout)
        except TimeoutError:
            self._release()
            raise

    def _guard_call(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except SystemExit as err:  # the library's our_exit(): never let it end the daemon
            raise RadioError(f"{self.endpoint}: the meshtastic library gave up: {err}") from err
        except RadioError:
            raise
        except Exception as err:
            raise map_error(self.endpoint, err) from err

    # --- sending ------------------------------------------------------------------------

    async def send(
        self, payload: bytes, destination: int, want_ack: bool, hop_limit: int | None
    ) -> int:
        """Hand one packet to the library; returns its packet id. Raises when not sent."""
        if self._lost.done() or self._iface is None:
            raise RadioDisconnectedError(f"{self.endpoint}: link is down")
        iface = self._iface

        def call() -> int:
            packet = iface.sendData(
                payload,
                destinationId=destination,
                portNum=PRIVATE_PORT,
                wantAck=want_ack,
                hopLimit=hop_limit,
            )
            return int(packet.id)

        try:
            return await self._call(call, self.timeouts.call_s)
        except TimeoutError as err:
            self._mark_lost(LossReason.LINK_FAILED)
            raise RadioDisconnectedError(f"{self.endpoint}: send did not return") from err
        except RadioError as err:
            self._mark_lost(LossReason.LINK_FAILED)
            raise RadioDisconnectedError(f"{self.endpoint}: send failed: {err}") from err

    # --- events from the library's threads ------------------------------------------------

    def guarded(self, what: str, fn: Callable[..., None], *args: Any) -> None:
        """Run a listener body; an exception of ours is logged, never lost in pypubsub."""
        try:
            fn(*args)
        except Exception:
            logger.exception("%s: our %s listener failed", self.endpoint, what)

    def _to_loop(self, fn: Callable[..., None], *args: Any) -> None:
        try:
            self._loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:
            logger.debug("%s: event after the loop closed: %s", self.endpoint, fn)

    def data_from_library(self, packet: dict[str, Any], interface: Any) -> None:
        if interface is not self._iface:
            return
        raw = packet["raw"]
        hops = raw.hop_start - raw.hop_limit if raw.hop_start else None
        frame = Frame(
            payload=bytes(raw.decoded.payload),
            sender=int(getattr(raw, "from")),
            destination=int(raw.to),
            packet_id=int(raw.id),
            snr=float(raw.rx_snr) if raw.rx_snr or raw.rx_rssi else None,
            rssi=int(raw.rx_rssi) if raw.rx_rssi else None,
            hops=hops,
        )
        self._to_loop(self._deliver_frame, frame)

    def _deliver_frame(self, frame: Frame) -> None:
        self._events.link_frame(dataclasses.replace(frame, rx_time=self._loop.time()))

    def routing_from_library(self, packet: dict[str, Any], interface: Any) -> None:
        if interface is not self._iface:
            return
        from meshtastic.protobuf import mesh_pb2

        raw = packet["raw"]
        routing = mesh_pb2.Routing()
        routing.ParseFromString(raw.decoded.payload)
        event = RoutingEvent(
            request_id=int(raw.decoded.request_id),
            error=int(routing.error_reason),
            from_node=int(getattr(raw, "from")),
        )
        self._to_loop(self._events.link_routing, event)

    def queue_status_from_library(self, qs: Any) -> None:
        """Called by the interface subclass on the library's reader thread."""
        try:
            event = QueueStatusEvent(
                int(qs.mesh_packet_id), int(qs.res), int(qs.free), int(qs.maxlen)
            )
            self._to_loop(self._queue_status, event)
        except Exception:
            logger.exception("%s: queue status handling failed", self.endpoint)

    def _queue_status(self, event: QueueStatusEvent) -> None:
        if self._iface is not None and self._iface.isConnected.is_set():
            self._heartbeat_answered.set()
        self._events.link_queue_status(event)

    def device_closed(self) -> None:
        """The device closed the TCP connection cleanly (library reader thread)."""
        self._device_closed.set()

    def lost_from_library(self, interface: Any) -> None:
        if interface is not self._iface:
            return
        reason = (
            LossReason.CLOSED_BY_DEVICE if self._device_closed.is_set() else LossReason.LINK_FAILED
        )
        self._to_loop(self._mark_lost, reason)

    def _mark_lost(self, reason: LossReason) -> None:
        if not self._lost.done():
            self._lost.set_result(reason)
        if not self._opened:
            self._release()  # a handshake in progress will not finish now

    def fail(self) -> None:
        """Give up on this connection (a frame went unconfirmed); the supervisor reconnects."""
        self._mark_lost(LossReason.LINK_FAILED)

    async def wait_lost(self) -> LossReason:
        return await asyncio.shield(self._lost)

    @property
    def is_up(self) -> bool:
        return self._iface is not None and not self._lost.done()

    # --- subscriptions and closing --------------------------------------------------------

    def _subscribe(self) -> None:
        from pubsub import pub

        pub.subscribe(self._listener.on_data, TOPIC_DATA)
        pub.subscribe(self._listener.on_routing, TOPIC_ROUTING)
        pub.subscribe(self._listener.on_lost, TOPIC_LOST)
        self._subscribed = True

    def _unsubscribe(self) -> None:
        if not self._subscribed:
            return
        from pubsub import pub

        for method, topic in (
            (self._listener.on_data, TOPIC_DATA),
            (self._listener.on_routing, TOPIC_ROUTING),
            (self._listener.on_lost, TOPIC_LOST),
        ):
            with contextlib.suppress(Exception):
                pub.unsubscribe(method, topic)
        self._subscribed = False

    async def close(self) -> None:
        """Close the interface and end our worker thread; never raises."""
        self._mark_lost(LossReason.CLOSED)
        self._unsubscribe()
        iface, self._iface = self._iface, None
        if iface is not None:
            self._release_for_close(iface)
            future = asyncio.wrap_future(self._worker.submit(lambda: close_interface(iface)))
            future.add_done_callback(_consume)
            try:
                await within(asyncio.shield(future), self.timeouts.close_s)
            except Exception as err:  # closing a dead link fails in many ways; all are fine
                logger.debug("%s: close: %r", self.endpoint, err)
        self._worker.stop()
        await self._join_worker()

    def _release_for_close(self, iface: Any) -> None:
        """Unblock a worker stuck in a library wait before asking it to close."""
        if not iface.isConnected.is_set():
            iface.failure = RadioDisconnectedError(f"{self.endpoint}: closing")
            iface.isConnected.set()
        iface.queueStatus = None

    async def _join_worker(self) -> None:
        thread = self._worker.thread
        deadline = self._loop.time() + self.timeouts.close_s
        while thread.is_alive() and self._loop.time() < deadline:
            await asyncio.sleep(0.01)
        if thread.is_alive():
            logger.error("%s: a meshtastic library call is still stuck; leaving it", self)

    @property
    def worker_alive(self) -> bool:
        return self._worker.thread.is_alive()


def _consume(future: asyncio.Future[Any]) -> None:
    """Retrieve a worker result nobody awaits any more (after a timeout), for the log."""
    if not future.cancelled() and future.exception() is not None:
        logger.debug("abandoned library call ended with %r", future.exception())
