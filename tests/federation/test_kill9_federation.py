"""kill -9 of a real hub daemon while it publishes (issue 13): the hub and the national
node are separate ``relay run`` processes on a real mosquitto. The broker is frozen
(SIGSTOP) so the hub's publications wait for their PUBACK, the hub is killed with
SIGKILL, the broker thaws, the hub restarts: every bulletin the hub stored reaches the
national node, each exactly once, and the hub's outbox ends empty."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from relay.demo.inprocess import make_keys, make_national_keys
from relay.wire import hubtime
from relay.wire import model as m
from relay.wire.issuer import Issuer
from tests.federation.broker import Broker
from tests.helpers import free_port

pytestmark = pytest.mark.slow


def _hub_toml(base: Path, broker: Broker, port: int) -> Path:
    path = base / "hub.toml"
    path.write_text(
        'role = "hub"\nname = "hub-utrecht"\n\n'
        '[radio]\nurl = "loop://air/hub"\n\n'
        '[keys]\nkey = "keys/hub-utrecht.key"\ncert = "keys/hub-utrecht.cert"\nkeyring = "keys"\n\n'
        '[store]\npath = "hub.db"\n\n'
        f'[screen]\nlisten = "127.0.0.1:{port}"\ntoken_file = "hub.token"\n\n'
        f'[federation]\nbroker = "{broker.url}"\nregion = "utrecht"\n'
        'topic_prefix = "noodrelay/test"\nsummary_every_s = 1\n',
        encoding="utf-8",
    )
    return path


def _national_toml(base: Path, broker: Broker, port: int) -> Path:
    ring = base / "national-ring"
    ring.mkdir()
    shutil.copy(base / "nat" / "national-root.pub", ring)
    shutil.copy(base / "keys" / "root.pub", ring / "utrecht-root.pub")
    path = base / "national.toml"
    path.write_text(
        'role = "national"\nname = "ncc"\n\n'
        '[keys]\nkey = "nat/NCC.key"\ncert = "nat/NCC.cert"\nkeyring = "national-ring"\n\n'
        '[store]\npath = "national.db"\n\n'
        f'[screen]\nlisten = "127.0.0.1:{port}"\ntoken_file = "national.token"\n\n'
        f'[federation]\nbroker = "{broker.url}"\ntopic_prefix = "noodrelay/test"\n\n'
        '[federation.regions]\nutrecht = "national-ring/utrecht-root.pub"\n',
        encoding="utf-8",
    )
    return path


def _start(config: Path) -> subprocess.Popen[bytes]:
    log = config.with_suffix(".log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "relay", "run", "--config", str(config)],
        stdout=log, stderr=log, cwd=config.parent,
    )  # fmt: skip


def _get(port: int, path: str) -> object:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
        return json.loads(r.read())


def _until(predicate: Callable[[], object], timeout: float, what: str) -> None:
    """A liveness bound (fails only if it never happens), not a timing assertion."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def _send(base: Path, port: int, body: str) -> int:
    keys = base / "keys"
    issuer = Issuer.from_files(
        keys / "hub-utrecht.key", keys / "hub-utrecht.cert", lambda: hubtime.from_unix(time.time())
    )
    msg = issuer.issue(m.Bulletin(texts=(m.LocalizedText("nl", "", body),), expires_in_min=600))
    token = (base / "hub.token").read_text().strip()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/send",
        data=msg.raw,
        headers={"Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        return int(json.loads(r.read())["seq"])


def _national_seqs(port: int) -> list[int]:
    view = _get(port, "/api/national")
    assert isinstance(view, dict)
    region = next(r for r in view["regions"] if r["region"] == "utrecht")
    return sorted(b["seq"] for b in region["bulletins"])


def _hub_seqs(port: int) -> list[int]:
    rows = _get(port, "/api/bulletins")
    assert isinstance(rows, list)
    return sorted(b["seq"] for b in rows)


def _hub_fed(port: int) -> dict[str, object]:
    state = _get(port, "/api/state")
    assert isinstance(state, dict)
    return dict(state["federation"])


@pytest.fixture
def processes() -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    procs: dict[str, subprocess.Popen[bytes]] = {}
    yield procs
    for proc in procs.values():
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)


def test_hub_killed_while_publishing_loses_nothing_and_duplicates_nothing(
    tmp_path: Path, broker: Broker, processes: dict[str, subprocess.Popen[bytes]]
) -> None:
    make_keys(tmp_path / "keys", "hub-utrecht", [])
    make_national_keys(tmp_path / "nat")
    for name in ("national-root.pub", "NCC.cert"):  # the region pins the national root
        shutil.copy(tmp_path / "nat" / name, tmp_path / "keys")
    hub_port, nat_port = free_port(), free_port()
    hub_toml = _hub_toml(tmp_path, broker, hub_port)
    processes["national"] = _start(_national_toml(tmp_path, broker, nat_port))
    processes["hub"] = _start(hub_toml)
    _until(lambda: _hub_fed(hub_port)["link"] == "connected", 60, "hub connected to the broker")
    _until(lambda: _get(nat_port, "/api/state")["link"] == "connected", 60, "national connected")  # type: ignore[index]

    sent = [_send(tmp_path, hub_port, f"Bericht {i}") for i in range(3)]
    _until(lambda: _national_seqs(nat_port) == sent, 60, "the first bulletins nationally")

    assert broker.proc is not None
    broker.proc.send_signal(signal.SIGSTOP)  # no PUBACK comes: publications stay in flight
    try:
        sent += [_send(tmp_path, hub_port, f"Bericht {i}, broker bevroren") for i in range(3, 8)]
        _until(lambda: _hub_fed(hub_port)["outbox"] == 5, 30, "five waiting in the outbox")
        os.kill(processes["hub"].pid, signal.SIGKILL)
        processes["hub"].wait()
    finally:
        broker.proc.send_signal(signal.SIGCONT)

    processes["hub"] = _start(hub_toml)
    _until(lambda: _hub_fed(hub_port)["outbox"] == 0, 90, "the outbox drained after restart")
    _until(lambda: _national_seqs(nat_port) == sent, 90, "every bulletin at the national node")
    assert _hub_seqs(hub_port) == sent  # what the hub stored is what arrived, once each
    nat_state = _get(nat_port, "/api/state")
    assert isinstance(nat_state, dict) and nat_state["refused"] == {}
    assert _hub_fed(hub_port)["refused"] == {}  # the national certificate was taken
