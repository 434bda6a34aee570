"""Three region hubs and one national node, each a real ``relay run`` process on one
mosquitto (issue 13): every region's bulletin reaches the national view under its own
region, and one national bulletin reaches all three hubs."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from relay.demo.inprocess import make_keys, make_national_keys
from relay.wire import hubtime
from relay.wire.issuer import Issuer
from relay.wire.model import Bulletin, LocalizedText
from tests.federation.broker import Broker
from tests.federation.test_kill9_federation import _get, _start, _until, processes
from tests.helpers import free_port

__all__ = ["processes"]
pytestmark = pytest.mark.slow
REGIONS = ("utrecht", "gelderland", "flevoland")


def _hub(base: Path, region: str, broker: Broker) -> tuple[Path, int]:
    keys = base / region
    make_keys(keys, f"hub-{region}", [])
    for name in ("national-root.pub", "NCC.cert"):
        shutil.copy(base / "nat" / name, keys)
    port = free_port()
    path = base / f"{region}.toml"
    path.write_text(
        f'role = "hub"\nname = "hub-{region}"\n\n[radio]\nurl = "loop://air/hub"\n\n'
        f'[keys]\nkey = "{region}/hub-{region}.key"\ncert = "{region}/hub-{region}.cert"\n'
        f'keyring = "{region}"\n\n[store]\npath = "{region}.db"\n\n'
        f'[screen]\nlisten = "127.0.0.1:{port}"\ntoken_file = "{region}.token"\n\n'
        f'[federation]\nbroker = "{broker.url}"\nregion = "{region}"\n'
        'topic_prefix = "noodrelay/test"\nsummary_every_s = 1\n',
        encoding="utf-8",
    )
    return path, port


def _national(base: Path, broker: Broker) -> tuple[Path, int]:
    ring = base / "ring"
    ring.mkdir()
    shutil.copy(base / "nat" / "national-root.pub", ring)
    lines = []
    for region in REGIONS:
        shutil.copy(base / region / "root.pub", ring / f"{region}-root.pub")
        lines.append(f'{region} = "ring/{region}-root.pub"')
    port = free_port()
    path = base / "national.toml"
    path.write_text(
        'role = "national"\nname = "ncc"\n\n'
        '[keys]\nkey = "nat/NCC.key"\ncert = "nat/NCC.cert"\nkeyring = "ring"\n\n'
        '[store]\npath = "national.db"\n\n'
        f'[screen]\nlisten = "127.0.0.1:{port}"\ntoken_file = "national.token"\n\n'
        f'[federation]\nbroker = "{broker.url}"\ntopic_prefix = "noodrelay/test"\n\n'
        "[federation.regions]\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    return path, port


def _any(port: int, path: str) -> Any:
    return _get(port, path)


def _hub_connected(port: int) -> bool:
    return bool(_any(port, "/api/state")["federation"]["link"] == "connected")


def _holds(port: int, key_id: str) -> bool:
    return any(b["key_id"] == key_id for b in _any(port, "/api/bulletins"))


def _region_bulletins(port: int) -> dict[str, int]:
    view = _get(port, "/api/national")
    assert isinstance(view, dict)
    return {r["region"]: len(r["bulletins"]) for r in view["regions"]}


def test_three_regions_and_the_national_node(
    tmp_path: Path, broker: Broker, processes: dict[str, subprocess.Popen[bytes]]
) -> None:
    make_national_keys(tmp_path / "nat")
    hubs = {region: _hub(tmp_path, region, broker) for region in REGIONS}
    national_toml, nat_port = _national(tmp_path, broker)
    processes["national"] = _start(national_toml)
    for region, (toml, _) in hubs.items():
        processes[region] = _start(toml)
    for region, (_, port) in hubs.items():
        _until(functools.partial(_hub_connected, port), 60, f"{region} connected")
    _until(lambda: _any(nat_port, "/api/state")["link"] == "connected", 60, "national")

    for region in REGIONS:
        keys = tmp_path / region
        issuer = Issuer.from_files(
            keys / f"hub-{region}.key",
            keys / f"hub-{region}.cert",
            lambda: hubtime.from_unix(time.time()),
        )
        msg = issuer.issue(Bulletin(texts=(LocalizedText("nl", "", f"Bericht uit {region}"),)))
        (tmp_path / f"{region}.bin").write_bytes(msg.raw)
        done = subprocess.run(
            [sys.executable, "-m", "relay", "send", f"{region}.bin", "--config", f"{region}.toml"],
            cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    expected = dict.fromkeys(REGIONS, 1)
    _until(lambda: _region_bulletins(nat_port) == expected, 60, "one bulletin per region")

    done = subprocess.run(
        [sys.executable, "-m", "relay", "compose", "--key", "nat/NCC.key", "--cert", "nat/NCC.cert",
         "--text", "Landelijk: blijf binnen", "-o", "n.bin"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "relay", "send", "n.bin", "--config", "national.toml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    ncc = _any(nat_port, "/api/state")["key_id"]
    for region, (_, port) in hubs.items():
        _until(functools.partial(_holds, port, ncc), 60, f"the national bulletin at {region}")

    def relayed_everywhere() -> bool:
        national = _any(nat_port, "/api/national")["national_bulletins"]
        return sorted(national[0]["regions_relayed"]) == sorted(REGIONS)

    _until(relayed_everywhere, 60, "every hub says it broadcast the national bulletin")
