"""Screenshots of the kiosk and the dashboard at 1920x1080 and 800x480, for the README.

    .venv/bin/python tools/screenshots.py [--out docs/screens]

Starts a small region in this process (tools/screens_region.py), opens the point's
kiosk and the hub's dashboard (logged in, with a previewed bulletin) in Debian's
Chromium and saves PNGs; then staff at a point fill in and send a help request on the
kiosk and the dashboard shows it as an open, unacknowledged request (issue 7).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright

from relay.daemon import ops
from relay.wire import model as m

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screens_browser import launch
from screens_region import PASSWORD, Region, start_region

SIZES = [(1920, 1080), (800, 480)]
HELP_LOCATION = "Molenweg 7, Schalkwijk (achter de kerk)"
HELP_TEXT = "Mevrouw (84) met zuurstofapparaat, accu nog 2 uur. Heeft stroom of vervoer nodig."


async def _login(page: Any, form: str, button: str) -> None:
    await page.fill(f"{form} input[name=user]", "staff")
    await page.fill(f"{form} input[name=password]", PASSWORD)
    await page.click(button)


async def shoot_help(browser: Any, region: Region, out: Path) -> list[Path]:
    """The kiosk's help form (7-inch screen) and the dashboard with the open request."""
    saved = []
    kiosk = await browser.new_page(viewport={"width": 800, "height": 480})
    await kiosk.goto(region.urls["np-002"] + "/")
    await kiosk.wait_for_selector("body[data-ready]")
    await kiosk.click("#staff")
    await _login(kiosk, "#login", "#login-button")
    await kiosk.click("#help-ask")
    await kiosk.click("#help-form .chip:has(input[value=vulnerable_person])")
    await kiosk.click("#help-form .chip:has(input[value=life_threatening])")
    await kiosk.fill("#help-form input[name=location]", HELP_LOCATION)
    await kiosk.fill("#help-form textarea[name=text]", HELP_TEXT)
    await kiosk.fill("#help-form input[name=handler]", "Joke (EHBO)")
    await kiosk.evaluate("() => window.scrollTo(0, 0)")
    await kiosk.wait_for_timeout(300)
    saved.append(out / "kiosk-help-form-800x480.png")
    await kiosk.screenshot(path=str(saved[-1]))
    await kiosk.click("#help-form button.send-help")
    await kiosk.wait_for_selector("#help-list li[data-state=received]", timeout=60_000)
    await kiosk.evaluate("() => window.scrollTo(0, 0)")
    saved.append(out / "kiosk-help-sent-800x480.png")
    await kiosk.screenshot(path=str(saved[-1]))
    await kiosk.close()
    for width, height in SIZES:
        dash = await browser.new_page(viewport={"width": width, "height": height})
        await dash.goto(region.urls["hub-utrecht"] + "/")
        await dash.wait_for_selector("body[data-ready]")
        await _login(dash, "#login", "#login button[type=submit]")
        await dash.wait_for_selector("#help-open li[data-help-id] .where")
        # Between two flashes, so the picture shows the red panel, not a white frame.
        await dash.emulate_media(reduced_motion="reduce")
        await dash.evaluate("() => window.scrollTo(0, 0)")
        await dash.wait_for_timeout(300)
        saved.append(out / f"dashboard-help-{width}x{height}.png")
        await dash.screenshot(path=str(saved[-1]))
        await dash.close()
    return saved


