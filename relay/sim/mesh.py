"""A whole simulated mesh built from a scenario: one scheduler, one air, N nodes.

>>> mesh = Mesh(load_scenario("village"), random.Random(1))   # doctest: +SKIP
>>> mesh.node("hub").send(BROADCAST, 256, b"hello")            # doctest: +SKIP
>>> mesh.run_for(60)                                            # doctest: +SKIP

Every random draw (geography, fading, delays, packet ids) comes from the
``random.Random`` passed in, in event order, so the same seed gives the same run.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass

from relay.errors import ConfigError, RelayError
from relay.sim.air import Air
from relay.sim.api import RebroadcastMode, Role
from relay.sim.firmware import Firmware, FirmwareConfig
from relay.sim.node import SimNode
from relay.sim.propagation import Link, build_links
from relay.sim.radio import NodeRadio
from relay.sim.scenario import Scenario
from relay.sim.scheduler import Scheduler


@dataclass(frozen=True, slots=True)
class NodeUsage:
    """One node's share of the air over a run."""

    name: str
    tx_airtime_s: float
    rx_airtime_s: float
    #: Highest rolling-hour transmit share (percent) at any of its transmissions.
    peak_duty_cycle_percent: float


class AppFailedError(RelayError):
    """A client app attached to a simulated node raised; the run stopped after the event."""


class Mesh:
    def __init__(
        self,
        scenario: Scenario,
        rng: random.Random,
        *,
        scheduler: Scheduler | None = None,
        link_seed: int | None = None,
    ) -> None:
        self.scenario = scenario
        self.scheduler = scheduler if scheduler is not None else Scheduler()
        self.rng = rng
        #: Exceptions raised by client apps, in order. In virtual time :meth:`run_until`
        #: raises the first one; the real-time driver turns that off and logs them.
        self.app_errors: list[Exception] = []
        self.raise_app_errors = True
        self.link_seed = link_seed if link_seed is not None else rng.getrandbits(64)
        self.links: dict[tuple[int, int], Link] = build_links(scenario, self.link_seed)
        radio_cfg = scenario.radio
        self.air = Air(self.scheduler, self.links, radio_cfg, rng)
        specs = {spec.num: spec for spec in scenario.nodes}
        self._by_name: dict[str, SimNode] = {}
        self._by_num: dict[int, SimNode] = {}
        for spec in scenario.nodes:
            radio = NodeRadio(
                spec.num,
                spec.role,
                scheduler=self.scheduler,
                air=self.air,
                rng=rng,
                queue_size=radio_cfg.tx_queue_size,
            )
            node = SimNode(spec, self.scheduler, radio, specs, self._app_failed)
            config = FirmwareConfig(
                role=spec.role,
                rebroadcast_mode=spec.rebroadcast_mode,
                hop_limit=radio_cfg.hop_limit,
                duty_cycle_percent=radio_cfg.duty_cycle_percent,
            )
            node.firmware = Firmware(
                spec.num,
                config,
                scheduler=self.scheduler,
                radio=radio,
                rng=rng,
                host=node,
                known_nodes=specs,
            )
            self._by_name[spec.name] = node
            self._by_num[spec.num] = node

    # --- lookups ------------------------------------------------------------------------

    @property
    def nodes(self) -> list[SimNode]:
        return list(self._by_name.values())

    def node(self, name: str) -> SimNode:
        try:
            return self._by_name[name]
        except KeyError:
            known = ", ".join(self._by_name)
            raise ConfigError(
                f"no node {name!r} in scenario {self.scenario.name!r} ({known})"
            ) from None

    def by_num(self, num: int) -> SimNode:
        return self._by_num[num]

    # --- time ---------------------------------------------------------------------------

    def now(self) -> float:
        return self.scheduler.now()

    def run_until(self, t: float) -> None:
        """Run the model to virtual time ``t``; raise :class:`AppFailedError` as soon as
        an app fails (after the event in which it failed completed)."""
        self.scheduler.run_until(t)
        if self.raise_app_errors and self.app_errors:
            first = self.app_errors[0]
            raise AppFailedError(f"a client app failed: {first!r}") from first

    def run_for(self, duration: float) -> None:
        self.run_until(self.now() + duration)

    def _app_failed(self, err: Exception) -> None:
        self.app_errors.append(err)
        if self.raise_app_errors:
            self.scheduler.halt()

    # --- the map ------------------------------------------------------------------------

    def hops_from(
        self, name: str, min_snr_margin_db: float = 0.0, *, relaying_only: bool = False
    ) -> dict[str, int]:
        """Fewest radio hops from ``name`` to every node it can reach at all (BFS on links
        whose mean SNR clears the demodulation floor by ``min_snr_margin_db``). With
        ``relaying_only``, paths pass only through nodes whose firmware relays our private
        port as configured now (not CLIENT_MUTE, rebroadcast mode not NONE nor
        CORE_PORTNUMS_ONLY): what the radio layout can reach, not what the map could."""
        floor = self.air.demod_floor_db + min_snr_margin_db
        start = self.node(name).num
        hops = {start: 0}
        todo = deque([start])
        while todo:
            here = todo.popleft()
            if relaying_only and here != start and not self._relays_our_port(here):
                continue
            for link in self.air.neighbours(here):
                if link.snr_db >= floor and link.loss < 1.0 and link.dst not in hops:
                    hops[link.dst] = hops[here] + 1
                    todo.append(link.dst)
        return {self._by_num[n].name: h for n, h in hops.items()}

    def _relays_our_port(self, num: int) -> bool:
        config = self._by_num[num].firmware.config
        return config.role is not Role.CLIENT_MUTE and config.rebroadcast_mode not in (
            RebroadcastMode.NONE,
            RebroadcastMode.CORE_PORTNUMS_ONLY,
        )

    # --- usage --------------------------------------------------------------------------

    def usage(self) -> list[NodeUsage]:
        return [
            NodeUsage(
                name=n.name,
                tx_airtime_s=n.radio.airtime.tx_total_s,
                rx_airtime_s=n.radio.airtime.rx_total_s,
                peak_duty_cycle_percent=n.radio.airtime.peak_tx_percent,
            )
            for n in self.nodes
        ]
