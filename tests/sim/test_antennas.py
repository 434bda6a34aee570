"""The cheapest change for the town region: outside antennas at weak indoor points."""

from __future__ import annotations

from relay.sim.antennas import WEAK_MARGIN_DB, antennas_outside, best_margin_db, weak_indoor_points
from relay.sim.bench import reachable_points
from relay.sim.engine_bench import bench_mesh
from relay.sim.scenario import NodeKind, load_scenario


def test_weak_indoor_points_are_indoors_with_a_thin_or_no_link() -> None:
    region = load_scenario("region-town")
    _, _, mesh = bench_mesh(region, 0.2, 1, "LONG_FAST", None, shipped=True)
    weak = weak_indoor_points(mesh)
    specs = {n.name: n for n in region.nodes}
    assert weak and all(specs[name].extra_loss_db > 0 for name in weak)
    for name in weak:
        margin = best_margin_db(mesh, name)
        assert margin is None or margin < WEAK_MARGIN_DB
    # Every indoor point left out has a link with margin to spare; outdoor ones are never named.
    for spec in region.of_kind(NodeKind.POINT):
        if spec.name not in weak and spec.extra_loss_db > 0:
            margin = best_margin_db(mesh, spec.name)
            assert margin is not None and margin >= WEAK_MARGIN_DB


def test_an_antenna_outside_takes_the_building_loss_away() -> None:
    region = load_scenario("region-town")
    _, _, mesh = bench_mesh(region, 0.2, 1, "LONG_FAST", None, shipped=True)
    weak = weak_indoor_points(mesh)
    outside = antennas_outside(region, weak)
    moved = {n.name: n for n in outside.nodes if n.name in weak}
    assert all(n.extra_loss_db == 0.0 for n in moved.values())
    assert [n for n in outside.nodes if n.name not in weak] == [
        n for n in region.nodes if n.name not in weak
    ]
    # The bench's column: the same seed's links, less each moved point's wall.
    _, _, after = bench_mesh(region, 0.2, 1, "LONG_FAST", None, shipped=True, outdoor=True)
    specs = {n.name: n for n in region.nodes}
    for name in weak:
        before_db, after_db = best_margin_db(mesh, name), best_margin_db(after, name)
        assert after_db is not None
        if before_db is not None:
            assert abs(after_db - before_db - specs[name].extra_loss_db) < 1e-6
    hub = region.of_kind(NodeKind.HUB)[0].name
    assert len(reachable_points(after, hub)) > len(reachable_points(mesh, hub))
