"""Mesh benchmark: what plain Meshtastic text broadcasts achieve in the shipped scenarios.

For each scenario and extra link loss (0/10/20/30 %), one hour of virtual time per seed:
the hub broadcasts a 200-byte text bulletin every 5 minutes (TEXT_MESSAGE_APP, hop
limit 3, no ack); the second column adds what users do today for status: every point
broadcasts a 60-byte text status every 30 minutes. Printed per cell:

* reach: mean share of *reachable* points (within hop limit + 1 radio hops of the hub on
  links above the demodulation floor) that received each bulletin;
* p50/p95: bulletin latency over all (bulletin, point) deliveries;
* util avg/max: per-node channel utilisation over the run (transmit + receive airtime);
* duty max: highest rolling-hour transmit share of any node (the EU limit is 10 %);
* tx/h: transmissions per hour on the whole air; speed: virtual seconds per wall second.

Other traffic models (the delivery engine) plug in as further columns through
``relay.sim.bench.run_scenario``. Run: ``python tools/bench_mesh.py [--seeds N]``.

``--table region`` is issue 11's table: both region scenarios at 20 % extra loss, at
LONG_FAST and MEDIUM_FAST, >= 5 seeds of 2 h each, the layout we ship against plain
text in the same runs, and the targets under it (``--jobs N`` processes; a region run
takes tens of seconds to minutes of wall time).
"""

from __future__ import annotations

import argparse
import math
import time

from relay.airtime import PRESETS, frame_airtime_s
from relay.sim.api import Role
from relay.sim.bench import AppFactory, Cell, format_table, run_scenario, text_baseline
from relay.sim.engine_bench import Column, DeliveryMetrics, Traffic, format_delivery_table
from relay.sim.engine_bench import run as run_delivery
from relay.sim.parallel import run_all
from relay.sim.region_bench import (
    COLUMN_KEYS,
    OUTDOOR,
    PLAIN,
    REGION_DURATION_S,
    REGION_TRAFFIC,
    SHIPPED,
    format_region_table,
    region_cells,
    region_tasks,
)
from relay.sim.scenario import load_scenario
from relay.sim.targets import verdict_table

DELIVERY_HEADER = """\
Delivery (issue 4): 6 bulletins/hour from the hub (every third Immediate/Severe), a status
report from every point every 30 min, 1 h of virtual time per run. <=10min / 1 hour: share of
(bulletin, reachable point) pairs delivered within 10 minutes / at all; all p50/p95: time until
every reachable point had a bulletin; never: bulletins that missed some reachable point for the
whole hour; status: share of (point, 30-min interval) pairs in which the hub heard the point.
plain text = each bulletin and status one TEXT_MESSAGE_APP broadcast (no signatures, receipts,
repair); noodrelay = the delivery engine (signed, heartbeats, pull repair, status as DMs);
"shipped": every radio as its firmware-config/ profile, the engines as provisioned;
"points CLIENT": the scenario's roles (the Meshtastic default) with the engine's defaults."""

SCENARIOS = ("village", "city", "region")
LOSSES = (0.0, 0.1, 0.2, 0.3)
COLUMNS: dict[str, AppFactory] = {
    "meshtastic text": text_baseline(bulletin_interval=300.0),
    "meshtastic text + status/30m": text_baseline(bulletin_interval=300.0, status_interval=1800.0),
}


def meshtasticator_airtime_ms(payload: int, sf: int, bw_hz: int, cr_denominator: int) -> float:
    """Meshtasticator's lib/phy.py airtime(), reproduced to show its over-estimate: it adds
    4 to the coding-rate *denominator* (5 for 4/5), counting 9 symbols per codeword
    instead of 5, and it leaves out the Data wrapper bytes."""
    pl = payload + 16
    de = 1 if bw_hz == 125_000 and sf in (11, 12) else 0
    tsym = float(1 << sf) / bw_hz
    n = 8 + max(
        math.ceil((8 * pl - 4 * sf + 28 + 16) / (4 * (sf - 2 * de))) * (cr_denominator + 4), 0
    )
    return ((16 + 4.25) * tsym + n * tsym) * 1000


