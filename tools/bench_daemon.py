"""The daemon's footprint on a Pi-like budget: start-up time, resident memory, idle CPU.

Starts the emulated village (``relay radio emulate``), then measures, each in its own
process connected to its own emulated radio over TCP through the real ``meshtastic``
library:

* baseline: a bare ``meshtastic`` ``TCPInterface`` client that does nothing (what the
  library alone costs);
* noodrelay: a support point's daemon (``relay run``: engine, store, HTTP API, screens).

Start-up = process start until the radio link is up (the daemon's /api/state says
"connected"; for the baseline, the constructor's return). Memory = VmRSS after the
idle window; CPU = (user + system time) during the idle window / its length.
Targets (issue 4): <= 60 MB, < 1 % CPU. Run: ``python tools/bench_daemon.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")

BASELINE = r"""
import sys, time
import meshtastic.tcp_interface as t
i = t.TCPInterface(hostname="127.0.0.1", portNumber=int(sys.argv[1]))
print("connected", flush=True)
time.sleep(10**6)
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def start_emulator() -> tuple[subprocess.Popen[str], dict[str, int]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "relay", "radio", "emulate", "--scenario", "village"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    ports: dict[str, int] = {}
    for line in proc.stdout:
        if line.strip() == "ready":
            break
        parts = line.split()
        if len(parts) >= 3 and parts[2].startswith("127.0.0.1:"):
            ports[parts[0]] = int(parts[2].split(":")[1])
    return proc, ports


def idle(pid: int, seconds: float) -> tuple[float, float]:
    before = cpu_s(pid)
    time.sleep(seconds)
    return rss_mb(pid), 100 * (cpu_s(pid) - before) / seconds


def measure_baseline(port: int, idle_s: float) -> tuple[float, float, float]:
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", BASELINE, str(port)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    proc.stdout.readline()
    startup = time.monotonic() - started
    try:
        rss, cpu = idle(proc.pid, idle_s)
    finally:
        proc.terminate()
        proc.wait()
    return startup, rss, cpu


def point_config(directory: Path, port: int) -> tuple[Path, int]:
    """A point daemon's files (keys and config), via the demo's region builder; the
    config and the daemon's screen port (free ports from the OS, never fixed ones)."""
    from relay.demo.ports import screen_ports
    from relay.demo.region import build_region
    from relay.sim.scenario import load_scenario

    scenario = load_scenario("village")
    ports = {n.name: port for n in scenario.nodes}
    nodes = build_region(directory, scenario, ports, screen_ports(scenario, 0))
    point = next(n for n in nodes if n.role == "point")
    return point.config, point.screen_port


def start_daemon(config: Path, screen_port: int) -> tuple[subprocess.Popen[bytes], float]:
    """``relay run``, and its start-up time until the radio link is up (nan: never)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "relay", "run", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{screen_port}/api/state"
    while time.monotonic() - started < 60:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if json.loads(r.read()).get("link") == "connected":
                    return proc, time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.05)
    return proc, float("nan")


def measure_daemon(port: int, idle_s: float, directory: Path) -> tuple[float, float, float]:
    proc, startup = start_daemon(*point_config(directory, port))
    try:
        rss, cpu = idle(proc.pid, idle_s)
    finally:
        proc.terminate()
        proc.wait(15)
    return startup, rss, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=float, default=60.0, help="idle window in seconds")
    args = parser.parse_args()
    emulator, ports = start_emulator()
    try:
        base = measure_baseline(ports["p-noord"], args.idle)
        with tempfile.TemporaryDirectory() as tmp:
            daemon = measure_daemon(ports["p-centrum"], args.idle, Path(tmp) / "region")
    finally:
        emulator.terminate()
        emulator.wait()
    print(f"{'process':<34} {'start-up':>9} {'RSS':>8} {'idle CPU':>9}")
    for label, (startup, rss, cpu) in (
        ("meshtastic TCPInterface (baseline)", base),
        ("relay run (point daemon)", daemon),
    ):
        print(f"{label:<34} {startup:>8.2f}s {rss:>6.1f}MB {cpu:>8.2f}%")
    ratio = f"{daemon[0] / base[0]:>8.1f}x {daemon[1] / base[1]:>7.1f}x"
    print(f"{'ratio daemon / baseline':<34} {ratio}")
    rss_ok = "yes" if daemon[1] <= 60 else "NO"
    cpu_ok = "yes" if daemon[2] < 1 else "NO"
    print(f"targets: RSS <= 60 MB: {rss_ok}; idle CPU < 1 %: {cpu_ok} (over {args.idle:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
