"""kill -9 of real daemon processes: no accepted bulletin lost, none shown twice.

The whole field path: `relay radio emulate` (village), a hub and a point daemon as
separate processes over the real meshtastic library. The point is killed with SIGKILL
while bulletins flow and restarted; the hub is killed right after queueing a bulletin
and restarted. Every bulletin must end up at the point exactly once.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from relay.demo.ports import screen_ports
from relay.demo.region import DemoNode, build_region
from relay.sim.scenario import load_scenario
from relay.store.store import Store
from relay.wire import hubtime
from relay.wire import model as m
from relay.wire.issuer import Issuer

pytestmark = pytest.mark.slow

VILLAGE = load_scenario("village")
FAST_INTERVALS = {
    "heartbeat_s": 8,
    "heartbeat_after_bulletin_s": 3,
    "status_s": 30,
    "status_settle_s": 3,
    "repair_delay_max_s": 3,
}


@pytest.fixture
def village(tmp_path: Path) -> Iterator[dict[str, int]]:
    log = (tmp_path / "emulate.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "relay", "radio", "emulate", "--scenario", "village"],
        stdout=subprocess.PIPE, stderr=log, text=True,
    )  # fmt: skip
    ports: dict[str, int] = {}
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "ready":
                break
            match = re.match(r"^(\S+)\s+!\w+\s+127\.0\.0\.1:(\d+)", line)
            if match:
                ports[match.group(1)] = int(match.group(2))
        yield ports
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _faster(node: DemoNode) -> None:
    text = node.config.read_text()
    for key, value in FAST_INTERVALS.items():
        text = re.sub(rf"^{key} = .*$", f"{key} = {value}", text, flags=re.M)
    node.config.write_text(text)


def _start(node: DemoNode) -> subprocess.Popen[bytes]:
    log = (node.directory / "daemon.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "relay", "run", "--config", str(node.config)],
        stdout=log, stderr=log,
    )  # fmt: skip


def _get(node: DemoNode, path: str) -> object:
    with urllib.request.urlopen(f"http://127.0.0.1:{node.screen_port}{path}", timeout=5) as r:
        return json.loads(r.read())


def _until(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():  # type: ignore[operator]
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def _connected(node: DemoNode) -> bool:
    state = _get(node, "/api/state")
    return isinstance(state, dict) and state.get("link") == "connected"


def _send(hub: DemoNode, body: str) -> int:
    keys = hub.directory / "keys"
    issuer = Issuer.from_files(
        keys / f"{hub.name}.key", keys / f"{hub.name}.cert", lambda: hubtime.from_unix(time.time())
    )
    msg = issuer.issue(m.Bulletin(texts=(m.LocalizedText("nl", "", body),), expires_in_min=120))
    token = (hub.directory / "control.token").read_text().strip()
    request = urllib.request.Request(
        f"http://127.0.0.1:{hub.screen_port}/api/send",
        data=msg.raw,
        headers={"Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        return int(json.loads(r.read())["seq"])


def _held(point: DemoNode) -> list[int]:
    bulletins = _get(point, "/api/bulletins")
    assert isinstance(bulletins, list)
    return sorted(b["seq"] for b in bulletins)


def test_kill_minus_nine_on_hub_and_point(tmp_path: Path, village: dict[str, int]) -> None:
    nodes = build_region(tmp_path / "region", VILLAGE, village, screen_ports(VILLAGE, 0))
    hub = next(n for n in nodes if n.name == "hub")
    point = next(n for n in nodes if n.name == "p-centrum")
    for n in (hub, point):
        _faster(n)
    procs = {hub.name: _start(hub), point.name: _start(point)}
    try:
        _until(lambda: _connected(hub) and _connected(point), 60, "both daemons connected")
        sent = [_send(hub, f"Bericht {i}: drinkwater bij sporthal De Vliert") for i in range(3)]
        _until(lambda: _held(point) == sent, 120, "the first bulletins at the point")

        os.kill(procs[point.name].pid, signal.SIGKILL)
        procs[point.name].wait()
        sent += [_send(hub, f"Bericht {i}: terwijl het noodsteunpunt uit is") for i in (3, 4)]
        procs[point.name] = _start(point)
        _until(lambda: _held(point) == sent, 180, "the missed bulletins repaired after restart")

        sent.append(_send(hub, "Bericht 5: vlak voor de stroom van de hub uitvalt"))
        os.kill(procs[hub.name].pid, signal.SIGKILL)  # queued, perhaps not yet broadcast
        procs[hub.name].wait()
        procs[hub.name] = _start(hub)
        _until(lambda: _held(point) == sent, 180, "the hub's queued bulletin after its restart")
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=20)
    store = Store(point.directory / "relay.db")
    seqs = [b.message.envelope.seq for b in store.bulletins()]
    store.close()
    assert seqs == sorted(set(seqs)) == sent  # each exactly once, none lost


def _relay(node: DemoNode, *args: str) -> str:
    """The `relay` CLI against a daemon, as a technician or operator types it."""
    done = subprocess.run(
        [sys.executable, "-m", "relay", *args, "--config", str(node.config)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _help(node: DemoNode) -> list[dict[str, object]]:
    rows = json.loads(_relay(node, "help", "list", "--json"))
    assert isinstance(rows, list)
    return rows


def _kill(procs: dict[str, subprocess.Popen[bytes]], node: DemoNode) -> None:
    os.kill(procs[node.name].pid, signal.SIGKILL)
    procs[node.name].wait()


def test_help_request_survives_kill_minus_nine(tmp_path: Path, village: dict[str, int]) -> None:
    """A request queued while the hub is down, the point killed right after: sent after
    the restart, at the hub exactly once; an operator's reply queued just before the hub is
    killed reaches the point after the hub's restart. All through the `relay help` CLI."""
    nodes = build_region(tmp_path / "region", VILLAGE, village, screen_ports(VILLAGE, 0))
    hub = next(n for n in nodes if n.name == "hub")
    point = next(n for n in nodes if n.name == "p-centrum")
    for n in (hub, point):
        _faster(n)
    procs = {point.name: _start(point)}
    try:
        _until(lambda: _connected(point), 60, "the point connected")
        out = _relay(
            point, "help", "send", "--type", "medical", "--urgency", "life_threatening",
            "--people", "2", "--location", "Kerkplein 3", "--text", "Val van trap, bewusteloos",
            "--handler", "Anna",
        )  # fmt: skip
        rid = out.split()[2]
        _kill(procs, point)
        procs[hub.name], procs[point.name] = _start(hub), _start(point)
        _until(lambda: _connected(hub) and _connected(point), 60, "both daemons back")
        _until(lambda: [r["state"] for r in _help(point)] == ["received"], 180, "received")
        [at_hub] = _help(hub)
        assert at_hub["id"] == rid and at_hub["location"] == "Kerkplein 3"

        _relay(hub, "help", "reply", rid, "Ambulance onderweg", "--operator", "Petra")
        _kill(procs, hub)
        procs[hub.name] = _start(hub)
        _until(lambda: _connected(hub), 60, "the hub back")
        _until(lambda: _help(point)[0]["state"] == "answered", 240, "the reply at the point")
        assert _help(point)[0]["reply"] == "Ambulance onderweg"
        _until(lambda: _help(hub)[0]["delivered"], 120, "the point's ack at the hub")
        csv_text = _relay(hub, "help", "export", "--format", "csv")
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=20)
    assert csv_text.count(rid) == 1 and "Kerkplein 3" in csv_text
    for node in (hub, point):
        store = Store(node.directory / "relay.db")
        assert len(store.help.all()) == 1  # exactly once on both sides
        store.close()
