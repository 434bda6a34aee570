"""The simulator paced to the wall clock, inside an asyncio loop.

:class:`RealtimeAir` runs a :class:`~relay.sim.mesh.Mesh`'s scheduler so that virtual
time follows the loop's clock (optionally ``speed`` times faster). Emulated Meshtastic
nodes and in-process daemons (through the ``sim://`` transport) then share one air in
real time. Every model call happens on the loop's thread: the driver task runs due
events, and :class:`RealtimeNode` (what apps get from :meth:`RealtimeAir.node`) first
brings the model's clock up to "now" and wakes the driver afterwards, so a packet sent
at wall time *w* leaves at virtual time *w*.

    async with RealtimeAir(mesh) as air:
        node = air.node("hub")
        node.attach(app)              # any time, on the loop thread
        node.send(BROADCAST, 256, b"hello")

An app callback that raises is logged and kept in :attr:`RealtimeAir.errors`; the air
runs on (the model isolates apps, so one app's bug does not corrupt the air).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

from relay.errors import RelayError
from relay.sim.api import NodeApp, NodeInfo, RebroadcastMode, Role
from relay.sim.mesh import Mesh
from relay.sim.node import SimNode
from relay.sim.scheduler import Timer
from relay.waits import wait_event

log = logging.getLogger(__name__)
T = TypeVar("T")


class AirNotRunningError(RelayError):
    """The real-time air was used before :meth:`RealtimeAir.start` or after it stopped."""


class RealtimeAir:
    def __init__(self, mesh: Mesh, *, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.mesh = mesh
        mesh.raise_app_errors = False  # in real time an app's failure is logged, not fatal
        self.speed = speed
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._wakeup = asyncio.Event()
        self._origin_wall = 0.0
        self._origin_virtual = 0.0
        self._in_model = False
        self._nodes: dict[str, RealtimeNode] = {}
        self._stop_listeners: list[Callable[[], None]] = []

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        if self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._origin_wall = self._loop.time()
        self._origin_virtual = self.mesh.now()
        self._task = asyncio.create_task(self._run(), name=f"air-{self.mesh.scenario.name}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            for listener in list(self._stop_listeners):
                try:
                    listener()
                except Exception:
                    log.exception("stop listener failed")

    def on_stop(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` when the air stops; returns a function that unsubscribes."""
        self._stop_listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._stop_listeners:
                self._stop_listeners.remove(listener)

        return unsubscribe

    async def __aenter__(self) -> RealtimeAir:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def errors(self) -> list[Exception]:
        """Exceptions raised by apps on this air (each also logged)."""
        return self.mesh.app_errors

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    # --- time ---------------------------------------------------------------------------

    def virtual_now(self) -> float:
        """Virtual time that corresponds to the loop's clock right now."""
        if self._loop is None:
            return self.mesh.now()
        elapsed = (self._loop.time() - self._origin_wall) * self.speed
        return max(self.mesh.now(), self._origin_virtual + elapsed)

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        """Schedule a model callback ``delay`` virtual seconds from now (loop thread)."""
        timer = self.call(lambda: self.mesh.scheduler.call_later(delay, callback))
        return timer

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` against the model at the current time (on the loop thread)."""
        if self._task is None:
            raise AirNotRunningError("the real-time air is not running")
        if not self._in_model:
            self._advance()
        try:
            return fn()
        finally:
            self._wakeup.set()

    def _advance(self) -> None:
        """Run every event due by now. Never re-entered from inside a model callback."""
        self._in_model = True
        try:
            self.mesh.scheduler.run_until(self.virtual_now())
        finally:
            self._in_model = False

    async def _run(self) -> None:
        while True:
            self._advance()
            nxt = self.mesh.scheduler.next_time()
            timeout = None if nxt is None else max(0.0, (nxt - self.virtual_now()) / self.speed)
            self._wakeup.clear()
            await wait_event(self._wakeup, timeout)

    # --- nodes --------------------------------------------------------------------------

    def node(self, name: str) -> RealtimeNode:
        """The real-time face of a scenario node (a :class:`relay.sim.api.SimNodeAPI`)."""
        if name not in self._nodes:
            self._nodes[name] = RealtimeNode(self, self.mesh.node(name))
        return self._nodes[name]


class RealtimeNode:
    """A :class:`SimNode` whose every call runs at the current real time."""

    def __init__(self, air: RealtimeAir, node: SimNode) -> None:
        self._air = air
        self.sim_node = node

    @property
    def info(self) -> NodeInfo:
        return self.sim_node.info

    @property
    def num(self) -> int:
        return self.sim_node.num

    @property
    def name(self) -> str:
        return self.sim_node.name

    def now(self) -> float:
        return self._air.virtual_now()

    def attach(self, app: NodeApp) -> None:
        self.sim_node.attach(app)

    def detach(self, app: NodeApp) -> None:
        self.sim_node.detach(app)

    def send(
        self,
        dst: int,
        portnum: int,
        payload: bytes,
        *,
        want_ack: bool = False,
        hop_limit: int | None = None,
        packet_id: int | None = None,
    ) -> int:
        node = self.sim_node
        return self._air.call(
            lambda: node.send(
                dst, portnum, payload, want_ack=want_ack, hop_limit=hop_limit, packet_id=packet_id
            )
        )

    def queue_status(self) -> tuple[int, int]:
        return self.sim_node.queue_status()

    def configure(
        self,
        *,
        role: Role | None = None,
        rebroadcast_mode: RebroadcastMode | None = None,
        hop_limit: int | None = None,
    ) -> None:
        node = self.sim_node
        self._air.call(
            lambda: node.configure(
                role=role, rebroadcast_mode=rebroadcast_mode, hop_limit=hop_limit
            )
        )

    def channel_utilization(self) -> float:
        return self._air.call(self.sim_node.channel_utilization)

    def air_util_tx(self) -> float:
        return self._air.call(self.sim_node.air_util_tx)

    def peers(self) -> list[NodeInfo]:
        return self.sim_node.peers()
