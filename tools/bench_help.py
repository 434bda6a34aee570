"""Help requests in the simulator (issue 7): send -> hub, send -> acknowledged at the point.

For the 40-point city and both 150-point regions (open country and towns), at 20 % extra
link loss (``--loss`` for more), in the layout we ship (every radio as its
firmware-config/ profile, the engines as provisioned) at LONG_FAST and MEDIUM_FAST, and
in today's scenario layout (points CLIENT) at LONG_FAST: the delivery table's
background traffic (6 bulletins/hour, status reports with receipts from every point),
``--requests`` help requests per run from random reachable points at random times, and
an operator who acknowledges each one ``--operator-delay`` seconds after it shows.

Columns: n = requests sent (over all seeds); hub = share that reached the operator
within the run, worst = the worst seed's share, and p50/p95/max of the time from
"send" at the point (pooled over seeds); ack = share (and times) of the point
holding the operator's acknowledgement (the operator's delay included); dup = requests
shown twice. The plain columns send the same requests as one Meshtastic direct message
each way (want_ack, the firmware's own retries, nothing more): what staff have today.
Target (issues 7, 11): 100 % reach the hub and are acknowledged back; p95 to the hub
<= 120 s at 20 % loss, in the shipped layout (judged under the table).

Run: ``python tools/bench_help.py [--seeds N] [--requests N] [--duration S] [--jobs N]``.
"""

from __future__ import annotations

import argparse

from relay.sim.help_bench import (
    HelpMetrics,
    HelpPlan,
    HelpRow,
    HelpTask,
    format_help_table,
    help_verdicts,
)
from relay.sim.parallel import run_all
from relay.sim.scenario import load_scenario

SCENARIOS = ("city", "region", "region-town")
LOSSES = (0.2,)
#: key -> (label, preset, shipped layout?, weak indoor points' antennas outside?)
LAYOUTS = {
    "long": ("LONG_FAST shipped", "LONG_FAST", True, False),
    "medium": ("MEDIUM_FAST shipped", "MEDIUM_FAST", True, False),
    "today": ("LONG_FAST today", None, False, False),
    # The cheapest change found for the town region (relay.sim.antennas): not shipped.
    "long-antennas": ("LONG_FAST +antennas", "LONG_FAST", True, True),
    "medium-antennas": ("MEDIUM_FAST +antennas", "MEDIUM_FAST", True, True),
}
COLUMNS = ("noodrelay", "plain")


def _tasks(
    args: argparse.Namespace, plan: HelpPlan
) -> list[tuple[tuple[str, str, float], HelpTask]]:
    """(row key, task) for every seed of every column of every row."""
    out = []
    for name in args.scenario or SCENARIOS:
        scenario = load_scenario(name)
        for label, preset, shipped, outdoor in (LAYOUTS[key] for key in args.layout or LAYOUTS):
            for loss in args.loss or LOSSES:
                for column in COLUMNS:
                    for seed in range(1, args.seeds + 1):
                        task = HelpTask(
                            scenario,
                            loss,
                            seed,
                            column,
                            args.duration,
                            plan,
                            preset,
                            shipped=shipped,
                            outdoor=outdoor,
                        )
                        out.append(((name, label, loss), task))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="runs per cell (default 5)")
    parser.add_argument("--requests", type=int, default=12, help="help requests per run")
    parser.add_argument("--duration", type=float, default=3600.0, help="virtual s per run")
    parser.add_argument("--operator-delay", type=float, default=30.0, help="seconds")
    parser.add_argument("--scenario", action="append", choices=SCENARIOS, help="only these")
    parser.add_argument("--loss", action="append", type=float, help="losses (default 0.2)")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    parser.add_argument(
        "--layout",
        action="append",
        choices=LAYOUTS,
        help="only these: long / medium (shipped, LONG_FAST / MEDIUM_FAST), today, "
        "long-antennas / medium-antennas (shipped + outside antennas at weak indoor points)",
    )
    args = parser.parse_args()
    plan = HelpPlan(requests=args.requests, operator_delay_s=args.operator_delay)
    keyed = _tasks(args, plan)

    def progress(done: int, total: int, index: int, result: HelpMetrics) -> None:
        (name, label, loss), _ = keyed[index]
        print(
            f"  ... help: {done}/{total} runs done ({name} {label} {loss:.0%} {result.column}: "
            f"{len(result.to_hub)}/{result.requests} at the hub, "
            f"{len(result.to_ack)} acknowledged)",
            flush=True,
        )

    print(f"  ... help: {len(keyed)} runs on {args.jobs} processes", flush=True)
    results = run_all([task for _, task in keyed], args.jobs, progress)
    grouped: dict[tuple[str, str, float], dict[str, list[HelpMetrics]]] = {}
    for (key, task), result in zip(keyed, results, strict=True):
        grouped.setdefault(key, {c: [] for c in COLUMNS})[task.column].append(result)
    rows = [HelpRow(*key, cols["noodrelay"], cols["plain"]) for key, cols in grouped.items()]
    print()
    print("\n\n".join(__doc__.split("\n\n")[1:4]))
    print()
    print(format_help_table(rows))
    print()
    print("Targets (issue 11) for the shipped layout, over all seeds:")
    for row in rows:
        if "shipped" in row.preset or "antennas" in row.preset:
            judged = "; ".join(
                f"{t} {v} {'pass' if ok else 'FAIL'}" for t, v, ok in help_verdicts(row)
            )
            print(f"  {row.scenario} {row.preset} {row.loss:.0%}: {judged}")


if __name__ == "__main__":
    main()
