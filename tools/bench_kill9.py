"""kill -9 of real daemon processes while they receive, store and send (issue 14, "Measure").

The field path: ``relay radio emulate --shipped`` runs the village (the real meshtastic
library between each daemon and its emulated radio, LONG_FAST in real time, radios as
provisioned), and a hub and five point daemons (``relay run``) run as processes with
fast timings (a heartbeat every 15 s, a report every 60 s).

While a sender posts a signed bulletin to the hub every ``--every`` seconds, every point
daemon is cut in parallel with its own loop: start, wait until its radio link is up,
SIGKILL it at the moment of the phase its turn aims at (PHASES: while a bulletin
arrives, at a store commit, while frames wait for the radio, or at a random instant),
start it again. The hub is cut the same way, less often (``--hub-every``-th cut). The
summary says how many cuts landed in each phase. The regions's files are built once.

Afterwards every daemon runs uncut until each point holds every bulletin the hub
acknowledged (or ``--settle`` seconds pass); then the stores are read:

* lost: a bulletin the hub acknowledged (HTTP 200 with its number) that the hub's store
  lacks at the end, or one a point showed as held (its /api/bulletins, sampled every
  second) that its store lacks at the end;
* undelivered: (point, bulletin) pairs acknowledged but not at the point at the end
  (repair had not brought them yet: a delivery delay, not a loss);
* false receipts: a (point, bulletin) pair the hub's receipts claimed at any moment
  (its /api/points, sampled every second, and its store at the end) that the point's
  store lacks at the end (a stored bulletin stays stored: none expires in the run).

Time to recover per cut: from the kill until the restarted daemon's radio link is up
again. ``--cuts 0`` is the baseline: the same traffic for ``--uncut`` seconds (about as
long as 200 cuts take), nothing cut, then the same settling and checks.
Run: ``python tools/bench_kill9.py [--cuts 200]`` (or through bench_faults.py).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fleet import Daemon, Sender, exit_on_sigterm, faster, start_emulator

from relay.demo.ports import screen_ports
from relay.demo.region import DemoNode, build_region
from relay.sim.scenario import load_scenario
from relay.store.store import Store

#: Where the cuts are aimed, in turn. "receive": 0.5 to 4 s after the hub took a bulletin
#: (its frames are on the air: the points receive, verify and store it); "store": the
#: moment the daemon's write-ahead log changes (a commit under way); "send": while frames
#: wait for the radio (receipts, reports, repair requests, the hub's bulletins); "random":
#: up to ``--alive`` seconds after the link came up. A cut whose moment did not come
#: within TRIGGER_WAIT_S lands at a random instant and is counted as "random".
PHASES = ("receive", "store", "send", "random")
RECEIVE_WINDOW_S = (0.5, 4.0)
TRIGGER_WAIT_S = 60.0
SETTLE_IN_S = 5.0


def _until(condition: Callable[[], bool], poll_s: float) -> bool:
    """Poll ``condition`` every ``poll_s`` for up to TRIGGER_WAIT_S."""
    deadline = time.monotonic() + TRIGGER_WAIT_S
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll_s)
    return False


@dataclass
class Result:
    """What the cuts did, for the fault table."""

    cuts: int = 0
    hub_cuts: int = 0
    restart_s: list[float] = field(default_factory=list)
    not_restarted: int = 0
    acknowledged: list[int] = field(default_factory=list)
    refused_sends: int = 0
    lost: int = 0
    undelivered: int = 0
    #: Point -> acknowledged bulletins it did not hold at the end.
    missing_at: dict[str, int] = field(default_factory=dict)
    #: (point, seq) pairs a point's API showed as held while the daemons ran.
    held: set[tuple[str, int]] = field(default_factory=set)
    false_receipts: int = 0
    settle_s: float | None = None
    #: (point, seq) pairs the hub's receipts claimed while the daemons ran.
    claims: set[tuple[str, int]] = field(default_factory=set)
    #: Phase -> cuts that landed in it (PHASES).
    phases: dict[str, int] = field(default_factory=dict)


@dataclass
class Cutter:
    """Cuts daemons at random instants until ``total`` cuts are done."""

    total: int
    alive_s: float
    rng: random.Random
    result: Result
    sender: Sender
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)

    def take(self, is_hub: bool) -> str | None:
        """Claim one cut and the phase to aim it at, in turn (None once all are taken)."""
        with self.lock:
            if self.result.cuts >= self.total:
                self.done.set()
                return None
            phase = PHASES[self.result.cuts % len(PHASES)]
            self.result.cuts += 1
            self.result.hub_cuts += is_hub
            return phase

    def aim(self, daemon: Daemon, phase: str, rng: random.Random) -> str:
        """Wait for ``phase``'s moment; the phase the cut lands in ("random" when the
        moment did not come within ``TRIGGER_WAIT_S``)."""
        if self._moment(daemon, phase, rng):
            return phase
        time.sleep(rng.uniform(0.0, self.alive_s))  # the random instant
        return "random"

    def _moment(self, daemon: Daemon, phase: str, rng: random.Random) -> bool:
        if phase == "receive":
            with self.sender.sent:
                if not self.sender.sent.wait(TRIGGER_WAIT_S):
                    return False
            time.sleep(rng.uniform(*RECEIVE_WINDOW_S))
            return True
        if phase == "store":
            mark = daemon.store_mark()
            return _until(lambda: daemon.store_mark() != mark, 0.002)
        if phase == "send":
            return _until(lambda: daemon.queued_frames() > 0, 0.02)
        return False

    def loop(self, daemon: Daemon, pause_s: float, seed: int) -> None:
        rng = random.Random(seed)
        while not self.done.is_set():
            time.sleep(rng.uniform(0.0, pause_s))
            if not daemon.wait_connected() or self.done.is_set():
                continue
            time.sleep(rng.uniform(0.0, SETTLE_IN_S))  # past the start-up's own writes
            phase = self.take(daemon.node.role == "hub")
            if phase is None:
                return
            landed = self.aim(daemon, phase, rng)
            with self.lock:
                self.result.phases[landed] = self.result.phases.get(landed, 0) + 1
            killed = time.monotonic()
            daemon.kill()
            daemon.start()
            if daemon.wait_connected():
                with self.lock:
                    self.result.restart_s.append(time.monotonic() - killed)
            else:
                with self.lock:
                    self.result.not_restarted += 1


def sample(hub: Daemon, points: list[Daemon], result: Result, stop: threading.Event) -> None:
    """Until ``stop``, every second: what the hub's receipts claim, what points hold."""
    while not stop.wait(1.0):
        result.claims |= hub_claims(hub)
        for point in points:
            with contextlib.suppress(OSError, ValueError):  # cut just now
                result.held |= {(point.node.name, seq) for seq in point.held()}