async def shoot(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with tempfile.TemporaryDirectory() as tmp:
        region = await start_region(Path(tmp))
        try:
            async with async_playwright() as p:
                browser = await launch(p)
                for width, height in SIZES:
                    page = await browser.new_page(viewport={"width": width, "height": height})
                    await page.goto(region.urls["np-001"] + "/")
                    await page.wait_for_selector("body[data-ready]")
                    await page.wait_for_timeout(300)  # fonts settle
                    path = out / f"kiosk-{width}x{height}.png"
                    await page.screenshot(path=str(path))
                    saved.append(path)
                    await page.goto(region.urls["np-001"] + "/?lang=en")
                    await page.wait_for_selector("body[data-ready]")
                    await page.wait_for_timeout(300)
                    path = out / f"kiosk-en-{width}x{height}.png"
                    await page.screenshot(path=str(path))
                    saved.append(path)
                    await page.goto(region.urls["hub-utrecht"] + "/")
                    await page.wait_for_selector("body[data-ready]")
                    await page.fill("#login input[name=user]", "staff")
                    await page.fill("#login input[name=password]", PASSWORD)
                    await page.click("#login button[type=submit]")
                    await page.wait_for_selector("#compose:not([hidden])")
                    await page.fill("[name='nl.headline']", "Stroomstoring duurt voort")
                    await page.fill(
                        "[name='nl.body']", "Verwacht herstel niet voor morgen 12:00. Blijf binnen."
                    )
                    await page.select_option("[name=urgency]", "expected")
                    await page.select_option("[name=severity]", "moderate")
                    await page.select_option("[name=certainty]", "likely")
                    await page.click("#preview-button")
                    await page.wait_for_selector("#preview:not([hidden])")
                    await page.evaluate("() => window.scrollTo(0, 0)")
                    await page.wait_for_timeout(300)
                    path = out / f"dashboard-{width}x{height}.png"
                    await page.screenshot(path=str(path))
                    saved.append(path)
                    await page.close()
                saved += await shoot_help(browser, region, out)
                saved += await shoot_exercise(browser, region, out)
                await browser.close()
        finally:
            await region.close()
    return saved


async def shoot_exercise(browser: Any, region: Region, out: Path) -> list[Path]:
    """The 7-inch kiosk during an exercise: an exercise bulletin next to a real one."""
    hub = region.nodes["hub-utrecht"]
    point = region.nodes["np-001"]
    before = len(ops.inbox(point))
    ops.issue(
        hub,
        m.Bulletin(
            texts=(
                m.LocalizedText(
                    "nl",
                    "Dijkdoorbraak Lekdijk bij Vianen",
                    "Ga naar hoger gelegen gebied. Volg de aanwijzingen van de hulpdiensten.",
                ),
            ),
            urgency=m.Urgency.IMMEDIATE,
            severity=m.Severity.EXTREME,
            certainty=m.Certainty.LIKELY,
            expires_in_min=120,
            status=m.AlertStatus.EXERCISE,
        ),
    )
    deadline = time.monotonic() + 60
    while len(ops.inbox(point)) <= before and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    page = await browser.new_page(viewport={"width": 800, "height": 480})
    await page.goto(region.urls["np-001"] + "/")
    await page.wait_for_selector("article[data-status=exercise]")
    await page.wait_for_timeout(300)
    path = out / "kiosk-exercise-800x480.png"
    await page.screenshot(path=str(path))
    await page.close()
    return [path]


async def shoot_region(out: Path) -> list[Path]:
    """The dashboard of the 150-point region (1920x1080), a point's detail open."""
    from screens_bigregion import start_big_region

    shm = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp:
        region = await start_big_region(Path(tmp))
        try:
            async with async_playwright() as p:
                browser = await launch(p)
                page = await browser.new_page(viewport={"width": 1920, "height": 1080})
                await page.goto(region.urls["hub-utrecht"] + "/")
                await page.wait_for_selector("body[data-ready]")
                silent = page.locator("#map circle.k-silent").first
                await silent.click()
                await page.locator("#receipts li.incomplete summary").first.click()
                await page.evaluate("() => window.scrollTo(0, 0)")
                await page.wait_for_timeout(300)
                path = out / "dashboard-region-1920x1080.png"
                await page.screenshot(path=str(path))
                await browser.close()
        finally:
            await region.close()
    return [path]


async def shoot_report(out: Path) -> list[Path]:
    """The first page of `relay report` on the simulated six-hour exercise."""
    from relay.report.data import collect
    from relay.report.render import write
    from relay.report.sample import make_sample
    from relay.store.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        made = make_sample(Path(tmp))
        store = Store(made.store_path)
        exercise = store.exercises.named(made.exercise)[-1]
        data = collect(store, made.start, made.end, region=made.region, exercise=exercise)
        store.close()
        html = Path(tmp) / "report.html"
        write(data, html)
        async with async_playwright() as p:
            browser = await launch(p)
            page = await browser.new_page(viewport={"width": 1100, "height": 900})
            await page.goto(html.as_uri())
            path = out / "report-summary.png"
            await page.locator("#summary").screenshot(path=str(path))
            await browser.close()
    return [path]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screens"))
    parser.add_argument("--only", choices=("screens", "region", "report"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    shots = {"screens": shoot, "region": shoot_region, "report": shoot_report}
    for name, make in shots.items():
        if args.only in (None, name):
            for path in asyncio.run(make(args.out)):
                print(path)


if __name__ == "__main__":
    main()
