"""A flood through relay-kerk starves it past its duty cycle; the region recovers by
itself once the flood stops (issue 14, item 8). How fast is tools/bench_flood.py's."""

from __future__ import annotations

from relay.sim.flood_bench import Flood, run_flood
from relay.sim.scenario import load_scenario


def test_every_point_gets_its_bulletins_and_the_hub_back_after_the_flood() -> None:
    run = run_flood(load_scenario("village"), 1, Flood())
    assert run.relay_dropped > 0  # the flood did push the relay site past its limit
    assert max(p.longest_silence for p in run.points) > 2 * 300  # and cut points off
    for point in run.points:
        assert point.bulletins is not None, point
        assert point.hears_hub is not None, point
        assert point.heard_by_hub is not None, point
        assert point.missing == 0
    assert run.false_receipts == 0
