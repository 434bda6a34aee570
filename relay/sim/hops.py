"""How far support points are from the hub, in radio hops: the shape of a region.

A region where every point hears the hub directly tests nothing but the channel; one
where most points are 3 or 4 hops out tests relaying, hop limits and repair. The
histogram counts, over the scenario's points, the fewest radio hops from the hub on
links whose mean SNR clears the preset's demodulation floor (the same map the
benchmarks call "reachable"): 1, 2, 3, 4 or more, and unreachable. ``relay sim check``
prints it; the benchmarks and ``relay plan`` reuse :func:`hop_histogram`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from relay.errors import ConfigError
from relay.sim.mesh import Mesh
from relay.sim.scenario import NodeKind, Scenario

#: The histogram's last bucket holds this many hops and more.
FAR_HOPS = 4


@dataclass(frozen=True, slots=True)
class HopHistogram:
    """Points by their fewest radio hops from the hub."""

    one: int
    two: int
    three: int
    four_plus: int
    unreachable: int
    #: Each point's hop count (None: no path of usable links to the hub).
    by_point: tuple[tuple[str, int | None], ...] = ()

    @property
    def points(self) -> int:
        return self.one + self.two + self.three + self.four_plus + self.unreachable

    def rows(self) -> list[tuple[str, int]]:
        """(label, count) in display order."""
        return [
            ("1 hop", self.one),
            ("2 hops", self.two),
            ("3 hops", self.three),
            (f"{FAR_HOPS}+ hops", self.four_plus),
            ("unreachable", self.unreachable),
        ]

    def line(self) -> str:
        """One line for tables and logs: ``1:36 2:80 3:25 4+:9 none:0``."""
        short = ("1", "2", "3", f"{FAR_HOPS}+", "none")
        return " ".join(f"{s}:{n}" for s, (_, n) in zip(short, self.rows(), strict=True))


def hop_histogram(mesh: Mesh, hub: str | None = None) -> HopHistogram:
    """The histogram of ``mesh``'s points around ``hub`` (default: the scenario's hub)."""
    scenario = mesh.scenario
    if hub is None:
        hubs = scenario.of_kind(NodeKind.HUB)
        if not hubs:
            raise ConfigError(f"scenario {scenario.name!r} has no hub")
        hub = hubs[0].name
    hops = mesh.hops_from(hub)
    by_point = tuple((p.name, hops.get(p.name)) for p in scenario.of_kind(NodeKind.POINT))
    counts = [0] * (FAR_HOPS + 1)  # index 0: unreachable
    for _, hop in by_point:
        counts[0 if hop is None else min(hop, FAR_HOPS)] += 1
    return HopHistogram(counts[1], counts[2], counts[3], counts[4], counts[0], by_point)


def scenario_hop_histogram(scenario: Scenario, link_seed: int = 1) -> HopHistogram:
    """:func:`hop_histogram` for a scenario's map with link shadowing from ``link_seed``."""
    rng = random.Random(link_seed)  # noqa: S311 (a simulation's random stream, not a secret)
    return hop_histogram(Mesh(scenario, rng, link_seed=link_seed))
