"""How cost grows with the region (issue 11, item 11): 40, 150, 300 and 600 points.

Regions of each size come from ``relay.sim.generate.generate_region`` (town terrain,
8 relay sites, the generator's fixed seed), at 20 % extra loss and LONG_FAST. Two columns
in the same runs: noodrelay as shipped (every radio as its firmware-config/ profile, the
engines as `relay provision` configures them) and plain text as people use it today
(channel text, every radio in the Meshtastic app's default role). Printed per size:
channel utilisation (average node, busiest node), bulletins delivered within 10 min
(mean over seeds and the worst seed), status heard, duty; then, per column, the first
size at which an issue-11 target fails ("breaks at").

Fewer seeds than the region table (3 by default, printed): a 600-point run is long.
Run: ``python tools/bench_scale.py [--seeds N] [--sizes 40,150] [--duration S] [--jobs N]``.
"""

from __future__ import annotations

import argparse

from relay.sim.engine_bench import Traffic
from relay.sim.generate import generate_region
from relay.sim.parallel import run_all
from relay.sim.region_bench import (
    PLAIN,
    REGION_TRAFFIC,
    SHIPPED,
    RegionCell,
    format_region_table,
    region_cells,
    region_tasks,
)
from relay.sim.targets import failed

SIZES = (40, 150, 300, 600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="runs per size (default 3)")
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="point counts, comma-separated (default 40,150,300,600)",
    )
    parser.add_argument("--duration", type=float, default=3600.0, help="virtual s per run")
    parser.add_argument("--loss", type=float, default=0.2, help="extra loss (default 0.2)")
    parser.add_argument(
        "--bulletins-per-hour",
        type=int,
        default=REGION_TRAFFIC.bulletins_per_hour,
        help="bulletin rate (default 8)",
    )
    parser.add_argument("--preset", default="LONG_FAST", help="modem preset (default LONG_FAST)")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    traffic = Traffic(bulletins_per_hour=args.bulletins_per_hour)
    scenarios = [generate_region(n, terrain="town", name=f"town-{n}") for n in sizes]
    tasks = region_tasks(
        scenarios,
        [args.preset],
        args.loss,
        args.seeds,
        [SHIPPED, PLAIN],
        traffic,
        args.duration,
    )

    def progress(done: int, total: int, index: int, result: object) -> None:
        t = tasks[index]
        print(
            f"  ... scale: {done}/{total} runs done ({t.scenario.name} {t.column.label!r} "
            f"seed {t.seed})",
            flush=True,
        )

    print(f"  ... scale: {len(tasks)} runs on {args.jobs} processes", flush=True)
    cells = region_cells(tasks, run_all(tasks, args.jobs, progress))
    print()
    print(
        f"Scale (issue 11): generated town regions, {args.loss:.0%} extra loss, {args.preset}, "
        f"{args.seeds} seeds per size (fewer than the region table's 5),\n"
        f"{args.duration / 60:.0f} min of virtual time per run, "
        f"{args.bulletins_per_hour} bulletins/hour. Columns as in "
        "tools/bench_mesh.py --table region."
    )
    print(format_region_table(cells))
    print()
    for column in (SHIPPED, PLAIN):
        print(f"{column:<20} {breaks_at(cells, column)}")


def breaks_at(cells: list[RegionCell], column: str) -> str:
    """The first size at which one of the issue-11 targets fails, and which."""
    for cell in cells:
        summary = cell.summary(column)
        misses = failed(summary) if summary is not None else []
        if misses:
            size = cell.scenario.removeprefix("town-")
            return f"breaks at {size} points: " + ", ".join(misses)
    return "meets every target at every size run"


if __name__ == "__main__":
    main()
