"""Screenshots of the kiosk and the dashboard at 1920x1080 and 800x480, for the README.

    .venv/bin/python tools/screenshots.py [--out docs/screens]

Starts a small region in this process (tools/screens_region.py), opens the point's
kiosk and the hub's dashboard (logged in, with a previewed bulletin) in Debian's
Chromium and saves PNGs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from playwright.async_api import async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screens_browser import launch
from screens_region import PASSWORD, start_region

SIZES = [(1920, 1080), (800, 480)]


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
                    await page.click("#preview-button")
                    await page.wait_for_selector("#preview:not([hidden])")
                    await page.evaluate("() => window.scrollTo(0, 0)")
                    await page.wait_for_timeout(300)
                    path = out / f"dashboard-{width}x{height}.png"
                    await page.screenshot(path=str(path))
                    saved.append(path)
                    await page.close()
                await browser.close()
        finally:
            await region.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screens"))
    args = parser.parse_args()
    for path in asyncio.run(shoot(args.out)):
        print(path)


if __name__ == "__main__":
    main()
