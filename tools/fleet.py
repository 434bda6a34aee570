"""The village's daemons as real processes on emulated radios, for the fault benches.

``relay radio emulate --scenario village --shipped`` (the real meshtastic library between
each daemon and its emulated radio, LONG_FAST in real time, every radio configured as its
firmware-config/ profile does: points CLIENT_MUTE, not relaying) and one ``relay run``
per node that the benches start, kill and start again. (With the scenario's own roles,
relaying CLIENT points, the two three-hop points lost most bulletins under these
timings, in the simulator as well.) The region's files are built once (relay.demo.region)
with fast timings.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from relay.demo.region import DemoNode
from relay.wire import hubtime
from relay.wire import model as m
from relay.wire.issuer import Issuer

#: Fast, but not so fast that the village's LONG_FAST channel saturates (a heartbeat every
#: 8 s and reports every 30 s from five points, each relayed twice, left the three-hop
#: points hearing the hub once in minutes).
FAST_INTERVALS = {
    "heartbeat_s": 15,
    "heartbeat_after_bulletin_s": 5,
    "status_s": 60,
    "status_settle_s": 5,
    "repair_delay_max_s": 5,
}


def start_emulator(log: Path) -> tuple[subprocess.Popen[str], dict[str, int]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "relay", "radio", "emulate", "--scenario", "village", "--shipped"],
        stdout=subprocess.PIPE, stderr=log.open("w"), text=True,
    )  # fmt: skip
    ports: dict[str, int] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "ready":
            return proc, ports
        match = re.match(r"^(\S+)\s+!\w+\s+127\.0\.0\.1:(\d+)", line)
        if match:
            ports[match.group(1)] = int(match.group(2))
    raise RuntimeError(f"the emulator stopped before it was ready (see {log})")


def faster(node: DemoNode) -> None:
    text = node.config.read_text()
    for key, value in FAST_INTERVALS.items():
        text = re.sub(rf"^{key} = .*$", f"{key} = {value}", text, flags=re.M)
    node.config.write_text(text)


class Daemon:
    """One node's ``relay run`` process, started and killed again and again."""

    def __init__(self, node: DemoNode) -> None:
        self.node = node
        self.proc: subprocess.Popen[bytes] | None = None
        self.token = ""

    def start(self) -> None:
        log = (self.node.directory / "daemon.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "relay", "run", "--config", str(self.node.config)],
            stdout=log, stderr=log,
        )  # fmt: skip
        log.close()

    def get(self, path: str, timeout: float = 3.0) -> object:
        if not self.token:
            self.token = (self.node.directory / "control.token").read_text().strip()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.node.screen_port}{path}",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return json.loads(r.read())

    def connected(self) -> bool:
        try:
            state = self.get("/api/state", 1.0)
        except (OSError, ValueError):
            return False
        return isinstance(state, dict) and state.get("link") == "connected"

    def wait_connected(self, limit: float = 90.0) -> bool:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.connected():
                return True
            time.sleep(0.1)
        return False

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def rss_mb(self) -> float:
        """The process's resident memory (VmRSS), nan once it is gone."""
        assert self.proc is not None
        try:
            lines = Path(f"/proc/{self.proc.pid}/status").read_text().splitlines()
        except OSError:
            return float("nan")
        kb = next((int(x.split()[1]) for x in lines if x.startswith("VmRSS:")), 0)
        return kb / 1024 if kb else float("nan")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def queued_frames(self) -> int:
        """Frames the daemon has waiting for its radio (0 once gone)."""
        try:
            state = self.get("/api/state", 1.0)
        except (OSError, ValueError):
            return 0
        return int(state.get("queued_frames", 0)) if isinstance(state, dict) else 0

    def store_mark(self) -> tuple[int, int]:
        """Size and change time of the store's write-ahead log: they move on every commit."""
        try:
            st = (self.node.directory / "relay.db-wal").stat()
        except OSError:
            return (0, 0)
        return (st.st_size, st.st_mtime_ns)

    def held(self) -> set[int]:
        rows = self.get("/api/bulletins")
        assert isinstance(rows, list)
        return {int(b["seq"]) for b in rows}


class Sender:
    """Posts a signed bulletin to the hub every ``every`` seconds; keeps what it acked."""

    def __init__(self, hub: Daemon, every: float) -> None:
        keys = hub.node.directory / "keys"
        self.hub, self.every = hub, every
        self.acknowledged: list[int] = []
        self.refused = 0
        #: Set each time the hub acknowledged a bulletin (the "receive" cuts wait for it).
        self.sent = threading.Condition()
        self.issuer = Issuer.from_files(
            keys / f"{hub.node.name}.key",
            keys / f"{hub.node.name}.cert",
            lambda: hubtime.from_unix(time.time()),
        )
        self.stop = threading.Event()

    def loop(self) -> None:
        i = 0
        while not self.stop.wait(self.every):
            i += 1
            body = f"Bericht {i}: drinkwater bij sporthal De Vliert, Pythagoraslaan 2"
            bulletin = m.Bulletin(texts=(m.LocalizedText("nl", "", body),), expires_in_min=240)
            raw = self.issuer.issue(bulletin).raw
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.hub.node.screen_port}/api/send", data=raw,
                headers={"Authorization": f"Bearer {self.hub.token}"}, method="POST",
            )  # fmt: skip
            try:
                with urllib.request.urlopen(request, timeout=5) as r:
                    self.acknowledged.append(int(json.loads(r.read())["seq"]))
                with self.sent:
                    self.sent.notify_all()
            except (OSError, ValueError, KeyError):
                self.refused += 1  # the hub is down: not acknowledged


def exit_on_sigterm() -> None:
    """SIGTERM ends the bench through its ``finally`` blocks, which stop the daemons and
    the emulator it started (the default action would leave them running)."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