def hub_claims(hub: Daemon) -> set[tuple[str, int]]:
    """What the hub's receipts claim now (points by certificate name: the node names)."""
    try:
        rows = hub.get("/api/points")
    except (OSError, ValueError):
        return set()
    assert isinstance(rows, list)
    return {
        (str(r["name"]), int(seq)) for r in rows if r.get("receipt") for seq in r["receipt"]["held"]
    }


def store_seqs(node: DemoNode) -> set[int]:
    store = Store(node.directory / "relay.db")
    try:
        return {b.message.envelope.seq for b in store.bulletins()}
    finally:
        store.close()


def stored_claims(hub: DemoNode) -> set[tuple[str, int]]:
    store = Store(hub.directory / "relay.db")
    try:
        return {
            (p.name, seq) for p in store.points() if p.receipt is not None for seq in p.receipt.held
        }
    finally:
        store.close()


def settle(points: list[Daemon], acked: set[int], limit: float) -> float | None:
    """Seconds until every point holds every acknowledged bulletin (None: not within)."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        try:
            if all(acked <= p.held() for p in points):
                return time.monotonic() - start
        except (OSError, ValueError):
            pass
        time.sleep(0.5)
    return None


def run(cuts: int, seed: int, args: argparse.Namespace, progress: Callable[[str], None]) -> Result:
    result = Result()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.dir or tmp)
        base.mkdir(parents=True, exist_ok=True)
        emulator, ports = start_emulator(base / "emulate.log")
        scenario = load_scenario("village")
        nodes = build_region(base / "region", scenario, ports, screen_ports(scenario, 0))
        for node in nodes:
            faster(node)
        daemons = [Daemon(n) for n in nodes]
        try:
            _run_cuts(daemons, cuts, seed, args, result, progress)
        finally:
            for d in daemons:
                d.stop()
            emulator.terminate()
            emulator.wait(timeout=30)
        _check_stores(nodes, result)
    return result


def _run_cuts(
    daemons: list[Daemon],
    cuts: int,
    seed: int,
    args: argparse.Namespace,
    result: Result,
    progress: Callable[[str], None],
) -> None:
    hub = next(d for d in daemons if d.node.role == "hub")
    points = [d for d in daemons if d.node.role == "point"]
    for d in daemons:
        d.start()
    if not all(d.wait_connected(120) for d in daemons):
        raise RuntimeError("not every daemon connected to its emulated radio")
    rng = random.Random(seed)
    sender = Sender(hub, args.every)
    cutter = Cutter(cuts, args.alive, rng, result, sender)
    stop_sampling = threading.Event()
    threads = [threading.Thread(target=sender.loop)]
    threads.append(threading.Thread(target=sample, args=(hub, points, result, stop_sampling)))
    for i, d in enumerate(points):
        threads.append(threading.Thread(target=cutter.loop, args=(d, 1.0, seed * 100 + i)))
    hub_pause = args.alive * args.hub_every / max(1, len(points))
    threads.append(threading.Thread(target=cutter.loop, args=(hub, hub_pause, seed * 100 + 99)))
    for t in threads:
        t.start()
    started = time.monotonic()
    if not cuts:  # the baseline: the same traffic for a while, nothing cut
        time.sleep(args.uncut)
    while not cutter.done.wait(10) and cuts:
        progress(f"  {result.cuts} cuts ({result.hub_cuts} of the hub) after "
                 f"{time.monotonic() - started:.0f} s")  # fmt: skip
    for t in threads[2:]:
        t.join()
    sender.stop.set()
    threads[0].join()
    result.acknowledged, result.refused_sends = sender.acknowledged, sender.refused
    for d in daemons:
        if d.proc is None or d.proc.poll() is not None:
            d.start()
        d.wait_connected()
    result.settle_s = settle(points, set(result.acknowledged), args.settle)
    stop_sampling.set()
    threads[1].join()


def _check_stores(nodes: list[DemoNode], result: Result) -> None:
    hub = next(n for n in nodes if n.role == "hub")
    acked = set(result.acknowledged)
    claimed = result.claims | stored_claims(hub)
    lost = len(acked - store_seqs(hub))
    false = 0
    for node in nodes:
        if node.role != "point":
            continue
        held = store_seqs(node)
        result.undelivered += len(acked - held)
        if acked - held:
            result.missing_at[node.name] = len(acked - held)
        lost += sum(1 for point, seq in result.held if point == node.name and seq not in held)
        false += sum(1 for point, seq in claimed if point == node.name and seq not in held)
    result.lost, result.false_receipts = lost, false


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    exit_on_sigterm()
    r = run(args.cuts, args.seed, args, lambda line: print(line, flush=True))
    print(summary(r))
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cuts", type=int, default=200, help="kill -9 cuts in all")
    parser.add_argument("--alive", type=float, default=20.0, help="most seconds before a cut")
    # Every 15 s (30 times the region bench's rate) took the hub near its own 8 % airtime
    # budget, and the three-hop points' repairs backed off past --settle
    # (docs/bench/faults-2026-12-02.txt).
    parser.add_argument("--every", type=float, default=30.0, help="seconds between bulletins")
    parser.add_argument("--hub-every", type=int, default=10, help="about every n-th cut: hub")
    parser.add_argument("--settle", type=float, default=600.0, help="most seconds to converge")
    parser.add_argument(
        "--uncut", type=float, default=400.0,
        help="with --cuts 0 (the baseline): seconds of traffic before the settling",
    )  # fmt: skip
    parser.add_argument("--dir", help="keep the region, logs and stores here (default: temp)")


def summary(r: Result) -> str:
    settle = "never" if r.settle_s is None else f"{r.settle_s:.0f} s"
    return (
        f"kill -9: {r.cuts} cuts ({r.hub_cuts} hub, {r.cuts - r.hub_cuts} points), "
        f"{_phases(r.phases)}{r.not_restarted} not back within 90 s; "
        f"{len(r.acknowledged)} bulletins "
        f"acknowledged ({r.refused_sends} sends refused while the hub was down); every point "
        f"held all of them {settle} after the last cut ({r.undelivered} (point, bulletin) "
        f"pairs still missing at the end{_by_point(r.missing_at)}); lost {r.lost}, "
        f"false receipts {r.false_receipts}"
    )


def _phases(phases: dict[str, int]) -> str:
    if not phases:
        return ""
    return "landed " + ", ".join(f"{phases.get(p, 0)} {p}" for p in PHASES) + "; "


def _by_point(missing: dict[str, int]) -> str:
    return (": " + ", ".join(f"{n} at {p}" for p, n in sorted(missing.items()))) if missing else ""


if __name__ == "__main__":
    sys.exit(main())
