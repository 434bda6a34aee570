"""The national path with real daemons and the CLI, as an operator types it: a national
bulletin made with ``relay compose --key NCC.key`` and published with ``relay send`` to
the national node, and one composed through ``POST /api/national/compose``; the region's
hub daemon receives both over the broker and keeps them for its radio (issue 13)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from relay.demo.inprocess import make_keys, make_national_keys
from tests.federation.broker import Broker
from tests.federation.test_kill9_federation import (
    _get,
    _hub_fed,
    _hub_toml,
    _national_toml,
    _start,
    _until,
    processes,
)
from tests.helpers import free_port

__all__ = ["processes"]
pytestmark = pytest.mark.slow
#: The hub compose's form (relay/web/compose.py), as the national dashboard will send it.
FORM = {
    "texts": [{"lang": "nl", "body": "Landelijk: drinkwater koken"}],
    "urgency": "expected",
    "severity": "moderate",
    "certainty": "likely",
}


def _relay(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "relay", *args], cwd=cwd, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _national_bulletins_at_hub(port: int, ncc_key_id: str) -> list[int]:
    rows = _get(port, "/api/bulletins")
    assert isinstance(rows, list)
    return sorted(b["seq"] for b in rows if b["key_id"] == ncc_key_id)


def test_relay_send_and_compose_on_the_national_node(
    tmp_path: Path, broker: Broker, processes: dict[str, subprocess.Popen[bytes]]
) -> None:
    make_keys(tmp_path / "keys", "hub-utrecht", [])
    make_national_keys(tmp_path / "nat")
    for name in ("national-root.pub", "NCC.cert"):
        shutil.copy(tmp_path / "nat" / name, tmp_path / "keys")
    hub_port, nat_port = free_port(), free_port()
    national_toml = _national_toml(tmp_path, broker, nat_port)
    processes["national"] = _start(national_toml)
    processes["hub"] = _start(_hub_toml(tmp_path, broker, hub_port))
    _until(lambda: _hub_fed(hub_port)["link"] == "connected", 60, "hub connected")
    _until(lambda: _get(nat_port, "/api/state")["link"] == "connected", 60, "national")  # type: ignore[index]
    ncc = str(_get(nat_port, "/api/state")["key_id"])  # type: ignore[index]

    _relay(tmp_path, "compose", "--key", "nat/NCC.key", "--cert", "nat/NCC.cert",
           "--text", "Landelijk: blijf binnen", "-o", "n.bin")  # fmt: skip
    out = _relay(tmp_path, "send", "n.bin", "--config", str(national_toml))
    assert "published national bulletin" in out

    token = (tmp_path / "national.token").read_text().strip()
    request = urllib.request.Request(
        f"http://127.0.0.1:{nat_port}/api/national/compose",
        data=json.dumps(FORM).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            composed = json.loads(r.read())
    except urllib.error.HTTPError as err:
        raise AssertionError(err.read().decode()) from err
    assert composed["key_id"] == ncc
    _until(lambda: len(_national_bulletins_at_hub(hub_port, ncc)) == 2, 60, "both at the hub")
