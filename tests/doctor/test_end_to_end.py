"""The technician guide's path, whole: emulated radios, provisioning, apply, daemons, doctor.

``relay radio emulate`` runs the village; a hub and a point are provisioned below
``--root`` prefixes, their radios configured with ``relay radio apply``, and the two
daemons started with ``relay run`` (their configs' paths moved below the prefixes, as
systemd cannot run here). ``relay doctor`` must then pass, the point having heard the
hub through daemon -> meshtastic library -> emulated radio -> simulated air and back.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.provision.conftest import Region
from tests.provision.conftest import Relay as RelayRun

pytestmark = pytest.mark.slow


def _free_ports(n: int) -> int:
    """The first of ``n`` consecutive free ports (good enough on a test machine)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = int(s.getsockname()[1])
        if base + n < 65535 and all(_free(base + i) for i in range(n)):
            return base
    raise RuntimeError("no free ports")


def _os_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture
def village(tmp_path: Path) -> Iterator[int]:
    """``relay radio emulate --scenario village``; yields the hub radio's TCP port."""
    base = _free_ports(8)
    log = (tmp_path / "emulate.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "relay", "radio", "emulate", "--scenario", "village",
         "--base-port", str(base)],
        stdout=subprocess.PIPE, stderr=log, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "ready":
                break
        else:
            raise AssertionError("the emulator did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _daemon(root: Path, tmp_path: Path, name: str) -> subprocess.Popen[bytes]:
    config = (root / "etc/noodrelay/relay.toml").read_text().replace('= "/', f'= "{root}/')
    path = tmp_path / f"{name}.toml"
    path.write_text(config)
    log = (tmp_path / f"{name}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "relay", "run", "--config", str(path)], stdout=log, stderr=log
    )


def test_guide_end_to_end(region: Region, relay: RelayRun, village: int, tmp_path: Path) -> None:
    hub_radio, point_radio = f"tcp://127.0.0.1:{village}", f"tcp://127.0.0.1:{village + 3}"
    hub_args = region.hub_args("--new-channel", "noodnet", "--radio", hub_radio)
    hub_screen, point_screen = _os_port(), _os_port()  # never fixed ports (issue 14 item 9)
    hub_args += ["--listen", f"127.0.0.1:{hub_screen}"]
    point_args = region.point_args("--radio", point_radio, "--listen", f"127.0.0.1:{point_screen}")
    for args in (hub_args, point_args):
        assert relay(*args).returncode == 0
        assert relay(*region.certify_args()).returncode == 0
        assert relay(*args).returncode == 0
    for root, url in ((region.base / "hub", hub_radio), (region.base / "point", point_radio)):
        applied = relay("radio", "apply", str(root / "etc/noodrelay/radio.yaml"), "--radio", url)
        assert applied.returncode == 0, applied.stdout + applied.stderr

    # Before the daemon runs: everything on disk and on the radio passes, the daemon fails.
    before = relay("doctor", "--root", str(region.base / "point"))
    assert before.returncode == 1
    assert "FAIL  daemon" in before.stdout and before.stdout.count("FAIL") == 1
    assert "PASS  radio settings  all" in before.stdout

    daemons = [_daemon(region.base / n, tmp_path, n) for n in ("hub", "point")]
    try:
        deadline = time.monotonic() + 60
        while True:
            proc = relay(
                "doctor", "--config", str(tmp_path / "point.toml"),
                "--profile", str(region.base / "point/etc/noodrelay/radio.yaml"),
            )  # fmt: skip
            if proc.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(1)
    finally:
        for d in daemons:
            d.terminate()
        for d in daemons:
            d.wait(timeout=30)
    assert proc.returncode == 0, proc.stdout + (tmp_path / "point.log").read_text()
    assert "PASS  hub contact     hub heard" in proc.stdout
    assert "PASS  daemon          running as point np-017" in proc.stdout
    assert "----  radio region    the daemon holds the radio" in proc.stdout
    assert all(d.returncode == 0 for d in daemons)  # SIGTERM stops cleanly
