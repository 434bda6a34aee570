"""Help requests in the simulator (issue 7): send -> hub, send -> acknowledged at the point.

For the 40-point city and the 150-point region, at 10/20/30 % extra link loss, at
LONG_FAST (the scenarios' preset, roles as shipped) and MEDIUM_FAST with the points'
radios CLIENT_MUTE (as the delivery table's medium rows): the delivery table's
background traffic (6 bulletins/hour, status reports with receipts from every point),
``--requests`` help requests per run from random reachable points at random times, and
an operator who acknowledges each one ``--operator-delay`` seconds after it shows.

Columns: n = requests sent; hub = share that reached the operator within the run, and
p50/p95/max of the time from "send" at the point; ack = share (and times) of the point
holding the operator's acknowledgement (the operator's delay included); dup = requests
shown twice. The plain columns send the same requests as one Meshtastic direct message
each way (want_ack, the firmware's own retries, nothing more): what staff have today.
Target (issue 7): 100 % delivered; p95 to the hub under 2 minutes at 20 % loss.

Run: ``python tools/bench_help.py [--seeds N] [--requests N] [--duration S]``.
"""

from __future__ import annotations

import argparse

from relay.sim.api import Role
from relay.sim.help_bench import HelpPlan, HelpRow, format_help_table, run
from relay.sim.scenario import load_scenario

SCENARIOS = ("city", "region")
LOSSES = (0.1, 0.2, 0.3)
#: (label, preset override, role of the points' radios)
PRESETS = (("LONG_FAST", None, None), ("MEDIUM_FAST", "MEDIUM_FAST", Role.CLIENT_MUTE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1, help="runs per cell (default 1)")
    parser.add_argument("--requests", type=int, default=12, help="help requests per run")
    parser.add_argument("--duration", type=float, default=3600.0, help="virtual s per run")
    parser.add_argument("--operator-delay", type=float, default=30.0, help="seconds")
    parser.add_argument("--scenario", action="append", choices=SCENARIOS, help="only these")
    parser.add_argument("--loss", action="append", type=float, help="only these losses")
    args = parser.parse_args()
    plan = HelpPlan(requests=args.requests, operator_delay_s=args.operator_delay)
    rows = []
    for name in args.scenario or SCENARIOS:
        scenario = load_scenario(name)
        for label, preset, role in PRESETS:
            for loss in args.loss or LOSSES:
                columns = {
                    column: [
                        run(scenario, loss, seed, column, args.duration, plan, preset, role)
                        for seed in range(1, args.seeds + 1)
                    ]
                    for column in ("noodrelay", "plain")
                }
                rows.append(HelpRow(name, label, loss, columns["noodrelay"], columns["plain"]))
                print(f"  ... {name} {label} {loss:.0%} done", flush=True)
    print()
    print("\n\n".join(__doc__.split("\n\n")[1:4]))
    print()
    print(format_help_table(rows))


if __name__ == "__main__":
    main()
