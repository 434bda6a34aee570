"""Faults of issue 14 on whole nodes, and how the region recovers without a hand.

Each case runs a hub and a support point in one process (real keys, SQLite files,
engine, daemon; the in-process loop:// radio with the demo's fast timings) and prints:
fault, tries, recovered (every try), time to recover (mean and worst), messages lost,
false receipts (a bulletin the hub's receipt matrix says the point holds while its store
lacks it). The baseline row is the same region with no fault.

* kill -9 at a random instant: real ``relay run`` processes (hub and five points of the
  village on emulated radios) killed with SIGKILL at random instants while bulletins
  flow, and started again (tools/bench_kill9.py); several points are cut in parallel;
* edited bulletin: a stored bulletin's text is changed on disk while the point is
  stopped (the check on load quarantines it; repair fetches a good copy);
* damaged row: a stored bulletin's first byte is zeroed (same, and start-up continues);
* status out of range: the stored own status holds visitors = 5,000,000,000 (an older
  version accepted it; the engine died on it at every start);
* duty-cycle flood: 500 frames through relay-kerk in the simulated village as shipped,
  5 seeds (tools/bench_flood.py has the table per point, with its baseline); a try is a
  (seed, point) pair, its time the time from the flood's end until the point holds
  every bulletin again.

The kill -9 row's time is from the kill until the restarted daemon's radio link is up;
its lost and false receipts are read from the stores at the end (tools/bench_kill9.py);
it counts as recovered when every daemon came back and every point held every
acknowledged bulletin within ``--settle`` seconds of the last cut.
Not here: the full disk (the receipt proof on main), the radio absent at start
(tests/daemon/test_radio_absent.py).
Run: ``python tools/bench_faults.py [--cuts 200]`` (200 cuts take 10 to 20 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import bench_flood
import bench_kill9
import fleet

from relay.daemon import ops
from relay.daemon.node import Node
from relay.demo.inprocess import InProcessRegion, make_keys
from relay.store.store import Store
from relay.wire import envelope, schema
from relay.wire import model as m

HUB, POINT = "hub-utrecht", "np-001"
RECOVER_S = 30.0


@dataclass
class Row:
    fault: str
    times: list[float] = field(default_factory=list)
    failed: int = 0
    lost: int = 0
    false_receipts: int = 0
    #: Every try came back, but not every point held every message at the end.
    unsettled: bool = False

    def line(self) -> str:
        tries = len(self.times) + self.failed
        recovered = "yes" if self.failed == 0 and tries and not self.unsettled else "NO"
        mean = statistics.fmean(self.times) if self.times else float("nan")
        worst = max(self.times) if self.times else float("nan")
        return (
            f"{self.fault:<28} {tries:>5} {recovered:>9} {mean:>7.2f}s {worst:>7.2f}s "
            f"{self.lost:>5} {self.false_receipts:>6}"
        )


def text(body: str) -> m.Bulletin:
    return m.Bulletin(texts=(m.LocalizedText("nl", "", body),), expires_in_min=600)


async def until(check: Callable[[], bool], limit: float = RECOVER_S) -> float | None:
    """Seconds until ``check`` holds, or None after ``limit``."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > limit:
            return None
        await asyncio.sleep(0.02)
    return time.monotonic() - start


def held(point: Node) -> set[int]:
    return {b.message.envelope.seq for b in point.store.bulletins()}


def false_receipts(hub: Node, point: Node) -> int:
    """Bulletins the hub counts as held by the point that its store does not have."""
    engine = hub.engine
    assert hasattr(engine, "receipt_matrix")
    row = engine.receipt_matrix().get(1, {})
    return sum(1 for seq, (received, _shown) in row.items() if received and seq not in held(point))


class Region:
    def __init__(self, base: Path) -> None:
        make_keys(base / "keys", HUB, [POINT])
        self.base = base
        self.nodes = InProcessRegion(base)

    async def __aenter__(self) -> Region:
        await self.nodes.start(HUB, "hub")
        await self.nodes.start(POINT, "point", 1)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.nodes.close()

    @property
    def hub(self) -> Node:
        return self.nodes.nodes[HUB]

    @property
    def point(self) -> Node:
        return self.nodes.nodes[POINT]

    @property
    def db(self) -> Path:
        return self.base / f"{POINT}.db"

    def issue(self, body: str) -> int:
        return int(ops.issue(self.hub, text(body))["seq"])

    async def restart_after(self, change: Callable[[Path], None]) -> None:
        await self.nodes.stop(POINT)
        change(self.db)
        await self.nodes.start(POINT, "point", 1)


async def baseline(row: Row, tries: int, base: Path) -> None:
    async with Region(base) as region:
        for i in range(tries):
            seq = region.issue(f"Bericht {i}")
            _count(row, await until(has(region, seq)))
        row.false_receipts += false_receipts(region.hub, region.point)


def _forge(raw: bytes) -> bytes:
    msg = envelope.parse(raw)
    body = msg.envelope.body
    assert isinstance(body, m.Bulletin)
    env = replace(msg.envelope, body=replace(body, texts=text("Vervalst").texts))
    return bytes([envelope.WHOLE_MARKER]) + schema.envelope_to_bytes(env) + msg.signature


