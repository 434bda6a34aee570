"""The screens in a real browser (Debian's Chromium via Playwright) on whole nodes.

No timed assertions: every wait is "until the page shows it" with a generous ceiling.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from relay.daemon import ops
from relay.wire import model as m
from tests.daemon.conftest import wait_for
from tests.web.conftest import PASSWORD, WebCluster

pytestmark = pytest.mark.browser

WAIT_MS = 15_000
HOSTILE_HEADLINE = "<script>window.__pwned=1</script>\u202eevil"
HOSTILE_BODY = '<img src=x onerror="window.__pwned=2"> ' + "W" * 400 + " <b>bold</b>"


def text(nl: str, en: str | None = None, headline: str = "", **kw: Any) -> m.Bulletin:
    texts = [m.LocalizedText("nl", headline, nl)]
    if en:
        texts.append(m.LocalizedText("en", headline, en))
    return m.Bulletin(texts=tuple(texts), **kw)


@asynccontextmanager
async def open_page(
    browser: Any, url: str, width: int = 1920, height: int = 1080
) -> AsyncIterator[Any]:
    """A page whose script errors, dialogs and CSP reports fail the test."""
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    page.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    page.set_default_timeout(WAIT_MS)
    await page.goto(url)
    await page.wait_for_selector("body[data-ready]")
    try:
        yield page
    finally:
        await context.close()
    assert not problems, problems


async def choose_levels(page: Any, urgency: str = "expected") -> None:
    """The operator chooses every level: the form has no defaults."""
    await page.select_option("[name=urgency]", urgency)
    await page.select_option("[name=severity]", "moderate")
    await page.select_option("[name=certainty]", "likely")


async def bulletin_texts(page: Any) -> list[str]:
    return list(await page.locator("#bulletins article .body").all_inner_texts())


async def test_kiosk_loads_and_a_new_bulletin_appears_live(
    web_cluster: WebCluster, browser: Any
) -> None:
    hub = await web_cluster.start("hub-utrecht", "hub")
    base = await web_cluster.start_served("np-001", "point", 1)
    async with open_page(browser, base + "/") as page:
        assert await page.locator("#none").is_visible()
        assert await page.locator("html").get_attribute("lang") == "nl"
        ops.issue(hub, text("Drinkwater bij sporthal De Vliert", expires_in_min=60))
        await page.wait_for_selector("#bulletins article")  # no reload
        assert await bulletin_texts(page) == ["Drinkwater bij sporthal De Vliert"]
        meta = await page.locator("#bulletins article .meta").inner_text()
        assert meta.startswith("Geverifieerd: hub-utrecht, uitgegeven ")
        assert "Geldig tot" in meta
        assert await page.locator("#none").is_hidden()
        # Most urgent first, live.
        ops.issue(hub, text("Evacuatie", urgency=m.Urgency.IMMEDIATE, severity=m.Severity.EXTREME))
        await page.wait_for_function(
            "() => document.querySelectorAll('#bulletins article').length == 2"
        )
        assert (await bulletin_texts(page))[0] == "Evacuatie"
        assert "p-urgent" in (await page.locator("#bulletins article").first.get_attribute("class"))


async def test_language_switch(web_cluster: WebCluster, browser: Any) -> None:
    hub = await web_cluster.start("hub-utrecht", "hub")
    p1 = await web_cluster.start("np-001", "point", 1)
    base = await web_cluster.serve("np-001")
    ops.issue(hub, text("Kook water", "Boil water", headline="Kookadvies"))
    ops.issue(
        hub,
        m.Bulletin(
            texts=(
                m.LocalizedText("nl", "Stroom", "Stroomstoring"),
                m.LocalizedText("ar", "الكهرباء", "انقطاع التيار الكهربائي"),
            )
        ),
    )
    await wait_for(lambda: len(ops.inbox(p1)) == 2)
    async with open_page(browser, base + "/") as page:
        assert sorted(await bulletin_texts(page)) == ["Kook water", "Stroomstoring"]
        await page.click("#langs button[data-lang=en]")
        await page.wait_for_function("() => document.documentElement.lang === 'en'")
        assert "Boil water" in await bulletin_texts(page)
        assert await page.locator("#title").inner_text() == "Current bulletins"
        # No English text for the other one: Dutch is shown, and marked as such.
        note = page.locator("article[lang=nl] .lang-note")
        assert await note.inner_text() == "Text in Nederlands"
        assert "lang=en" in page.url
        await page.click("#langs button[data-lang=ar]")
        await page.wait_for_function("() => document.documentElement.dir === 'rtl'")
        assert "انقطاع التيار الكهربائي" in await bulletin_texts(page)
        await page.reload()  # the choice survives a reload
        await page.wait_for_selector("body[data-ready]")
        assert await page.locator("html").get_attribute("lang") == "ar"


async def test_stale_hub_banner_comes_and_goes(web_cluster: WebCluster, browser: Any) -> None:
    web_cluster.stale["np-001"] = 1.0
    await web_cluster.start("hub-utrecht", "hub")
    p1 = await web_cluster.start("np-001", "point", 1)
    base = await web_cluster.serve("np-001")
    await wait_for(lambda: p1.engine.hub is not None)  # type: ignore[union-attr]
    async with open_page(browser, base + "/?lang=en") as page:
        await web_cluster.stop("hub-utrecht")
        await page.wait_for_selector("#stale:not([hidden])")
        banner = await page.locator("#stale").inner_text()
        assert banner.startswith("No contact with the hub for ") and "minutes" in banner
        await web_cluster.start("hub-utrecht", "hub")
        await page.wait_for_selector("#stale", state="hidden")


async def test_kiosk_without_any_hub_contact_says_so(web_cluster: WebCluster, browser: Any) -> None:
    base = await web_cluster.start_served("np-001", "point", 1)
    async with open_page(browser, base + "/") as page:
        assert await page.locator("#stale").inner_text() == (
            "Nog geen contact met de hub Deze berichten kunnen verouderd zijn."
        )


async def test_expired_and_cancelled_bulletins_leave_the_screen(
    web_cluster: WebCluster, browser: Any
) -> None:
    hub = await web_cluster.start("hub-utrecht", "hub")
    p1 = await web_cluster.start("np-001", "point", 1)
    base = await web_cluster.serve("np-001")
    keep = ops.issue(hub, text("Blijft staan"))["seq"]
    gone = ops.issue(hub, text("Wordt ingetrokken"))["seq"]
    # Issued 55 s ago with one minute to live: it expires a few seconds from now.
    short = hub.engine.issuer.issue(
        text("Verloopt zo", expires_in_min=1), at=(hub.hub_time() or 0) - 55
    )
    ops.publish_raw(hub, short.raw)
    await wait_for(lambda: len(p1.store.bulletins()) == 3)
    async with open_page(browser, base + "/") as page:
        await page.wait_for_function(
            "() => document.querySelectorAll('#bulletins article').length >= 2"
        )
        ops.issue(hub, text("Ingetrokken", type=m.MsgType.CANCEL, references=(gone,)))
        await page.wait_for_function(
            "() => [...document.querySelectorAll('#bulletins .body')].map(e => e.textContent)"
            ".join('|') === 'Blijft staan'"
        )
    assert [b["seq"] for b in ops.inbox(p1) if b["type"] == "alert"] == [keep]


async def test_staff_mark_posted_becomes_the_displayed_receipt(
    web_cluster: WebCluster, browser: Any
) -> None:
    hub_url = None
    hub = await web_cluster.start("hub-utrecht", "hub")
    hub_url = await web_cluster.serve("hub-utrecht")
    await web_cluster.start("np-001", "point", 1)
    await web_cluster.start("np-002", "point", 2)
    point_url = await web_cluster.serve("np-001")
    async with open_page(browser, hub_url + "/?lang=en") as dash:
        # Compose with login: a wrong password first.
        await dash.fill("#login input[name=user]", "anna")
        await dash.fill("#login input[name=password]", "wrong")
        await dash.click("#login button[type=submit]")
        await dash.wait_for_selector("#login-error:text('wrong name or password')")
        await dash.fill("#login input[name=password]", PASSWORD)
        await dash.click("#login button[type=submit]")
        await dash.wait_for_selector("#compose:not([hidden])")
        await dash.fill("[name='nl.headline']", "Stroomstoring")
        await dash.fill("[name='nl.body']", "Herstel niet voor morgen 12:00.")
        await choose_levels(dash)
        assert await dash.locator("#send-button").is_disabled()  # preview first
        await dash.click("#preview-button")
        await dash.wait_for_selector("#preview:not([hidden])")
        cost = await dash.locator("#preview .cost").inner_text()
        assert "bytes, 1 frame" in cost and "LONG_FAST" not in cost and "SHORT_FAST" in cost
        renders = await dash.locator("#preview .render").all_inner_texts()
        assert len(renders) == 2 and "no English text: shows Nederlands" in renders[1]
        await dash.click("#send-button")
        await dash.wait_for_selector("#compose-result:text('Queued bulletin #')")
        seq = hub.engine.issuer.counter.current()
        row = f"#matrix tr[data-seq='{seq}']"
        await dash.click("#matrix-box summary")  # the full matrix is drawn on demand
        await dash.wait_for_selector(row)
        # The receipt matrix fills in as the points report what they hold.
        await dash.wait_for_function(
            f'() => document.querySelectorAll("{row} td.cell.received").length === 2'
        )
        assert await dash.locator(f"{row} .received-total").inner_text() == "2/2"
        assert await dash.locator(f"{row} .displayed-total").inner_text() == "0/2"
        # Staff at point 1 log in on the kiosk and mark it posted.
        async with open_page(browser, point_url + "/") as kiosk:
            await kiosk.wait_for_selector("#bulletins article")
            assert await kiosk.locator("button.mark").count() == 0  # not logged in
            await kiosk.click("#staff")
            await kiosk.fill("#login input[name=user]", "anna")
            await kiosk.fill("#login input[name=password]", PASSWORD)
            await kiosk.click("#login-button")
            await kiosk.click("button.mark")
            await kiosk.wait_for_selector(".posted")
        await dash.wait_for_selector(f"{row} td.cell.displayed")
        assert await dash.locator(f"{row} .displayed-total").inner_text() == "1/2"


async def test_update_and_cancel_from_the_dashboard(web_cluster: WebCluster, browser: Any) -> None:
    hub = await web_cluster.start("hub-utrecht", "hub")
    hub_url = await web_cluster.serve("hub-utrecht")
    p1 = await web_cluster.start("np-001", "point", 1)
    first = ops.issue(hub, text("Kookadvies Houten", "Boil water Houten"))["seq"]
    second = ops.issue(hub, text("Zandzakken bij de brandweer"))["seq"]
    await wait_for(lambda: len(ops.inbox(p1)) == 2)
    async with open_page(browser, hub_url + "/?lang=en") as dash:
        assert await dash.locator("button.update").count() == 0  # read-only until login
        await dash.fill("#login input[name=user]", "anna")
        await dash.fill("#login input[name=password]", PASSWORD)
        await dash.click("#login button[type=submit]")
        await dash.click(f"#bulletin-list li[data-seq='{first}'] button.update")
        assert await dash.input_value("[name=type]") == "update"
        assert await dash.input_value("[name=references]") == str(first)
        assert await dash.input_value("[name='en.body']") == "Boil water Houten"
        await dash.fill("[name='nl.body']", "Kookadvies Houten verlengd tot vrijdag")
        await dash.click("#preview-button")
        await dash.click("#send-button")
        await dash.wait_for_selector("#compose-result:text('Queued')")
        await dash.click(f"#bulletin-list li[data-seq='{second}'] button.cancel")
        assert await dash.input_value("[name=type]") == "cancel"
        await dash.click("#preview-button")
        await dash.click("#send-button")
        await dash.wait_for_selector(
            f"#bulletin-list li[data-seq='{second}']:has-text('cancelled')"
        )
    await wait_for(
        lambda: (
            [b["texts"][0]["body"] for b in ops.inbox(p1) if b["type"] != "cancel"]
            == ["Kookadvies Houten verlengd tot vrijdag"]
        )
    )


async def test_points_table_sorts_filters_and_silent_points_stand_out(
    web_cluster: WebCluster, browser: Any
) -> None:
    web_cluster.stale["hub-utrecht"] = 2.0
    hub = await web_cluster.start("hub-utrecht", "hub")
    hub_url = await web_cluster.serve("hub-utrecht")
    for pid, visitors in ((1, 30), (2, 5), (3, 70)):
        p = await web_cluster.start(f"np-{pid:03d}", "point", pid)
        ops.set_status(
            p,
            m.StatusReport(
                pid,
                m.OpenState.OPEN,
                visitors=visitors,
                needs=m.Need.FUEL if pid == 2 else m.NO_NEEDS,
            ),
        )
    await wait_for(lambda: sorted(r["visitors"] or 0 for r in ops.points(hub)) == [5, 30, 70])
    async with open_page(browser, hub_url + "/") as dash:
        ids = (
            "[...document.querySelectorAll('#points tr[data-point]')]"
            ".map(r => r.dataset.point).join()"
        )
        assert await dash.evaluate(ids) == "1,2,3"
        await dash.click("#points th[data-key=visitors] button")
        assert await dash.evaluate(ids) == "2,1,3"
        await dash.click("#points th[data-key=visitors] button")
        assert await dash.evaluate(ids) == "3,1,2"
        await dash.fill("#filter", "fuel")
        assert await dash.evaluate(ids) == "2"
        await dash.fill("#filter", "")
        await web_cluster.stop("np-003")
        await dash.wait_for_selector("#points tr.silent[data-point='3']", timeout=30_000)
        assert await dash.locator("#points tr.silent").count() == 1
        await dash.check("#only-silent")
        assert await dash.evaluate(ids) == "3"


async def test_hostile_text_stays_text(web_cluster: WebCluster, browser: Any) -> None:
    hub = await web_cluster.start("hub-utrecht", "hub")
    hub_url = await web_cluster.serve("hub-utrecht")
    p1 = await web_cluster.start("np-001", "point", 1)
    point_url = await web_cluster.serve("np-001")
    ops.set_status(
        p1, m.StatusReport(1, m.OpenState.OPEN, text='<img src=x onerror="window.__pwned=3">')
    )
    ops.issue(hub, text(HOSTILE_BODY, HOSTILE_BODY, headline=HOSTILE_HEADLINE))
    await wait_for(
        lambda: len(ops.inbox(p1)) == 1 and ops.points(hub) and ops.points(hub)[0]["text"]
    )
    dialogs: list[str] = []
    for url, width, height in (
        (point_url + "/", 800, 480),
        (point_url + "/?lang=en", 1920, 1080),
        (point_url + "/print", 800, 480),
        (hub_url + "/", 1920, 1080),
    ):
        context = await browser.new_context(viewport={"width": width, "height": height})
        page = await context.new_page()
        page.on("dialog", lambda d: dialogs.append(d.message))
        await page.goto(url)
        await page.wait_for_load_state("networkidle")
        if "/print" not in url:
            await page.wait_for_selector("body[data-ready]")
        assert await page.evaluate("window.__pwned") is None, url
        assert await page.locator("main img, main script, main b, #points img").count() == 0, url
        content = await page.locator("body").inner_text()
        assert "<script>window.__pwned=1</script>" in content, url
        # A 400-letter word wraps inside the screen instead of widening the page.
        assert await page.evaluate("document.documentElement.scrollWidth") <= width, url
        # A right-to-left override in a text stays inside its own element.
        isolated = await page.evaluate(
            "[...document.querySelectorAll('[dir=auto], bdi')].every("
            "e => getComputedStyle(e).unicodeBidi === 'isolate')"
        )
        assert isolated, url
        assert not dialogs, url
        await context.close()


async def test_no_change_without_login_from_the_page(web_cluster: WebCluster, browser: Any) -> None:
    hub = await web_cluster.start("hub-utrecht", "hub")
    p1 = await web_cluster.start("np-001", "point", 1)
    point_url = await web_cluster.serve("np-001")
    seq = ops.issue(hub, text("Test"))["seq"]
    await wait_for(lambda: len(ops.inbox(p1)) == 1)
    key = ops.inbox(p1)[0]["key_id"]
    async with open_page(browser, point_url + "/") as page:
        statuses = await page.evaluate(
            """async ([key, seq]) => {
                const post = (path, body) => fetch(path, {
                    method: 'POST', body: JSON.stringify(body),
                    headers: {'Content-Type': 'application/json'},
                }).then(r => r.status);
                return [await post('/api/displayed', {key_id: key, seq}),
                        await post('/api/status', {visitors: 5}),
                        await post('/api/send', {}),
                        await post('/web/compose/send', {})];
            }""",
            [key, seq],
        )
    assert statuses == [401, 401, 401, 404]
    assert not ops.inbox(p1)[0]["displayed"]


async def test_kiosk_recovers_after_a_daemon_restart(web_cluster: WebCluster, browser: Any) -> None:
    hub = await web_cluster.start("hub-utrecht", "hub")
    p1 = await web_cluster.start("np-001", "point", 1)
    point_url = await web_cluster.serve("np-001")
    ops.issue(hub, text("Voor de herstart"))
    await wait_for(lambda: len(ops.inbox(p1)) == 1)
    async with open_page(browser, point_url + "/") as page:
        await page.wait_for_selector("#bulletins article")
        await web_cluster.shut("np-001")
        await page.wait_for_selector("#offline:not([hidden])")
        ops.issue(hub, text("Tijdens de herstart"))
        await web_cluster.start("np-001", "point", 1)
        assert await web_cluster.serve("np-001") == point_url
        await page.wait_for_selector("#offline", state="hidden")
        ops.issue(hub, text("Na de herstart"))
        await page.wait_for_function(
            "() => document.querySelectorAll('#bulletins article').length === 3", timeout=30_000
        )
        assert sorted(await bulletin_texts(page)) == [
            "Na de herstart",
            "Tijdens de herstart",
            "Voor de herstart",
        ]


async def test_staff_set_the_point_status_and_the_hub_sees_it(
    web_cluster: WebCluster, browser: Any
) -> None:
    hub = await web_cluster.start("hub-utrecht", "hub")
    point_url = await web_cluster.start_served("np-001", "point", 1)
    async with open_page(browser, point_url + "/") as kiosk:
        assert await kiosk.locator("#status-button").is_hidden()  # staff only
        await kiosk.click("#staff")
        await kiosk.fill("#login input[name=user]", "anna")
        await kiosk.fill("#login input[name=password]", PASSWORD)
        await kiosk.click("#login-button")
        await kiosk.click("#status-button")
        await kiosk.select_option("#status-form select[name=open]", "limited")
        await kiosk.select_option("#status-form select[name=power]", "generator")
        await kiosk.fill("#status-form input[name=visitors]", "42")
        await kiosk.check("#status-form input[name=needs][value=fuel]")
        await kiosk.fill("#status-form input[name=text]", "Aggregaat tot 18:00")
        await kiosk.click("#status-form button[type=submit]")
        await kiosk.wait_for_selector("#status-result.notice")
        await kiosk.fill("#status-form input[name=battery_pct]", "140")
        await kiosk.click("#status-form button[type=submit]")
        # The form refuses it before anything is sent (the API would too: 0..100).
        assert await kiosk.locator("#status-form input[name=battery_pct]:invalid").count() == 1
    await wait_for(lambda: any(r["visitors"] == 42 for r in ops.points(hub)))
    [row] = ops.points(hub)
    assert (row["open"], row["power"], row["needs"]) == ("limited", "generator", ["fuel"])
    assert row["text"] == "Aggregaat tot 18:00"