def reference_lines() -> list[str]:
    lf = PRESETS["LONG_FAST"]
    theirs = meshtasticator_airtime_ms(40, lf.sf, lf.bw_hz, 4 + lf.cr)
    ours = frame_airtime_s(40, lf, portnum=1) * 1000
    return [
        "Published reference: Meshtasticator README, reachability figure: 30 randomly placed",
        "nodes, hop limit 3, 100 runs of 200 s: ~69 % of nodes reached per broadcast.",
        "Its airtime() counts (cr + 4) symbols per codeword with cr = 5 for 4/5, i.e. 9",
        f"instead of 5: a 40-byte LONG_FAST text is {theirs:.0f} ms there, {ours:.0f} ms on air",
        f"(x{theirs / ours:.2f}), so its channel fills faster than a real mesh's would.",
    ]


DELIVERY_SCENARIOS = ("city", "region")
DELIVERY_LOSSES = (0.1, 0.2, 0.3)
DELIVERY_COLUMNS = (
    Column("plain text (today)", "plain"),
    Column("noodrelay, shipped", "noodrelay", shipped=True),
    Column("noodrelay, points CLIENT", "noodrelay"),
    Column("plain text, MEDIUM_FAST, MUTE", "plain", "MEDIUM_FAST", Role.CLIENT_MUTE),
    Column("noodrelay, MEDIUM_FAST, shipped", "noodrelay", "MEDIUM_FAST", shipped=True),
)


def delivery_table(seeds: int, duration: float, scenarios: list[str]) -> str:
    """Issue 4: the delivery engine next to plain text, same traffic, same air."""
    traffic = Traffic()
    rows = []
    for name in scenarios:
        scenario = load_scenario(name)
        for loss in DELIVERY_LOSSES:
            for column in DELIVERY_COLUMNS:
                runs = []
                for seed in range(1, seeds + 1):
                    runs.append(
                        run_delivery(
                            scenario,
                            loss,
                            seed,
                            column.kind,
                            traffic,
                            duration,
                            None,
                            column.point_role,
                            column.preset,
                            shipped=column.shipped,
                        )
                    )
                rows.append((name, loss, column, runs))
            print(f"  ... delivery: {name} at {loss:.0%} loss done", flush=True)
    return format_delivery_table(rows)


REGION_SCENARIOS = ("region", "region-town")
REGION_PRESETS = ("LONG_FAST", "MEDIUM_FAST")
REGION_HEADER = """\
Region (issue 11): {loss:.0%} extra loss, {rate} bulletins/hour (every third Immediate/Severe),
{minutes:.0f} min of virtual time per run, {seeds} seeds per cell. <=10min: share of
(bulletin, reachable point) pairs delivered within 10 minutes, mean over seeds, and the
worst seed; pairs: fewest pairs in one seed; status: share of (point, status interval)
pairs the hub heard (mean, worst seed); util: per-node channel utilisation (tx + rx) over
the run, average over nodes and the busiest node (mean over seeds, worst seed); duty max:
highest rolling-hour transmit share of any node, relay sites included; false: (point,
bulletin) pairs the hub showed as received while the point did not hold the bulletin,
checked at every receipt. "{shipped}": every radio as its firmware-config/ profile and
the engines as `relay provision` configures them; "{plain}": the same bulletins and a
60-byte status as channel text, every radio in the Meshtastic app's default role;
"{outdoor}": as shipped, with an outside antenna (no building entry loss) at every indoor
point whose best link to the hub or a relay site is under 3 dB above the demodulation
floor, or missing (`relay plan` names them; relay.sim.antennas). reach: reachable points."""


