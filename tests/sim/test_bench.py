import random

from relay.sim.bench import Cell, format_table, reachable_points, run_scenario, text_baseline
from relay.sim.mesh import Mesh
from relay.sim.scenario import load_scenario


def test_village_baseline_reaches_every_point_without_extra_loss():
    scenario = load_scenario("village")
    metrics = run_scenario(scenario, 0.0, 1, text_baseline(bulletin_interval=120.0), duration=1200)
    assert metrics.bulletins == 10  # at 30 s, then every 120 s while a minute is left after
    assert metrics.reach == 1.0
    assert len(metrics.latencies) == 10 * 5
    assert 0 < metrics.util_mean <= metrics.util_max < 100
    assert 0 < metrics.duty_max < 10
    assert metrics.speed > 0


def test_reachable_points_respect_the_hop_limit():
    mesh = Mesh(load_scenario("village"), random.Random(1))
    assert reachable_points(mesh, "hub") == {"p-centrum", "p-noord", "p-oost", "p-west", "p-polder"}


def test_status_traffic_is_counted_and_the_table_has_a_line_per_column():
    scenario = load_scenario("village")
    plain = run_scenario(scenario, 0.1, 1, text_baseline(300.0), duration=900)
    busy = run_scenario(scenario, 0.1, 1, text_baseline(300.0, status_interval=300.0), duration=900)
    assert busy.counts["status_sent"] >= 5
    assert busy.counts.get("status_at_hub", 0) >= 1
    table = format_table([("village", 8, 0.1, [Cell("plain", (plain,)), Cell("busy", (busy,))])])
    lines = table.splitlines()
    assert lines[0].split()[:4] == ["scenario", "nodes", "loss", "traffic"]
    assert lines[2].startswith("village") and " plain " in lines[2]
    assert " busy " in lines[3] and lines[3].startswith(" " * 20)
