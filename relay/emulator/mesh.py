"""A whole scenario as emulated Meshtastic devices on one real-time simulated air.

Each scenario node gets an :class:`~relay.emulator.radio.EmulatedRadio` with its own TCP
port on 127.0.0.1 (and, on request, a serial pty), all joined by the simulator's air in
real time. This is what ``relay radio emulate`` and ``make demo`` run, and what the
end-to-end tests connect the real ``meshtastic`` library to.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from relay.emulator.node import EmulatedNode, NodeOptions
from relay.emulator.radio import EmulatedRadio
from relay.errors import ConfigError
from relay.sim.mesh import Mesh
from relay.sim.realtime import RealtimeAir
from relay.sim.scenario import Scenario

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a client reaches one emulated node."""

    name: str
    num: int
    tcp_port: int | None
    serial_path: str | None


class EmulatedMesh:
    """Every node of a scenario as an emulated device; start, use, stop."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int = 1,
        base_port: int | None = None,
        serial: Iterable[str] = (),
        host: str = "127.0.0.1",
        speed: float = 1.0,
        tcp: bool = True,
    ) -> None:
        self.scenario = scenario
        rng = random.Random(seed)  # noqa: S311 - a simulation, not secrets
        self.air = RealtimeAir(Mesh(scenario, rng), speed=speed)
        serial_names = set(serial)
        unknown = serial_names - {spec.name for spec in scenario.nodes}
        if unknown:
            raise ConfigError(f"no such node(s) for --serial: {', '.join(sorted(unknown))}")
        self.radios: dict[str, EmulatedRadio] = {}
        for index, spec in enumerate(scenario.nodes):
            sim = self.air.node(spec.name)
            options = NodeOptions(
                modem_preset=scenario.radio.preset.name,
                hop_limit=scenario.radio.hop_limit,
                rebroadcast_mode=spec.rebroadcast_mode,
            )
            node = EmulatedNode(
                sim,
                rng=random.Random(rng.getrandbits(64)),  # noqa: S311
                options=options,
                after_air=self._after_air,
            )
            port = None if not tcp else (0 if base_port is None else base_port + index)
            self.radios[spec.name] = EmulatedRadio(
                node, tcp_port=port, serial=spec.name in serial_names, host=host
            )

    def _after_air(self, callback: Callable[[], None]) -> None:
        self.air.call_later(0.0, callback)

    def __getitem__(self, name: str) -> EmulatedRadio:
        try:
            return self.radios[name]
        except KeyError:
            raise ConfigError(f"no node {name!r} in scenario {self.scenario.name!r}") from None

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint(
                name,
                radio.node.num,
                radio.tcp.port if radio.tcp else None,
                radio.pty.path if radio.pty else None,
            )
            for name, radio in self.radios.items()
        ]

    async def start(self) -> None:
        await self.air.start()
        started: list[EmulatedRadio] = []
        try:
            for radio in self.radios.values():
                await radio.start()
                started.append(radio)
        except BaseException:
            for radio in started:
                await radio.stop()
            await self.air.stop()
            raise

    async def stop(self) -> None:
        for radio in self.radios.values():
            await radio.stop()
        await self.air.stop()

    async def __aenter__(self) -> EmulatedMesh:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
