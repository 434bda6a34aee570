"""The national dashboard in Chromium (issue 13): a real national node fed by a region hub
over a real mosquitto; the region on the map and in the table, the drill-down to its
points, the English switch, and a national bulletin composed after login (urgency and
the rest chosen by the operator, never pre-filled) with its reach per region."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from relay.daemon import ops
from relay.daemon.config import DaemonConfig, User
from relay.daemon.national_api import make_national_app
from relay.demo.inprocess import FAST, InProcessRegion
from relay.web.auth import hash_password
from relay.wire.model import Need, OpenState, StatusReport
from tests.federation.broker import Broker
from tests.federation.national_world import National, federate, national_keys, start_national
from tests.helpers import eventually
from tests.web.conftest import browser

__all__ = ["browser"]

PASSWORD = "landelijk geheim"


@pytest.fixture
async def served(
    tmp_path: Path, broker: Broker, cluster: InProcessRegion
) -> AsyncIterator[tuple[str, National]]:
    """``cluster`` first: it writes the region's keys that the national node pins."""
    national_keys(tmp_path)
    nat = start_national(tmp_path, broker, {"utrecht": tmp_path / "keys" / "root.pub"})
    config = DaemonConfig(
        role="national", name="ncc", radio_url="", key=tmp_path / "nat" / "NCC.key",
        cert=tmp_path / "nat" / "NCC.cert", keyring=tmp_path / "national-ring",
        store=tmp_path / "national.db", listen_host="127.0.0.1", listen_port=0,
        token_file=tmp_path / "t", engine=FAST,
        users=(User("ncc-operator", hash_password(PASSWORD)),),
    )  # fmt: skip
    runner = web.AppRunner(make_national_app(config, nat.node, "tok"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", nat
    finally:
        await runner.cleanup()
        await nat.close()


async def _utrecht_reports(cluster: InProcessRegion, broker: Broker, nat: National) -> None:
    federate(cluster, broker, "hub-utrecht", "utrecht")
    await cluster.start("hub-utrecht", "hub")
    point = await cluster.start("np-001", "point", 1)
    ops.set_status(
        point, StatusReport(1, open=OpenState.LIMITED, needs=Need.DRINKING_WATER, text="Zaal vol")
    )

    def limited() -> bool:
        utrecht = nat.node.overview()["regions"][0]
        return bool(utrecht["points"]["limited"] == 1)

    await eventually(limited, 60, "np-001's status at the national node")


async def test_national_dashboard_map_drill_down_and_compose(
    served: tuple[str, National], cluster: InProcessRegion, broker: Broker, browser: Any
) -> None:
    url, nat = served
    await _utrecht_reports(cluster, broker, nat)
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(url + "/")
    await page.wait_for_selector("body[data-loaded=true]")
    assert await page.locator("h1").inner_text() == "Landelijk beeld"  # Dutch by default
    marker = page.locator('#nl-map .marker[data-region="utrecht"]')
    assert "Utrecht 0/1" in (await marker.text_content() or "")  # SVG: no inner_text
    row = page.locator('#regions tr[data-region="utrecht"]')
    assert await row.locator(".n-limited").inner_text() == "1"
    assert "drinkwater (1)" in await row.inner_text()

    if shots := os.environ.get("RELAY_SCREENSHOTS"):
        await page.screenshot(path=f"{shots}/national.png", full_page=True)
    await marker.click()  # drill-down from the map
    await page.wait_for_selector('#points tr[data-point="1"]')
    point_row = await page.locator('#points tr[data-point="1"]').inner_text()
    assert "np-001" in point_row and "Beperkt" in point_row and "Zaal vol" in point_row

    # Compose: login first; the levels start empty and a bulletin without them is refused.
    assert await page.locator("#compose-form").is_hidden()
    await page.fill("#login-user", "ncc-operator")
    await page.fill("#login-password", PASSWORD)
    await page.click("#login-form button[type=submit]")
    await page.wait_for_selector("#compose-form:not([hidden])")
    for level in ("urgency", "severity", "certainty"):
        assert await page.locator(f"#{level}").input_value() == ""
    await page.fill("#headline-nl", "Landelijk: blijf binnen")
    await page.fill("#body-nl", "Ramen en deuren dicht.")
    await page.evaluate("document.getElementById('compose-form').noValidate = true")
    await page.click("#compose-form button[type=submit]")
    await page.wait_for_selector("#compose-result.error")
    assert "urgency" in await page.locator("#compose-result").inner_text()
    assert nat.node.overview()["national_bulletins"] == []
    await page.select_option("#urgency", "immediate")
    await page.select_option("#severity", "severe")
    await page.select_option("#certainty", "observed")
    await page.click("#compose-form button[type=submit]")
    await page.wait_for_selector("#compose-result.ok")
    assert "#1" in await page.locator("#compose-result").inner_text()

    # Reach per region fills in as the hub relays it and the point's receipt comes back.
    reached = page.locator('#national .reach-list li[data-region="utrecht"]')
    await reached.filter(has_text="1 van 1").wait_for(timeout=90_000)
    relayed = page.locator('#national li[data-seq="1"] .relayed')
    await relayed.filter(has_text="1 van 1 regio").wait_for(timeout=90_000)
    bulletin = await page.locator('#national li[data-seq="1"]').inner_text()
    assert "Landelijk: blijf binnen" in bulletin and "Direct" in bulletin

    await page.goto(url + "/?lang=en")  # the English switch
    await page.wait_for_selector("body[data-loaded=true]")
    assert await page.locator("h1").inner_text() == "National picture"
    assert "Broadcast by 1 of 1 regions" in await page.locator("#national").inner_text()
    refused = "the server responded with a status of 400"  # the compose refused above
    assert [e for e in errors if refused not in e] == []
    await page.close()


async def test_the_map_places_safety_regions_and_lists_the_rest() -> None:
    from relay.web.nl_map import HEIGHT, WIDTH, map_view

    view = map_view(["Zuid-Limburg", "fryslan", "noord_en_oost_gelderland", "atlantis"])
    placed = {r["region"]: (r["x"], r["y"]) for r in view["regions"]}
    assert set(placed) == {"Zuid-Limburg", "fryslan", "noord_en_oost_gelderland"}
    assert view["unplaced"] == ["atlantis"]
    for x, y in placed.values():
        assert 0 < x < WIDTH and 0 < y < HEIGHT
    assert placed["Zuid-Limburg"][1] > placed["fryslan"][1]  # south is further down
