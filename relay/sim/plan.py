"""``relay plan``: what a region's channel will look like, and which settings to ship.

For a scenario (a file, or one generated from a point count), every candidate (a modem
preset and a status interval) runs a few seeds of a short simulation in the layout we
ship (relay.sim.layout) at the benchmark's extra loss. The candidates are judged on the
issue-11 targets (relay.sim.targets); the recommendation is the cheapest candidate that
meets them all, cheapest meaning the lowest utilisation at the busiest node, because
the busiest node is where the channel fails first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from relay.engine.config import EngineConfig
from relay.sim.engine_bench import Column, DeliveryMetrics, Traffic
from relay.sim.layout import shipped_engine_config
from relay.sim.parallel import run_all
from relay.sim.region_bench import REGION_TRAFFIC, DeliveryTask
from relay.sim.scenario import Scenario
from relay.sim.targets import STATUS_TARGET, Summary, failed

PRESETS = ("LONG_FAST", "MEDIUM_FAST")
STATUS_INTERVALS_S = (1800.0, 3600.0)


@dataclass(frozen=True, slots=True)
class Candidate:
    preset: str
    status_interval_s: float

    def __str__(self) -> str:
        return f"{self.preset}, status every {self.status_interval_s / 60:.0f} min"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One candidate's runs, condensed."""

    candidate: Candidate
    summary: Summary
    #: The node that was busiest in most seeds.
    busiest_node: str
    misses: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.misses


@dataclass(frozen=True, slots=True)
class PlanSettings:
    seeds: int = 2
    duration_s: float = 3600.0
    loss: float = 0.2
    jobs: int = 2
    traffic: Traffic = dataclasses.field(default_factory=lambda: REGION_TRAFFIC)


def engine_config(candidate: Candidate) -> EngineConfig:
    """The provisioned engine timings with the candidate's status interval: the one the
    hub announces (``[intervals] status_s`` in the hub's relay.toml), and the floor its
    admission control comes back to."""
    base = shipped_engine_config(candidate.preset)
    return dataclasses.replace(base, status_interval_s=candidate.status_interval_s)


def candidates(
    presets: Sequence[str] = PRESETS, intervals: Sequence[float] = STATUS_INTERVALS_S
) -> list[Candidate]:
    return [Candidate(p, i) for p in presets for i in intervals]


def _tasks(
    scenario: Scenario, options: Sequence[Candidate], settings: PlanSettings, outdoor: bool
) -> list[DeliveryTask]:
    return [
        DeliveryTask(
            scenario,
            settings.loss,
            seed,
            Column(str(c), "noodrelay", c.preset, shipped=True, outdoor=outdoor),
            settings.traffic,
            settings.duration_s,
            engine_config(c),
        )
        for c in options
        for seed in range(1, settings.seeds + 1)
    ]


def evaluate(
    scenario: Scenario,
    options: Sequence[Candidate],
    settings: PlanSettings,
    on_done: Callable[[int, int, int, DeliveryMetrics], None] | None = None,
    *,
    outdoor: bool = False,
) -> list[Outcome]:
    """Run every candidate's seeds; one outcome per candidate, in the given order.
    ``outdoor``: with the weak indoor points' antennas outside (relay.sim.antennas)."""
    tasks = _tasks(scenario, options, settings, outdoor)
    results = run_all(tasks, settings.jobs, on_done)
    n = settings.seeds
    runs = [results[i * n : (i + 1) * n] for i in range(len(options))]
    # Shares are over the points a preset reaches: a faster preset that reaches fewer
    # points must not look better for leaving the far ones out.
    reach = max(r.reachable for rs in runs for r in rs)
    return [_outcome(c, rs, settings, reach) for c, rs in zip(options, runs, strict=True)]


def _outcome(
    c: Candidate, runs: list[DeliveryMetrics], settings: PlanSettings, reach: int
) -> Outcome:
    summary = Summary.of(runs)
    names = [r.busiest_node for r in runs]
    busiest = max(set(names), key=names.count)
    misses = failed(summary)
    if summary.reachable < reach:
        misses.append(f"reaches {summary.reachable} points, not {reach}")
    if settings.duration_s < c.status_interval_s:
        misses = [m for m in misses if m != STATUS_TARGET]
        misses.append(f"status not measurable in {settings.duration_s / 60:.0f} min")
    return Outcome(c, summary, busiest, tuple(misses))


