"""An emulated Meshtastic radio on its own thread, for the synchronous meshtastic library.

The emulator (relay.emulator) runs on an asyncio loop over the simulator's real-time
air; the ``meshtastic`` library our configuration commands use is synchronous and
threaded, so the emulator gets a loop of its own on a background thread. Tests reach
the device state through :meth:`EmulatedSite.call`, which runs on that loop.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from relay.emulator.device_state import DeviceState
from relay.emulator.node import EmulatedNode, NodeOptions
from relay.emulator.radio import EmulatedRadio
from relay.sim.mesh import Mesh
from relay.sim.realtime import RealtimeAir
from relay.sim.scenario import parse_scenario

T = TypeVar("T")

SITE_NUM = 0x7E57AA01
SCENARIO: dict[str, Any] = {
    "name": "bench",
    "radio": {"preset": "LONG_FAST", "hop_limit": 3},
    "nodes": [
        {"name": "site", "num": SITE_NUM, "kind": "point", "role": "CLIENT"},
        {"name": "hub", "num": 0x7E57AA02, "kind": "hub", "role": "CLIENT"},
    ],
    "links": [{"a": "site", "b": "hub", "snr_db": 6.0}],
}


class EmulatedSite:
    """One emulated radio ("site") reachable at :attr:`url`, until :meth:`stop`."""

    def __init__(
        self,
        options: NodeOptions | None = None,
        seed: int = 7,
        tcp_port: int = 0,
        serial: bool = False,
    ) -> None:
        self._options = options
        self._tcp_port = tcp_port
        self._serial = serial
        self._seed = seed
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="emulator")
        self._air: RealtimeAir | None = None
        self._radio: EmulatedRadio | None = None
        self.url = ""
        #: ``serial:///dev/pts/N`` when started with ``serial=True``.
        self.serial_url = ""

    def start(self) -> EmulatedSite:
        self._thread.start()
        self._run(self._start()).result(timeout=30)
        return self

    async def _start(self) -> None:
        rng = random.Random(self._seed)
        mesh = Mesh(parse_scenario(SCENARIO), rng)
        self._air = RealtimeAir(mesh)
        await self._air.start()
        node = EmulatedNode(self._air.node("site"), rng=rng, options=self._options)
        self._radio = EmulatedRadio(node, tcp_port=self._tcp_port, serial=self._serial)
        await self._radio.start()
        assert self._radio.tcp is not None
        self.url = f"tcp://127.0.0.1:{self._radio.tcp.port}"
        if self._radio.pty is not None:
            self.serial_url = f"serial://{self._radio.pty.path}"

    def call(self, fn: Callable[[DeviceState], T]) -> T:
        """Run ``fn(device_state)`` on the emulator's loop and return its result."""
        assert self._radio is not None
        state = self._radio.node.state

        async def run() -> T:
            return fn(state)

        return self._run(run()).result(timeout=10)

    @property
    def accepted(self) -> int:
        """TCP connections the radio accepted so far."""
        assert self._radio is not None and self._radio.tcp is not None
        return self._radio.tcp.accepted_count

    def stop(self) -> None:
        async def stop() -> None:
            if self._radio is not None:
                await self._radio.stop()
            if self._air is not None:
                await self._air.stop()

        try:
            self._run(stop()).result(timeout=30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            self._loop.close()

    def _run(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)