def _edit_first(db: Path, edit: Callable[[bytes], bytes]) -> None:
    conn = sqlite3.connect(db)
    with conn:
        [(key, seq, raw)] = conn.execute(
            "SELECT key_id, seq, raw FROM messages WHERE kind = 'bulletin' ORDER BY seq LIMIT 1"
        )
        conn.execute(
            "UPDATE messages SET raw = ? WHERE key_id = ? AND seq = ?", (edit(raw), key, seq)
        )
    conn.close()


async def damaged(row: Row, tries: int, base: Path, edit: Callable[[bytes], bytes]) -> None:
    for i in range(tries):
        async with Region(base / str(i)) as region:
            seq = region.issue("Kookadvies Houten")
            await until(has(region, seq))
            await region.restart_after(lambda db: _edit_first(db, edit))
            _count(row, await until(shows(region, seq, "Kookadvies Houten")))
            row.lost += 0 if shows(region, seq, "Kookadvies Houten")() else 1
            row.false_receipts += false_receipts(region.hub, region.point)


def has(region: Region, seq: int) -> Callable[[], bool]:
    """The point (whichever run of it is up) holds bulletin ``seq``."""
    return lambda: seq in held(region.point)


def shows(region: Region, seq: int, body: str) -> Callable[[], bool]:
    """The point shows bulletin ``seq`` with its true text."""
    return lambda: any(
        v["seq"] == seq and v["texts"][0]["body"] == body for v in ops.inbox(region.point)
    )


def _bad_status(db: Path) -> None:
    store = Store(db)
    try:
        store.set_own_status(m.StatusReport(1, m.OpenState.OPEN, visitors=5_000_000_000), 0.0)
    finally:
        store.close()


async def status_out_of_range(row: Row, tries: int, base: Path) -> None:
    for i in range(tries):
        async with Region(base / str(i)) as region:
            await region.restart_after(_bad_status)
            took = await until(
                lambda: (
                    any(r["open"] == "open" for r in ops.points(region.hub))
                    and not region.nodes._tasks[POINT].done()
                )
            )
            _count(row, took)


def _count(row: Row, took: float | None) -> None:
    if took is None:
        row.failed += 1
    else:
        row.times.append(took)


async def run_in_process() -> None:
    """The cases on whole nodes in one process, each row printed as it ends."""
    rows = [
        Row("no fault (baseline)"),
        Row("edited bulletin on disk"),
        Row("damaged row (first byte)"),
        Row("status out of range stored"),
    ]
    cases: list[Callable[[Path], Awaitable[None]]] = [
        lambda d: baseline(rows[0], 20, d),
        lambda d: damaged(rows[1], 5, d, _forge),
        lambda d: damaged(rows[2], 5, d, lambda raw: b"\x00" + raw[1:]),
        lambda d: status_out_of_range(rows[3], 5, d),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for i, case in enumerate(cases):
            await case(Path(tmp) / f"case{i}")
            print(rows[i].line(), flush=True)  # as each case ends: a long run shows progress


def kill9_row(args: argparse.Namespace, cuts: int) -> tuple[Row, str]:
    """The real kill -9 cuts (tools/bench_kill9.py; 0: its uncut baseline), and its
    one-line summary."""
    result = bench_kill9.run(cuts, args.seed, args, lambda line: None)
    if cuts:
        row = Row("kill -9 (receive, store, send)", list(result.restart_s), result.not_restarted)
    else:  # one run; its time: until every point held every bulletin after the traffic
        times = [] if result.settle_s is None else [result.settle_s]
        row = Row("no cut (processes, baseline)", times, 1 - len(times))
    row.lost, row.false_receipts = result.lost, result.false_receipts
    row.unsettled = result.settle_s is None
    return row, bench_kill9.summary(result)


def flood_row(seeds: int) -> Row:
    """The duty-cycle flood in the simulator (tools/bench_flood.py), as shipped."""
    times, failed, lost, false = bench_flood.summary(bench_flood.flood_runs(seeds))
    return Row("duty-cycle flood relay-kerk", times, failed, lost, false)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bench_kill9.add_arguments(parser)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--flood-seeds", type=int, default=5, help="seeds of the flood case")
    parser.add_argument(
        "--with-uncut", action="store_true",
        help="also run the daemons' traffic uncut first (--uncut s): the processes' baseline",
    )  # fmt: skip
    args = parser.parse_args()
    fleet.exit_on_sigterm()
    logging.disable(logging.CRITICAL)  # the faults log errors on purpose
    print(f"{'fault':<28} {'tries':>5} {'recovered':>9} {'mean':>8} {'worst':>8} {'lost':>5} "
          f"{'false':>6}", flush=True)  # fmt: skip
    asyncio.run(run_in_process())
    summaries = []
    for cuts in (0, args.cuts) if args.with_uncut else (args.cuts,):
        row, summary = kill9_row(args, cuts)
        summaries.append(summary)
        print(row.line(), flush=True)
    print(flood_row(args.flood_seeds).line(), flush=True)
    print(
        "time to recover: from the fault (restart) until the point holds everything again;\n"
        "kill -9: until the restarted daemon's radio link is up (its baseline: one uncut run,\n"
        "until every point held every bulletin after the traffic); flood: from the flood's end\n"
        "until the point holds every bulletin again (mean over (seed, point) pairs)\n"
        + "\n".join(summaries)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