def recommend(outcomes: Sequence[Outcome]) -> tuple[Outcome | None, str]:
    """The cheapest candidate meeting every target, and a sentence saying why."""
    good = [o for o in outcomes if o.ok]
    if not good:
        least = min(outcomes, key=_closeness)
        return None, (
            f"no candidate meets every target; closest is {least.candidate} "
            f"(misses: {', '.join(least.misses)}). {_advice(least)}"
        )
    best = min(good, key=lambda o: o.summary.util_busiest_worst)
    others = len(good) - 1
    return best, (
        f"it meets every target with the least air at the busiest node "
        f"({best.summary.util_busiest_worst:.1f}% at {best.busiest_node}"
        + (f"; {others} other candidate(s) also pass but use more)" if others else ")")
    )


def _closeness(o: Outcome) -> tuple[int, float, float]:
    """Fewest targets missed, then the best delivery, then the least air."""
    return (len(o.misses), -o.summary.bulletins, o.summary.util_busiest_worst)


def _advice(o: Outcome) -> str:
    """The cheapest kind of change for what fails: air or links."""
    if any(m.startswith("utilisation") or m.startswith("duty") for m in o.misses):
        return (
            f"The channel is too busy (busiest: {o.busiest_node}): split the region, or add "
            "relay sites so that points need fewer hops."
        )
    return (
        "The air has room; delivery is short: give the weak indoor points below an "
        "antenna outside, or add a relay site where points have weak links (`relay sim "
        "check` shows each point's best link), then plan again."
    )


@dataclass(frozen=True, slots=True)
class BridgeAdvice:
    """Points out of reach in the shipped layout, and the points whose relaying profile
    (firmware-config/point-relaying.yaml) brings them within reach (relay.sim.bridges)."""

    points: int
    reached: int
    bridges: tuple[str, ...]
    reached_with_bridges: int


def bridge_advice(region: Scenario, preset: str, loss: float) -> BridgeAdvice:
    """Reach on mean-SNR links (no randomness involved) in the shipped layout, before and
    after the bridge points relay."""
    from relay.sim.bench import reachable_points
    from relay.sim.bridges import bridge_points
    from relay.sim.engine_bench import bench_mesh
    from relay.sim.scenario import NodeKind

    _, _, mesh = bench_mesh(region, loss, 1, preset, None, shipped=True)
    hub = region.of_kind(NodeKind.HUB)[0].name
    before = len(reachable_points(mesh, hub))
    chosen = bridge_points(mesh, hub)
    return BridgeAdvice(
        len(region.of_kind(NodeKind.POINT)), before, tuple(chosen), len(reachable_points(mesh, hub))
    )


@dataclass(frozen=True, slots=True)
class AntennaAdvice:
    """Indoor points whose link to the hub or a relay site is weak or missing (name and
    margin over the demodulation floor, None: no link), and the reach before and after
    they get an antenna outside (relay.sim.antennas)."""

    weak: tuple[tuple[str, float | None], ...]
    reached: int
    reached_outside: int


def antenna_advice(region: Scenario, preset: str, loss: float) -> AntennaAdvice:
    """The points a site survey would give an outside antenna, on the same links as
    :func:`bridge_advice`."""
    from relay.sim.antennas import best_margin_db, weak_indoor_points
    from relay.sim.bench import reachable_points
    from relay.sim.engine_bench import bench_mesh
    from relay.sim.scenario import NodeKind

    _, _, mesh = bench_mesh(region, loss, 1, preset, None, shipped=True)
    _, _, outside = bench_mesh(region, loss, 1, preset, None, shipped=True, outdoor=True)
    hub = region.of_kind(NodeKind.HUB)[0].name
    weak = tuple((name, best_margin_db(mesh, name)) for name in weak_indoor_points(mesh))
    return AntennaAdvice(
        weak, len(reachable_points(mesh, hub)), len(reachable_points(outside, hub))
    )
