"""Duty-cycle starvation (issue 14, item 8): a 500-frame flood through relay-kerk.

The village as shipped (radio profiles, engine timings, six bulletins an hour); a radio
next to the church tower floods it (relay.sim.flood_bench). Per support point, minutes
from the flood's end until it holds every bulletin again, hears the hub again, and the
hub accepts its next report: mean and worst over the seeds (``*n``: n seeds in which it
did not within the run), and the longest silence from the hub. Each seed runs without
the flood too (baseline, measured from the same instant).

Two engines, same seeds: ``before``, a point that does nothing about a silent hub (what
main shipped until issue 14), and ``shipped``, one that after two silent heartbeat
periods raises its reports' hop limit and asks the hub for a heartbeat, and asks for
what it lacks without the back-off grown while the path was down.

Run: ``python tools/bench_flood.py [--seeds 5]`` (a few seconds per seed).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics

from relay.engine.config import EngineConfig
from relay.sim.flood_bench import Flood, FloodRun, format_flood_table, run_seeds
from relay.sim.layout import shipped_engine_config
from relay.sim.scenario import load_scenario

SCENARIO = "village"


def engines(preset: str) -> dict[str, EngineConfig]:
    shipped = shipped_engine_config(preset)
    return {"before": dataclasses.replace(shipped, hub_silent_periods=0), "shipped": shipped}


def flood_runs(seeds: int, config: EngineConfig | None = None) -> list[FloodRun]:
    """Baseline and flood, ``seeds`` seeds, the village as shipped (``config``: engine)."""
    return run_seeds(load_scenario(SCENARIO), list(range(1, seeds + 1)), Flood(), config)


def summary(runs: list[FloodRun]) -> tuple[list[float], int, int, int]:
    """For the fault table, over the flooded (seed, point) pairs: seconds until every
    bulletin was back, pairs that never got there, bulletins never delivered, false
    receipts."""
    flooded = [p for r in runs if r.flooded for p in r.points]
    times = [p.bulletins for p in flooded if p.bulletins is not None]
    lost = sum(p.missing for p in flooded)
    false = sum(r.false_receipts for r in runs if r.flooded)
    return times, len(flooded) - len(times), lost, false


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds (>= 5 for the issue)")
    args = parser.parse_args()
    flood = Flood()
    print(
        f"{SCENARIO}: {flood.frames} frames of {flood.payload} B through {flood.relay}, "
        f"from minute {flood.start_s / 60:.0f}, then {flood.after_s / 3600:.0f} h; "
        f"{args.seeds} seeds; minutes after the flood's end (mean, worst)"
    )
    for label, config in engines("LONG_FAST").items():
        runs = flood_runs(args.seeds, config)
        print(format_flood_table(label, runs))
        flooded = [p.bulletins for r in runs if r.flooded for p in r.points]
        got = [t for t in flooded if t is not None]
        print(
            f"{label}: every bulletin back at every point in {len(got)}/{len(flooded)} "
            f"(seed, point) pairs; mean {statistics.fmean(got) / 60:.1f} min, "
            f"worst {max(got) / 60:.1f} min; false receipts "
            f"{sum(r.false_receipts for r in runs)}\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
