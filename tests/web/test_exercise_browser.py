"""Exercise mode (issue 12) in a real browser on whole nodes: an operator starts an
exercise by name, every bulletin then needs "real or exercise?", the kiosk and the
printed notice mark exercise bulletins unmistakably, a real bulletin in the middle of an
exercise stands out as real, help requests during it are marked, and stop ends it.
"""

from __future__ import annotations

from typing import Any

import pytest

from relay.daemon import ops
from tests.daemon.conftest import wait_for
from tests.web.conftest import TOKEN, WebCluster
from tests.web.test_browser import choose_levels, open_page
from tests.web.test_help_browser import post_json
from tests.web.test_region_browser import operator_login

pytestmark = pytest.mark.browser


async def compose(dash: Any, headline: str, status: str | None) -> None:
    await dash.fill("[name='nl.headline']", headline)
    await dash.fill("[name='nl.body']", f"{headline}: verzamelen bij de sporthal.")
    await choose_levels(dash, "immediate")
    if status is not None:
        await dash.select_option("[name=status]", status)
    await dash.click("#preview-button")


async def test_exercise_from_dashboard_to_kiosk_and_print(
    web_cluster: WebCluster, browser: Any
) -> None:
    hub = await web_cluster.start("hub-utrecht", "hub")
    url = await web_cluster.serve("hub-utrecht")
    p1 = await web_cluster.start("np-001", "point", 1)
    point_url = await web_cluster.serve("np-001")
    async with open_page(browser, url + "/") as dash:
        await operator_login(dash)
        assert await dash.locator("#exercise-banner").is_hidden()
        assert await dash.locator("#status-row").is_hidden()  # no exercise: real, no question
        await dash.fill("#exercise-form input[name=name]", "Oefening Lekdijk")
        await dash.click("#exercise-start")
        await dash.wait_for_selector("#exercise-banner:not([hidden])")
        assert "OEFENING Oefening Lekdijk" in await dash.locator("#exercise-banner").inner_text()
        # During the exercise nothing goes out without "real or exercise?".
        await compose(dash, "Evacuatie Lekdijk", None)
        await dash.wait_for_selector("#compose-error:text('status')")
        await dash.select_option("[name=status]", "exercise")
        await dash.click("#preview-button")
        await dash.click("#send-button")
        await dash.wait_for_selector("#compose-result:text('in de wachtrij')")
        await compose(dash, "Gaslek Houten", "actual")
        await dash.click("#send-button")
        await dash.wait_for_selector("#bulletin-list li[data-status=actual] .real-mark")
        assert await dash.locator("#bulletin-list li[data-status=exercise] .exercise-mark").count()
        await wait_for(lambda: len(ops.inbox(p1)) == 2)
        # The kiosk: a striped page banner, OEFENING on the exercise card, ECHT on the real one.
        async with open_page(browser, point_url + "/", 800, 480) as kiosk:
            await kiosk.wait_for_selector("#exercise:not([hidden])")
            card = kiosk.locator("article[data-status=exercise] .exercise-card")
            assert await card.inner_text() == "OEFENING: dit is geen echte melding"
            real = kiosk.locator("article[data-status=actual] .real-card")
            assert await real.inner_text() == "ECHT: GEEN OEFENING"
            # A help request sent during the exercise is marked on the dashboard.
            status, made = await post_json(
                point_url + "/api/help",
                {"type": "medical", "urgency": "urgent", "people": 1, "location": "Dijk 3"},
                TOKEN,
            )
            assert status == 200
        item = f"#help-open li[data-help-id='{made['id']}']"
        await dash.wait_for_selector(f"{item} .exercise-mark")
        # The printed notice says it too.
        context = await browser.new_context()
        printed = await context.new_page()
        await printed.goto(point_url + "/print")
        text = await printed.locator("body").inner_text()
        await context.close()
        assert "OEFENING: berichten met dit teken zijn niet echt" in text
        assert "OEFENING: dit is geen echte melding" in text and "ECHT: GEEN OEFENING" in text
        # Stop: the banner goes, and compose no longer asks.
        await dash.click("#exercise-stop")
        await dash.wait_for_selector("#exercise-banner", state="hidden")
        assert await dash.locator("#status-row").is_hidden()
        await dash.wait_for_selector(f"{item} .exercise-mark", state="detached")
    assert hub.store.exercises.current() is None
    assert [e.name for e in hub.store.exercises.all()] == ["Oefening Lekdijk"]
