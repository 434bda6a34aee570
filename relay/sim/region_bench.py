"""The issue-11 region table: the shipped layout against plain text, seeds in parallel.

One :class:`DeliveryTask` is one run (scenario, loss, preset, column, seed); the tools
build the grid, run it with :func:`relay.sim.parallel.run_all` and print
:func:`format_region_table` and the targets (:mod:`relay.sim.targets`) under it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from relay.engine.config import EngineConfig
from relay.sim.engine_bench import Column, DeliveryMetrics, Traffic, run
from relay.sim.scenario import Scenario
from relay.sim.targets import Summary, pct

SHIPPED = "noodrelay, shipped"
PLAIN = "plain text (today)"
CLIENT = "noodrelay, points CLIENT"
#: Short names of the columns, for command lines.
PLANNED = "noodrelay, shipped + plan"
#: The cheapest change found for the town region: an outside antenna at every indoor
#: point whose link to the infrastructure is weak (relay.sim.antennas).
OUTDOOR = "noodrelay, shipped + antennas"
COLUMN_KEYS = {
    "shipped": SHIPPED,
    "plain": PLAIN,
    "client": CLIENT,
    "planned": PLANNED,
    "antennas": OUTDOOR,
}

#: Enough bulletins that every seed has >= 1000 (bulletin, reachable point) pairs in a
#: 150-point region: 8 an hour for 2 h is 14-15 bulletins.
REGION_TRAFFIC = Traffic(bulletins_per_hour=8)
REGION_DURATION_S = 7200.0


def region_columns(preset: str) -> tuple[Column, ...]:
    """The main column (as provisioned), plain text as people use it today (the
    Meshtastic app's default role CLIENT on every radio), and today's other layout."""
    return (
        Column(SHIPPED, "noodrelay", preset, shipped=True),
        Column(PLAIN, "plain", preset),
        Column(CLIENT, "noodrelay", preset),
        # The points `relay plan` says must relay given the relaying profile: the layout
        # then reaches every point the map allows (as plain text's all-CLIENT one does).
        Column(PLANNED, "noodrelay", preset, shipped=True, bridges=True),
        # The indoor points `relay plan` names get an antenna outside (no building loss).
        Column(OUTDOOR, "noodrelay", preset, shipped=True, outdoor=True),
    )


@dataclass(frozen=True)
class DeliveryTask:
    """One run, picklable so that a process pool can take it."""

    scenario: Scenario
    loss: float
    seed: int
    column: Column
    traffic: Traffic
    duration: float
    #: The engines' timings (None: as provisioned for a shipped column, else defaults).
    config: EngineConfig | None = None

    def __call__(self) -> DeliveryMetrics:
        c = self.column
        return run(
            self.scenario,
            self.loss,
            self.seed,
            c.kind,
            self.traffic,
            self.duration,
            self.config,
            c.point_role,
            c.preset,
            shipped=c.shipped,
            bridges=c.bridges,
            outdoor=c.outdoor,
        )


@dataclass(frozen=True)
class RegionCell:
    """All seeds of every column for one scenario, preset and loss."""

    scenario: str
    preset: str
    loss: float
    columns: dict[str, list[DeliveryMetrics]]

    @property
    def label(self) -> str:
        return f"{self.scenario} {self.preset}"

    def summary(self, column: str) -> Summary | None:
        runs = self.columns.get(column)
        return Summary.of(runs) if runs else None


def region_tasks(
    scenarios: Sequence[Scenario],
    presets: Sequence[str],
    loss: float,
    seeds: int,
    columns: Sequence[str] | None = None,
    traffic: Traffic = REGION_TRAFFIC,
    duration: float = REGION_DURATION_S,
) -> list[DeliveryTask]:
    """The grid; ``columns`` keeps only these column labels (default: all)."""
    return [
        DeliveryTask(scenario, loss, seed, column, traffic, duration)
        for scenario in scenarios
        for preset in presets
        for column in region_columns(preset)
        if columns is None or column.label in columns
        for seed in range(1, seeds + 1)
    ]


def region_cells(
    tasks: Sequence[DeliveryTask], results: Sequence[DeliveryMetrics]
) -> list[RegionCell]:
    """Group the runs back into cells, in the order of the tasks."""
    cells: dict[tuple[str, str, float], RegionCell] = {}
    for task, result in zip(tasks, results, strict=True):
        preset = task.column.preset or task.scenario.radio.preset.name
        key = (task.scenario.name, preset, task.loss)
        cell = cells.setdefault(key, RegionCell(key[0], preset, task.loss, {}))
        cell.columns.setdefault(task.column.label, []).append(result)
    return list(cells.values())


def format_region_table(cells: Sequence[RegionCell]) -> str:
    head = (
        f"{'scenario':<12} {'preset':<11} {'column':<30} {'seeds':>5} {'reach':>5} {'<=10min':>8} "
        f"{'worst':>7} {'pairs':>5} {'status':>7} {'worst':>6} {'util avg':>8} "
        f"{'busiest':>8} {'worst':>6} {'duty max':>8} {'false':>5} {'wall':>6}"
    )
    lines = [head, "-" * len(head)]
    for cell in cells:
        for i, column in enumerate(cell.columns):
            s = cell.summary(column)
            assert s is not None
            label = f"{cell.scenario:<12} {cell.preset:<11}" if i == 0 else " " * 24
            false = str(s.false_receipts) if column != PLAIN else "-"
            lines.append(
                f"{label} {column:<30} {s.seeds:>5} {s.reachable:>5} {100 * s.bulletins:7.2f}% "
                f"{100 * s.bulletins_worst:6.2f}% {s.min_pairs:>5} {pct(s.status, 1):>7} "
                f"{pct(s.status_worst, 1):>6} {s.util_avg:7.1f}% {s.util_busiest:7.1f}% "
                f"{s.util_busiest_worst:5.1f}% {s.duty_max:7.1f}% {false:>5} {s.wall_s:5.0f}s"
            )
    return "\n".join(lines)