def region_table(args: argparse.Namespace) -> None:
    """Issue 11: the shipped layout on both regions, >= 5 seeds, targets judged."""
    names = [s for s in (args.scenario or REGION_SCENARIOS) if s.startswith("region")]
    scenarios = [load_scenario(name) for name in names or REGION_SCENARIOS]
    labels = [COLUMN_KEYS[key] for key in args.column] if args.column else None
    tasks = region_tasks(
        scenarios,
        args.preset or REGION_PRESETS,
        args.loss,
        args.region_seeds,
        labels,
        traffic=Traffic(bulletins_per_hour=args.bulletins_per_hour),
        duration=args.region_duration,
    )
    print(f"  ... region: {len(tasks)} runs on {args.jobs} processes", flush=True)

    def progress(done: int, total: int, index: int, result: DeliveryMetrics) -> None:
        t = tasks[index]
        print(
            f"  ... region: {done}/{total} runs done ({t.scenario.name} {t.column.preset} "
            f"{t.column.label!r} seed {t.seed}: {100 * result.within_deadline:.2f}% <=10 min, "
            f"status {100 * result.status_share:.1f}%, util {result.util_mean:.1f}%/"
            f"{result.util_max:.1f}%, duty {result.duty_max:.1f}%, "
            f"{result.false_receipts} false, {result.wall_s:.0f} s)",
            flush=True,
        )

    results = run_all(tasks, args.jobs, progress)
    cells = region_cells(tasks, results)
    print()
    print(
        REGION_HEADER.format(
            loss=args.loss,
            rate=args.bulletins_per_hour,
            minutes=args.region_duration / 60,
            seeds=args.region_seeds,
            shipped=SHIPPED,
            plain=PLAIN,
            outdoor=OUTDOOR,
        )
    )
    print(format_region_table(cells))
    print()
    print(f"Targets (issue 11), column {SHIPPED!r}; value and pass/FAIL per cell:")
    judged = [
        (c.label, ours, c.summary(PLAIN)) for c in cells if (ours := c.summary(SHIPPED)) is not None
    ]
    print(verdict_table(judged))
    print()
    judged = [
        (c.label, ours, c.summary(PLAIN)) for c in cells if (ours := c.summary(OUTDOOR)) is not None
    ]
    if judged:
        print(f"The same targets, column {OUTDOOR!r} (the cheapest change found):")
        print(verdict_table(judged))
        print()


def _region_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("region table (issue 11)")
    group.add_argument("--region-seeds", type=int, default=5, help="seeds per cell (default 5)")
    group.add_argument(
        "--region-duration",
        type=float,
        default=REGION_DURATION_S,
        help="virtual seconds per region run (default 7200)",
    )
    group.add_argument(
        "--bulletins-per-hour",
        type=int,
        default=REGION_TRAFFIC.bulletins_per_hour,
        help="region runs' bulletin rate (default 8: >= 1000 pairs per seed in 2 h)",
    )
    group.add_argument("--loss", type=float, default=0.2, help="extra loss (default 0.2)")
    group.add_argument("--preset", action="append", choices=REGION_PRESETS, help="only these")
    group.add_argument(
        "--column",
        action="append",
        choices=COLUMN_KEYS,
        help="only these columns: shipped, plain, client (points CLIENT), planned (shipped "
        "+ relay plan's bridge points), antennas (shipped + outside antennas at weak indoor "
        "points) (default: all)",
    )
    group.add_argument("--jobs", type=int, default=2, help="processes (default 2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="runs per cell (default 3)")
    parser.add_argument("--duration", type=float, default=3600.0, help="virtual seconds per run")
    parser.add_argument("--scenario", action="append", help="only these scenarios")
    parser.add_argument(
        "--table",
        choices=("baseline", "delivery", "region", "all"),
        default="all",
        help="the plain-text baseline (issue 3), the delivery engine (issue 4), the region "
        "table (issue 11), or all three",
    )
    _region_arguments(parser)
    args = parser.parse_args()
    if args.table in ("region", "all"):
        region_table(args)
    if args.table == "region":
        return
    if args.table in ("delivery", "all"):
        chosen = [s for s in (args.scenario or DELIVERY_SCENARIOS) if s in DELIVERY_SCENARIOS]
        table = delivery_table(args.seeds, args.duration, chosen or list(DELIVERY_SCENARIOS))
        print()
        print(DELIVERY_HEADER)
        print(table)
        print()
    if args.table == "delivery":
        return

    rows = []
    timings = []
    for name in args.scenario or SCENARIOS:
        scenario = load_scenario(name)
        for loss in LOSSES:
            cells = []
            for column, factory in COLUMNS.items():
                runs = []
                for seed in range(1, args.seeds + 1):
                    started = time.perf_counter()
                    runs.append(run_scenario(scenario, loss, seed, factory, args.duration))
                    timings.append((name, loss, column, seed, time.perf_counter() - started))
                cells.append(Cell(column, tuple(runs)))
            rows.append((name, len(scenario.nodes), loss, cells))
            print(f"  ... {name} at {loss:.0%} loss done", flush=True)
    print()
    print(format_table(rows))
    print()
    for line in reference_lines():
        print(line)
    print()
    print(f"Wall time per run ({args.duration:.0f} s of virtual time each, build + run):")
    for name in args.scenario or SCENARIOS:
        mine = [t for t in timings if t[0] == name]
        worst = max(t[4] for t in mine)
        mean = sum(t[4] for t in mine) / len(mine)
        print(f"  {name:<8} {len(mine)} runs, mean {mean:.2f} s, slowest {worst:.2f} s")


if __name__ == "__main__":
    main()
