"""A point daemon's memory under probing (issue 14 item 13), against its own idle baseline.

One ``relay run`` support-point daemon on an emulated radio (``relay radio emulate``,
the real ``meshtastic`` library over TCP), as bench_daemon.py starts it. Its VmRSS is
read after each phase:

* idle: connected, nothing asked (the baseline of this run);
* logins: 600 wrong passwords, 200 at once from each of three addresses;
* live streams: 100 server-sent event streams opened at once, then closed;
* page loads: 2,000 kiosk views, 20 at a time;
* quiet: after ``--quiet`` seconds with nothing asked (what stays).

Targets (issue 14): <= 60 MB idle, <= 80 MB under load, no growth that stays.
A radio frame flood, hours of traffic and kiosks holding the live stream together:
tools/bench_soak.py.
Run: ``python tools/bench_memory.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
from bench_daemon import point_config, rss_mb, start_daemon, start_emulator


async def logins(base: str) -> Counter[int]:
    statuses: Counter[int] = Counter()
    for source in ("127.0.0.2", "127.0.0.3", "127.0.0.4"):
        connector = aiohttp.TCPConnector(local_addr=(source, 0), limit=0, force_close=True)
        async with aiohttp.ClientSession(connector=connector) as http:

            async def attempt(i: int, http: aiohttp.ClientSession = http) -> int:
                body = {"user": "operator", "password": f"guess-{i}"}
                async with http.post(f"{base}/web/login", json=body) as r:
                    return r.status

            statuses.update(await asyncio.gather(*(attempt(i) for i in range(200))))
    return statuses


async def streams(base: str) -> Counter[int]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        opened = await asyncio.gather(*(http.get(f"{base}/api/events") for _ in range(100)))
        statuses = Counter(r.status for r in opened)
        await asyncio.sleep(1)
        for r in opened:
            r.close()
    return statuses


async def pages(base: str) -> Counter[int]:
    statuses: Counter[int] = Counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=20)) as http:

        async def load() -> int:
            async with http.get(f"{base}/web/kiosk.json") as r:
                await r.read()
                return r.status

        for _ in range(100):
            statuses.update(await asyncio.gather(*(load() for _ in range(20))))
    return statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=float, default=20.0, help="seconds before the baseline")
    parser.add_argument("--quiet", type=float, default=30.0, help="seconds of quiet at the end")
    args = parser.parse_args()
    emulator, ports = start_emulator()
    rows: list[tuple[str, float, str]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config, screen_port = point_config(Path(tmp) / "region", ports["p-centrum"])
            proc, _startup = start_daemon(config, screen_port)
            base = f"http://127.0.0.1:{screen_port}"
            try:
                time.sleep(args.idle)
                rows.append(("idle (baseline)", rss_mb(proc.pid), ""))
                for name, probe in (("logins", logins), ("live streams", streams)):
                    statuses = asyncio.run(probe(base))
                    rows.append((name, rss_mb(proc.pid), _answers(statuses)))
                rows.append(("page loads", rss_mb(proc.pid), _answers(asyncio.run(pages(base)))))
                time.sleep(args.quiet)
                rows.append((f"quiet {args.quiet:.0f} s later", rss_mb(proc.pid), ""))
            finally:
                proc.terminate()
                proc.wait(15)
    finally:
        emulator.terminate()
        emulator.wait()
    idle = rows[0][1]
    print(f"{'phase':<20} {'RSS':>8} {'vs idle':>8}  answers")
    for name, rss, answers in rows:
        print(f"{name:<20} {rss:>6.1f}MB {rss - idle:>+6.1f}MB  {answers}")
    peak = max(r[1] for r in rows)
    print(
        f"targets: idle <= 60 MB: {'yes' if idle <= 60 else 'NO'}; under load <= 80 MB: "
        f"{'yes' if peak <= 80 else 'NO'} (peak {peak:.1f} MB); quiet within 5 MB of idle: "
        f"{'yes' if rows[-1][1] - idle <= 5 else 'NO'}"
    )
    return 0


def _answers(statuses: Counter[int]) -> str:
    return ", ".join(f"{n}x {code}" for code, n in sorted(statuses.items()))


if __name__ == "__main__":
    sys.exit(main())
