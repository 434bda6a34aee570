"""Issue 14 item 1/7: operator values are checked against their wire ranges at the edge,
and a daemon never dies on a value it finds in its own store."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from relay.cli.main import cli
from relay.daemon import ops
from relay.store.store import Store
from relay.wire import model as m
from tests.daemon.conftest import wait_for
from tests.web.conftest import TOKEN, WebCluster
from tests.web.test_http import client

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"visitors": 5_000_000_000}, "visitors"),
        ({"visitors": -5}, "visitors"),
        ({"visitors": 10**20}, "visitors"),
        ({"visitors": "veel"}, "visitors"),
        ({"visitors": 3.5}, "visitors"),
        ({"battery_pct": 101}, "battery_pct"),
        ({"text": "x" * 121}, "text"),
        ({"open": "half"}, ""),
    ],
)
async def test_api_refuses_what_the_wire_cannot_carry(
    web_cluster: WebCluster, change: dict[str, object], field: str
) -> None:
    base = await web_cluster.start_served("np-001", "point", 1)
    node = web_cluster.nodes["np-001"]
    async with client() as http:
        r = await http.post(base + "/api/status", json=change, headers=AUTH)
        body = await r.json()
    assert r.status == 400, body
    assert field in body["error"] and "\n" not in body["error"]
    assert node.engine.status.visitors is None  # type: ignore[union-attr]
    assert node.store.own_status(1) is None  # nothing stored


async def test_api_accepts_the_edges_of_the_ranges(web_cluster: WebCluster) -> None:
    base = await web_cluster.start_served("np-001", "point", 1)
    async with client() as http:
        change = {"visitors": 2**32 - 1, "battery_pct": 0, "text": "y" * 120}
        r = await http.post(base + "/api/status", json=change, headers=AUTH)
        assert r.status == 200, await r.text()
        assert (await r.json())["visitors"] == 2**32 - 1


async def test_invalid_json_to_displayed_is_a_400(web_cluster: WebCluster) -> None:
    base = await web_cluster.start_served("np-001", "point", 1)
    async with client() as http:
        for body in (b"{not json", b"[1, 2]", b'"text"'):
            r = await http.post(base + "/api/displayed", data=body, headers=AUTH)
            assert r.status == 400, (body, await r.text())
            assert (await r.json())["reason"] == "bad_request"


async def test_point_survives_an_out_of_range_status_in_its_own_store(
    web_cluster: WebCluster, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An older version stored whatever the API accepted; the engine's encoding then
    raised on every tick, and on every restart."""
    db = tmp_path / "np-001.db"
    store = Store(db)
    bad = m.StatusReport(point_id=1, open=m.OpenState.OPEN, visitors=5_000_000_000)
    store.set_own_status(bad, 0.0)
    store.close()
    hub = await web_cluster.start("hub-utrecht", "hub")
    with caplog.at_level(logging.ERROR, logger="relay.daemon.build"):
        point = await web_cluster.start("np-001", "point", 1)
    assert any(str(db) in r.getMessage() and "visitors" in r.getMessage() for r in caplog.records)
    # The point keeps reporting: the hub hears its status (open, visitors unknown).
    await wait_for(lambda: any(r["open"] == "open" for r in ops.points(hub)), timeout=15)
    assert ops.points(hub)[0]["visitors"] is None
    assert not web_cluster._tasks["np-001"].done()
    assert point.engine.status.visitors is None  # type: ignore[union-attr]


def test_cli_refuses_out_of_range_status_before_asking_the_daemon(tmp_path: Path) -> None:
    config = tmp_path / "absent.toml"  # never read: the values are refused first
    runner = CliRunner()
    for args, word in (
        (["--visitors", "5000000000"], "visitors"),
        (["--visitors", "-5"], "visitors"),
        (["--battery", "101"], "battery"),
        (["--text", "z" * 121], "120"),
    ):
        result = runner.invoke(cli, ["status", "set", "--config", str(config), *args])
        assert result.exit_code == 2, (args, result.output)
        assert word in result.output and "Traceback" not in result.output
