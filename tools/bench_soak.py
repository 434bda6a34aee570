"""A point daemon's memory over a long soak (issue 14, item 13), against its idle baseline.

The village on emulated radios (tools/fleet.py: ``relay radio emulate``, the real
meshtastic library, LONG_FAST in real time); a hub and the support point p-centrum run
as ``relay run`` processes with fast timings (a heartbeat every 15 s instead of 300 s,
a report every 60 s instead of 1800 s: 20 to 30 times the traffic of the shipped
timings, so ``--minutes 10`` is more than three hours of it). During the soak, all at once:

* traffic: the hub issues a bulletin every ``--every`` seconds;
* a frame flood: a second client on the air, on p-noord's emulated radio (p-centrum
  hears it directly), sends a frame every ``--flood-every`` seconds with hop limit 0 (no
  relay repeats it; flooded as fast as the radio takes them, the LONG_FAST channel
  carried nothing else and the point got no bulletin at all): random bytes on our port,
  cut-short and bogus noodrelay-looking frames, and plain text;
* 5 kiosk clients: each holds the live stream (/api/events) open and reloads the kiosk
  data (/web/kiosk.json) on every event, as the kiosk page does.

The point's VmRSS is printed every ``--sample`` seconds, with the hub's; the summary
gives the idle baseline, the peak under load, the growth over the soak's second half
(a straight line through the samples) and the RSS after a quiet minute.
Targets (issue 14): <= 60 MB idle, <= 80 MB under load, no growth.
Run: ``python tools/bench_soak.py [--minutes 10]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from fleet import Daemon, Sender, exit_on_sigterm, faster, start_emulator

from relay.demo.ports import screen_ports
from relay.demo.region import build_region
from relay.sim.scenario import load_scenario
from relay.wire.envelope import FRAGMENT_MARKER, WHOLE_MARKER
from relay.wire.statusframe import MARKER as STATUS_MARKER

POINT, FLOODER = "p-centrum", "p-noord"
PRIVATE_APP = 256
KIOSKS = 5


@dataclass
class Load:
    """What the load did, as the samples see it."""

    frames: int = 0
    frames_refused: int = 0
    events: int = 0
    page_loads: int = 0
    stop: threading.Event = field(default_factory=threading.Event)


def flood(port: int, load: Load, seed: int, every: float) -> None:
    """Frames from a second client on the air until ``load.stop`` (its own thread: the
    meshtastic library is thread-based)."""
    from meshtastic.tcp_interface import TCPInterface

    rng = random.Random(seed)
    iface = TCPInterface(hostname="127.0.0.1", portNumber=port)
    try:
        while not load.stop.is_set():
            kind = rng.randrange(4)
            try:
                if kind == 3:
                    text = f"flood {load.frames}: " + "x" * rng.randrange(10, 150)
                    iface.sendText(text, hopLimit=0)
                else:
                    iface.sendData(_noise(rng, kind), portNum=PRIVATE_APP, hopLimit=0)
                load.frames += 1
            except Exception:
                load.frames_refused += 1
            load.stop.wait(every)
    finally:
        iface.close()


def _noise(rng: random.Random, kind: int) -> bytes:
    """Random bytes; a whole message that is cut short; a fragment of nothing, or a
    status frame with a bad MAC (first bytes as relay.wire.envelope/statusframe use)."""
    if kind == 0:
        return rng.randbytes(rng.randrange(1, 200))
    if kind == 1:
        return bytes([WHOLE_MARKER]) + rng.randbytes(rng.randrange(1, 40))
    marker = rng.choice((FRAGMENT_MARKER, STATUS_MARKER))
    return bytes([marker]) + rng.randbytes(rng.randrange(20, 200))


async def kiosk(base: str, token: str, load: Load) -> None:
    """One kiosk screen: the live stream held open, the data reloaded on each event."""
    headers = {"Authorization": f"Bearer {token}"}
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
    async with aiohttp.ClientSession(headers=headers, timeout=timeout) as http:
        while not load.stop.is_set():
            try:
                async with http.get(f"{base}/api/events") as stream:
                    async for line in stream.content:
                        if load.stop.is_set():
                            return
                        if line.startswith(b"event:"):
                            load.events += 1
                            async with http.get(f"{base}/web/kiosk.json") as r:
                                await r.read()
                                load.page_loads += 1
            except aiohttp.ClientError:
                await asyncio.sleep(2)  # the browser's retry


async def sample(
    point: Daemon, hub: Daemon, args: argparse.Namespace, load: Load, idle: float
) -> list[float]:
    start = time.monotonic()
    rows: list[float] = []
    while time.monotonic() - start < args.minutes * 60:
        await asyncio.sleep(args.sample)
        elapsed = time.monotonic() - start
        rss = point.rss_mb()
        rows.append(rss)
        print(
            f"{elapsed / 60:6.1f} min {rss:7.1f} MB {rss - idle:+6.1f} MB  "
            f"hub {hub.rss_mb():6.1f} MB  frames {load.frames:>5} (refused "
            f"{load.frames_refused})  events {load.events:>5}  page loads {load.page_loads:>5}",
            flush=True,
        )
    load.stop.set()
    return rows


async def soak(
    point: Daemon, hub: Daemon, args: argparse.Namespace, load: Load, idle: float
) -> list[float]:
    base = f"http://127.0.0.1:{point.node.screen_port}"
    point.get("/api/state")  # reads the control token
    kiosks = [asyncio.create_task(kiosk(base, point.token, load)) for _ in range(KIOSKS)]
    try:
        return await sample(point, hub, args, load, idle)
    finally:
        for task in kiosks:
            task.cancel()
        await asyncio.gather(*kiosks, return_exceptions=True)


def slope_per_10min(rows: list[float], every_s: float) -> float:
    """MB per 10 minutes over the second half of the samples (least squares)."""
    half = rows[len(rows) // 2 :]
    if len(half) < 2:
        return float("nan")
    xs = [i * every_s for i in range(len(half))]
    return statistics.linear_regression(xs, half).slope * 600


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the soak")
    parser.add_argument("--every", type=float, default=15.0, help="seconds between bulletins")
    parser.add_argument("--flood-every", type=float, default=2.0, help="seconds between frames")
    parser.add_argument("--sample", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--idle", type=float, default=30.0, help="seconds before the baseline")
    parser.add_argument("--quiet", type=float, default=60.0, help="seconds of quiet at the end")
    args = parser.parse_args()
    exit_on_sigterm()
    with tempfile.TemporaryDirectory() as tmp:
        emulator, ports = start_emulator(Path(tmp) / "emulate.log")
        scenario = load_scenario("village")
        nodes = build_region(Path(tmp) / "region", scenario, ports, screen_ports(scenario, 0))
        daemons = {n.name: Daemon(n) for n in nodes if n.name in ("hub", POINT)}
        for d in daemons.values():
            faster(d.node)
            d.start()
        try:
            return _run(daemons["hub"], daemons[POINT], ports[FLOODER], args)
        finally:
            for d in daemons.values():
                d.stop()
            emulator.terminate()
            emulator.wait(timeout=30)


def _run(hub: Daemon, point: Daemon, flood_port: int, args: argparse.Namespace) -> int:
    if not (hub.wait_connected(120) and point.wait_connected(120)):
        print("the daemons did not connect to their emulated radios", file=sys.stderr)
        return 1
    time.sleep(args.idle)
    idle = point.rss_mb()
    print(f"idle (baseline): point {idle:.1f} MB, hub {hub.rss_mb():.1f} MB", flush=True)
    print(f"{'time':>10} {'point RSS':>10} {'vs idle':>9}", flush=True)
    load = Load()
    sender = Sender(hub, args.every)
    threads = [
        threading.Thread(target=sender.loop),
        threading.Thread(target=flood, args=(flood_port, load, 13, args.flood_every)),
    ]
    for t in threads:
        t.start()
    try:
        rows = asyncio.run(soak(point, hub, args, load, idle))
    finally:
        load.stop.set()
        sender.stop.set()
        for t in threads:
            t.join()
    time.sleep(args.quiet)
    _summary(idle, rows, point.rss_mb(), args, len(sender.acknowledged))
    return 0


def _summary(idle: float, rows: list[float], quiet: float, args: Any, bulletins: int) -> None:
    peak = max(rows)
    growth = slope_per_10min(rows, args.sample)
    print(
        f"soak {args.minutes:.0f} min: {bulletins} bulletins; point RSS idle {idle:.1f} MB, "
        f"peak {peak:.1f} MB ({peak - idle:+.1f}), second half {growth:+.2f} MB per 10 min, "
        f"{args.quiet:.0f} s after the load {quiet:.1f} MB ({quiet - idle:+.1f})"
    )
    print(
        f"targets: idle <= 60 MB: {'yes' if idle <= 60 else 'NO'}; under load <= 80 MB: "
        f"{'yes' if peak <= 80 else 'NO'}; no growth (< 1 MB per 10 min in the second "
        f"half): {'yes' if growth < 1 else 'NO'}"
    )


if __name__ == "__main__":
    sys.exit(main())
