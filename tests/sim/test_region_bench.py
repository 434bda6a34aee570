"""The region benches' measuring: false receipts, status share, seeds, parallel runs."""

from __future__ import annotations

import dataclasses
import math

import pytest

from relay.sim.engine_bench import (
    NOW,
    Collector,
    Column,
    DeliveryMetrics,
    Traffic,
    announced_windows,
    attach_and_run,
    bench_mesh,
    fixed_windows,
    noodrelay_factory,
    run,
    status_share,
)
from relay.sim.layout import shipped_engine_config
from relay.sim.parallel import run_all
from relay.sim.region_bench import (
    PLAIN,
    SHIPPED,
    DeliveryTask,
    format_region_table,
    region_cells,
    region_tasks,
)
from relay.sim.scenario import NodeKind, Scenario
from relay.sim.targets import Summary, failed, verdict_table, verdicts
from tests.sim.helpers import link_scenario

TRAFFIC = Traffic(bulletins_per_hour=12, first_bulletin_at=60.0)


def tiny() -> Scenario:
    nodes = [
        "hub",
        {"name": "relay-kerk", "kind": "relay", "role": "ROUTER_LATE"},
        "p-noord",
        "p-zuid",
        "p-oost",
    ]
    links = [
        ("hub", "relay-kerk", 5.0),
        ("hub", "p-noord", 3.0),
        ("relay-kerk", "p-zuid", 2.0),
        ("relay-kerk", "p-oost", 0.0),
    ]
    return link_scenario(nodes, links)


def _engines(duration: float) -> Collector:
    """A real shipped noodrelay run of the tiny region; its collector with the engines."""
    scenario, rng, mesh = bench_mesh(tiny(), 0.0, 1, None, None, shipped=True)
    collector = Collector()
    config = shipped_engine_config(scenario.radio.preset.name)
    make = noodrelay_factory(scenario, 1, collector, TRAFFIC, config)
    hub = scenario.of_kind(NodeKind.HUB)[0]
    attach_and_run(mesh, rng, hub.num, make, duration)
    return collector


def test_a_run_checks_every_receipt_and_counts_what_the_points_held() -> None:
    result = run(tiny(), 0.0, 1, "noodrelay", TRAFFIC, 2400.0, shipped=True)
    assert result.receipts_checked > 0
    assert result.pairs == result.bulletins * 3
    assert result.reachable == 3
    assert result.busiest_node in {"hub", "relay-kerk", "p-noord", "p-zuid", "p-oost"}


def test_a_receipt_for_a_bulletin_the_point_no_longer_holds_is_counted_false() -> None:
    collector = _engines(2400.0)
    assert collector.hub is not None
    collector.check_receipts()
    honest = set(collector.false_receipts)
    # Take a bulletin the hub believes a point has out of that point's catalogue.
    matrix = collector.hub.receipt_matrix()
    pid, seq = next(
        (pid, seq) for pid, row in matrix.items() for seq, (got, _) in row.items() if got
    )
    point = collector.points[pid]
    point.catalogue.forget((collector.hub.key_id, seq))
    collector.check_receipts()
    assert collector.false_receipts - honest == {(pid, seq)}


def test_status_share_counts_each_interval_once() -> None:
    heard = {"a": [10.0, 20.0, 1900.0], "b": [3000.0]}
    # a: both windows; b: the second only; c: never.
    two = fixed_windows(1800.0, 3600.0)
    assert status_share(heard, {"a", "b", "c"}, two) == pytest.approx(3 / 6)
    assert status_share(heard, set(), two) == 1.0
    # A run shorter than one interval measures nothing (and passes nothing).
    assert math.isnan(status_share(heard, {"a"}, fixed_windows(1800.0, 900.0)))
    short = Summary.of([_metrics(1.0, status_share=math.nan)])
    assert "status heard >= 99 %" in failed(short)


def test_status_windows_follow_the_interval_the_hub_announced() -> None:
    """Admission control doubled the interval after the first hour, and again after the
    second: two windows of 30 min, one of an hour, one of two hours."""
    log = [(0.0, 1800.0), (NOW + 3600.0, 3600.0), (NOW + 7200.0, 7200.0)]
    assert announced_windows(log, 4 * 3600.0) == [
        (0.0, 1800.0),
        (1800.0, 3600.0),
        (3600.0, 7200.0),
        (7200.0, 14400.0),
    ]
    heard = {"a": [100.0, 2000.0, 5000.0, 9000.0]}
    assert status_share(heard, {"a"}, announced_windows(log, 4 * 3600.0)) == 1.0


def _metrics(within: float, **kw: object) -> DeliveryMetrics:
    base = DeliveryMetrics(
        column="x",
        bulletins=10,
        within_deadline=within,
        delivered=within,
        to_all=(),
        status_share=1.0,
        pairs=1500,
        false_receipts=0,
        receipts_checked=40,
        util_mean=10.0,
        util_max=30.0,
        duty_max=3.0,
        tx_per_hour=100.0,
        wall_s=1.0,
        reachable=150,
    )
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def test_a_cell_reports_the_mean_and_the_worst_seed() -> None:
    s = Summary.of([_metrics(1.0), _metrics(0.998), _metrics(0.996, util_max=45.0)])
    assert s.bulletins == pytest.approx(0.998)
    assert s.bulletins_worst == pytest.approx(0.996)
    assert s.util_busiest_worst == 45.0
    assert failed(s) == ["bulletins <=10 min, mean >= 99.9 %", "utilisation busiest <= 40 %"]


def test_one_false_receipt_or_a_worse_seed_fails_its_target() -> None:
    ours = Summary.of([_metrics(1.0), _metrics(0.994, false_receipts=1)])
    plain = Summary.of([_metrics(1.0)])
    judged = {v.target: v.ok for v in verdicts(ours, plain)}
    assert judged["bulletins, worst seed >= 99.5 %"] is False
    assert judged["false receipts = 0"] is False
    assert judged["bulletins >= plain text (mean)"] is False
    assert judged["duty max <= 10 %"] is True
    table = verdict_table([("tiny LONG_FAST", ours, plain)])
    assert "false receipts = 0" in table and "FAIL" in table


def test_the_grid_runs_in_parallel_and_comes_back_in_order() -> None:
    tasks = region_tasks([tiny()], ["LONG_FAST"], 0.1, 2, [SHIPPED, PLAIN], TRAFFIC, 1800.0)
    assert [(t.column.label, t.seed) for t in tasks] == [
        (SHIPPED, 1),
        (SHIPPED, 2),
        (PLAIN, 1),
        (PLAIN, 2),
    ]
    done: list[int] = []
    parallel = run_all(tasks, 2, lambda n, total, index, _: done.append(n))
    assert sorted(done) == [1, 2, 3, 4]
    alone = run_all(tasks[:1], 1)
    # The same seed gives the same run in a worker process and in this one.
    assert dataclasses.replace(alone[0], wall_s=0) == dataclasses.replace(parallel[0], wall_s=0)
    cells = region_cells(tasks, parallel)
    assert len(cells) == 1 and list(cells[0].columns) == [SHIPPED, PLAIN]
    assert "noodrelay, shipped" in format_region_table(cells)


def test_a_task_runs_the_shipped_column_as_provisioned() -> None:
    column = Column(SHIPPED, "noodrelay", "MEDIUM_FAST", shipped=True)
    result = DeliveryTask(tiny(), 0.0, 1, column, TRAFFIC, 1200.0)()
    assert result.column == "noodrelay" and result.bulletins > 0
