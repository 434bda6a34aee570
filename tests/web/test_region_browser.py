"""The hub operator's region (issue 12) in a real browser on whole nodes: the map drawn
from the region file, points grouped by municipality, receipts per bulletin with the
points still missing it, Dutch first with an English switch, and compose that never
sends a level the operator did not choose.

No timed assertions: every wait is "until the page shows it" with a generous ceiling.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from relay.daemon import ops
from relay.web.dashboard_labels import DASHBOARD_LABELS
from relay.web.region import PlacedPoint, RegionMap, RelaySite, region_toml
from relay.wire import model as m
from tests.daemon.conftest import wait_for
from tests.web.conftest import PASSWORD, TOKEN, WebCluster
from tests.web.test_browser import open_page, text
from tests.web.test_help_browser import post_json

pytestmark = pytest.mark.browser

#: Twelve planned points in three municipalities; points 1-3 run, the rest are never heard.
TOWNS = ("Houten", "Vianen", "Nieuwegein")
REGION = RegionMap(
    points=tuple(
        PlacedPoint(i, 52.0 + 0.01 * i, 5.1 + 0.012 * (i % 5), TOWNS[i % 3], f"Punt {i:02d}")
        for i in range(1, 13)
    ),
    relays=(RelaySite("Domtoren", 52.09, 5.12), RelaySite("Watertoren Houten", 52.03, 5.17)),
)
RUNNING = (1, 2, 3)


async def operator_login(page: Any) -> None:
    await page.fill("#login input[name=user]", "anna")
    await page.fill("#login input[name=password]", PASSWORD)
    await page.click("#login button[type=submit]")
    await page.wait_for_selector("#compose:not([hidden])")


async def region_cluster(web_cluster: WebCluster, tmp_path: Path) -> tuple[Any, str]:
    region_file = tmp_path / "region.toml"
    region_file.write_text(region_toml(REGION), encoding="utf-8")
    web_cluster.region_file = region_file
    hub = await web_cluster.start("hub-utrecht", "hub")
    url = await web_cluster.serve("hub-utrecht")
    for pid in RUNNING:
        p = await web_cluster.start(f"np-{pid:03d}", "point", pid)
        state = m.OpenState.LIMITED if pid == 2 else m.OpenState.OPEN
        ops.set_status(p, m.StatusReport(pid, state))
    return hub, url


async def test_region_map_groups_and_receipts(
    web_cluster: WebCluster, browser: Any, tmp_path: Path
) -> None:
    hub, url = await region_cluster(web_cluster, tmp_path)
    seq = ops.issue(hub, text("Drinkwater bij de sporthal", headline="Drinkwater"))["seq"]
    await wait_for(lambda: len(ops.points(hub)) == 3)
    await wait_for(lambda: all(p["holds"] == 1 for p in ops.points(hub)))
    async with open_page(browser, url + "/") as dash:
        # Every planned point is on the map, the never-heard ones as silent; relays too.
        await dash.wait_for_function(
            "() => document.querySelectorAll('#map circle.pt').length === 12"
        )
        assert await dash.locator("#map .relay").count() == 2
        assert await dash.locator("#map circle.k-silent").count() == 9
        assert await dash.locator("#map circle.k-limited[data-point='2']").count() == 1
        assert await dash.locator("#map circle.k-open").count() == 2
        # Receipts per bulletin: out of the region's 12, with the 9 missing listed.
        line = dash.locator(f"#receipts li[data-seq='{seq}'] .receipt-line")
        await dash.wait_for_function(
            f"() => document.querySelector(\"#receipts li[data-seq='{seq}'] .receipt-line\")"
            ".textContent.startsWith('3/12 ontvangen')"
        )
        assert await line.inner_text() == "3/12 ontvangen, 0 opgehangen"
        await dash.click(f"#receipts li[data-seq='{seq}'] summary")
        item = dash.locator(f"#receipts li[data-seq='{seq}']")
        missing = await item.locator("ul.missing li").all_inner_texts()
        assert sorted(missing) == [f"Punt {i:02d}" for i in range(4, 13)]
        # Clicking a name in that list, or a point on the map, shows its detail.
        await dash.click(f"#receipts li[data-seq='{seq}'] button[data-point='7']")
        await dash.wait_for_selector("#point-detail h3:has-text('Punt 07')")
        assert "stil" in await dash.locator("#point-detail").inner_text()
        await dash.click("#map circle[data-point='2']")
        await dash.wait_for_selector("#point-detail h3:has-text('np-002')")
        detail = await dash.locator("#point-detail").inner_text()
        assert "beperkt open" in detail and "Nieuwegein" in detail
        assert "null" not in detail and "unknown" not in detail
        # Points grouped by municipality; the municipality filter narrows map and list.
        groups = await dash.locator("#points tbody.group").evaluate_all(
            "bs => bs.map(b => b.dataset.municipality)"
        )
        assert groups == ["Houten", "Nieuwegein", "Vianen"]
        await dash.select_option("#municipality", "Houten")
        shown = await dash.locator("#points tr[data-point]").evaluate_all(
            "rs => rs.map(r => Number(r.dataset.point))"
        )
        assert sorted(shown) == [3, 6, 9, 12]
        assert await dash.locator("#map circle.pt:not(.dim)").count() == 4
        # State filter: only silent points.
        await dash.select_option("#municipality", "")
        for kind in ("missing", "closed", "limited", "open", "unknown"):
            await dash.uncheck(f"#state-filters input[data-kind={kind}]")
        assert await dash.locator("#map circle.pt:not(.dim)").count() == 9
        assert await dash.locator("#points tr[data-point]").count() == 9
        # The full matrix, on demand, has a column per planned point.
        await dash.click("#matrix-box summary")
        await dash.wait_for_selector(f"#matrix tr[data-seq='{seq}']")
        assert await dash.locator(f"#matrix tr[data-seq='{seq}'] td.cell").count() == 12
        assert await dash.locator(f"#matrix tr[data-seq='{seq}'] td.cell.received").count() == 3


async def test_urgency_is_never_filled_in_for_the_operator(
    web_cluster: WebCluster, browser: Any
) -> None:
    hub = await web_cluster.start("hub-utrecht", "hub")
    url = await web_cluster.serve("hub-utrecht")
    async with open_page(browser, url + "/") as dash:
        await operator_login(dash)
        # Free text after login: no level chosen (it used to say Immediate here).
        for name in ("urgency", "severity", "certainty"):
            assert await dash.input_value(f"[name={name}]") == "", name
        await dash.fill("[name='nl.body']", "Drinkwater verkrijgbaar bij de sporthal")
        await dash.click("#preview-button")
        await dash.wait_for_selector("#compose-error:text('urgency')")
        assert await dash.locator("#preview").is_hidden()
        # A template suggests levels but does not set them until the operator says so.
        await dash.check("input[name=mode][value=template]")
        await dash.select_option("#template-name", "evacuation")
        assert await dash.input_value("[name=urgency]") == ""
        assert "Direct" in await dash.locator("#template-suggests").inner_text()
        await dash.click("#template-apply")
        assert await dash.input_value("[name=urgency]") == "immediate"
        # Back to free text, cleared: nothing chosen again.
        await dash.click("#clear-button")
        assert await dash.input_value("[name=urgency]") == ""
        await dash.fill("[name='nl.body']", "Drinkwater verkrijgbaar bij de sporthal")
        await dash.select_option("[name=urgency]", "expected")
        await dash.select_option("[name=severity]", "minor")
        await dash.select_option("[name=certainty]", "observed")
        await dash.click("#preview-button")
        await dash.wait_for_selector("#preview:not([hidden])")
        await dash.click("#send-button")
        await dash.wait_for_selector("#compose-result:text('in de wachtrij')")
    sent = ops.bulletins(hub)[-1]
    assert (sent["urgency"], sent["severity"]) == ("expected", "minor")


async def test_dutch_first_english_by_switch_and_no_null(
    web_cluster: WebCluster, browser: Any
) -> None:
    url = await web_cluster.start_served("hub-utrecht", "hub")
    point_url = await web_cluster.start_served("np-001", "point", 1)
    status, made = await post_json(
        point_url + "/api/help",
        {"type": "fire", "urgency": "urgent", "people": 2, "location": "Kerkstraat 1"},
        TOKEN,
    )
    assert status == 200
    english_only = ("Support points", "Compose", "Last heard", "Bulletins", "Log in")
    async with open_page(browser, url + "/") as dash:
        # No region file: no empty map, a sentence saying where coordinates come from.
        assert await dash.locator("#map").is_hidden()
        assert "regiobestand" in await dash.locator("#map-note").inner_text()
        await dash.wait_for_selector(f"#help-open li[data-help-id='{made['id']}']")
        body = await dash.locator("body").inner_text()
        assert "Steunpunten" in body and "Bericht opstellen" in body
        assert not [w for w in english_only if w in body], body
        # Every labelled element got its word; no key shows through.
        keys = await dash.locator("[data-l]").evaluate_all(
            "ns => ns.filter(n => !n.textContent.trim() || n.textContent === n.dataset.l)"
            ".map(n => n.dataset.l)"
        )
        assert keys == []
        # The help panel sends people to the login by a link, not "rechts".
        hint = await dash.locator("#help-export").inner_text()
        assert "rechts" not in hint and "Opstellen" not in hint
        await dash.click("#help-export a.login-link")
        await dash.wait_for_function("() => location.hash === '#login'")
        # Acknowledge: the heading loses its alarm title, and never says "null".
        await operator_login(dash)
        await dash.click(f"#help-open li[data-help-id='{made['id']}'] button.ack")
        await dash.wait_for_selector("body[data-help-alarm=off]")
        heading = await dash.locator("#h-help").inner_text()
        assert heading == "Open hulpvragen: 1", heading
        await dash.click("#lang-switch a[data-lang=en]")
        await dash.wait_for_url("**/?lang=en")
        await dash.wait_for_selector("html[lang=en] body[data-ready]", timeout=30_000)
        await dash.wait_for_selector("#h-points:text('Support points')")
        assert await dash.locator("#h-help").inner_text() == "Open help requests: 1"
        assert await dash.evaluate("document.documentElement.lang") == "en"
        assert await dash.locator("#h-compose").inner_text() == "Compose"


def test_one_label_table_per_language_with_the_same_keys() -> None:
    assert set(DASHBOARD_LABELS["nl"]) == set(DASHBOARD_LABELS["en"])
    html = (Path(__file__).parents[2] / "relay/web/static/dashboard.html").read_text()
    for key in re.findall(r'data-l(?:-placeholder)?="([^"]+)"', html):
        assert key in DASHBOARD_LABELS["nl"], key
