"""``relay import``: a bulletin carried by hand to a point without radio contact, through
the running daemon or into the stopped daemon's store, verified like a radio frame; the
kiosk then shows it, verified. Refusals are one line."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from relay.daemon import ops
from relay.demo.inprocess import InProcessRegion
from relay.demo.inprocess import make_keys as make_region_keys
from relay.waits import within
from tests.daemon.conftest import make_keys
from tests.helpers import point_toml

HUB = ["--key", "keys/hub-utrecht.key", "--cert", "keys/hub-utrecht.cert"]


async def relay(cwd: Path, *args: str) -> tuple[int, str, str]:
    """The real command in a subprocess, without blocking the daemon in this loop."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "relay", *args, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await within(proc.communicate(), timeout_s=60)
    assert b"Traceback" not in err, err.decode()
    return proc.returncode or 0, out.decode(), err.decode()


@pytest.fixture
async def region(tmp_path: Path) -> AsyncIterator[InProcessRegion]:
    make_keys(tmp_path / "keys", 2)
    # A second region: its hub's bulletins are signed by a key this region does not know.
    make_region_keys(tmp_path / "other", "hub-elders", [])
    for args in (
        [*HUB, "--text", "Drinkwater bij sporthal De Vliert", "-o", "b.bin"],
        [*HUB, "--text", "Stroom terug om 18:00", "--base64", "-o", "b64.txt"],
        ["--key", "other/hub-elders.key", "--cert", "other/hub-elders.cert",
         "--text", "Niet van ons", "-o", "foreign.bin"],
    ):  # fmt: skip
        code, _, err = await relay(tmp_path, "compose", *args)
        assert code == 0, err
    data = bytearray((tmp_path / "b.bin").read_bytes())
    data[-1] ^= 1
    (tmp_path / "forged.bin").write_bytes(bytes(data))
    c = InProcessRegion(tmp_path)
    yield c
    await c.close()


async def kiosk(url: str) -> list[dict[str, object]]:
    async with aiohttp.ClientSession() as http, http.get(url + "/web/kiosk.json") as r:
        return list((await r.json())["bulletins"])


async def test_import_through_the_running_daemon(region: InProcessRegion, tmp_path: Path) -> None:
    # The point runs, but no hub is on the air: the bulletin comes by hand.
    await region.start("np-001", "point", 1)
    url = await region.serve("np-001")
    point_toml(tmp_path, region.ports["np-001"])
    code, out, err = await relay(tmp_path, "import", "b.bin", "b64.txt", "--config", "point.toml")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2 and all("verified bulletin" in ln for ln in lines)
    assert "from hub-utrecht, on the kiosk now" in lines[0]
    shown = await kiosk(url)
    assert sorted(str(b["body"]) for b in shown) == [
        "Drinkwater bij sporthal De Vliert",
        "Stroom terug om 18:00",
    ]
    # Verified, by the region's hub; "possibly outdated", since the hub was never heard.
    assert {(b["trust"]["authority"], b["trust"]["state"]) for b in shown} == {  # type: ignore[index]
        ("hub-utrecht", "stale")
    }
    for name, reason in (
        ("b.bin", "already held"),
        ("forged.bin", "signature"),
        ("foreign.bin", "unknown"),
    ):
        code, out, err = await relay(tmp_path, "import", name, "--config", "point.toml")
        assert code != 0 and out == ""
        assert len(err.splitlines()) == 1 and err.startswith(f"{name}: refused: "), err
        assert reason in err.lower(), err
    assert len(await kiosk(url)) == 2


async def test_import_into_the_store_with_the_daemon_stopped(
    region: InProcessRegion, tmp_path: Path
) -> None:
    await region.start("np-001", "point", 1)
    await region.stop("np-001")  # a store with the point's history, no daemon
    config = point_toml(tmp_path, 1)  # nobody listens on port 1
    code, _, err = await relay(tmp_path, "qr", "b.bin", "-o", "b.png")
    assert code == 0, err
    code, out, err = await relay(tmp_path, "import", "--qr", "b.png", "--config", str(config))
    assert code == 0, err
    assert "no daemon answers" in err
    assert "verified bulletin #1 from hub-utrecht, stored" in out
    code, out, err = await relay(tmp_path, "import", "b.bin", "--config", "point.toml")
    assert code == 4 and err.splitlines()[-1].startswith("b.bin: refused: ") and "already" in err
    code, out, err = await relay(tmp_path, "import", "foreign.bin", "--config", "point.toml")
    assert code == 4 and "unknown" in err.splitlines()[-1].lower()
    # The daemon starts and shows it, verified.
    point = await region.start("np-001", "point", 1)
    url = await region.serve("np-001")
    assert [b["seq"] for b in ops.inbox(point)] == [1]
    (shown,) = await kiosk(url)
    assert shown["trust"]["state"] == "stale"  # type: ignore[index]
    assert shown["trust"]["authority"] == "hub-utrecht"  # type: ignore[index]


async def test_import_on_the_hub_is_refused(region: InProcessRegion, tmp_path: Path) -> None:
    text = point_toml(tmp_path, 1).read_text().replace('role = "point"', 'role = "hub"')
    (tmp_path / "hub.toml").write_text(text.replace("np-001", "hub-utrecht"))
    code, _, err = await relay(tmp_path, "import", "b.bin", "--config", "hub.toml")
    assert code == 2 and err.splitlines() == [
        "Error: this is the hub; relay import loads a bulletin into a support point"
    ]
