"""Page weight and time to first render of the screens, in Debian's Chromium.

    .venv/bin/python tools/bench_screens.py [--runs 5]

A small region runs in this process (tools/screens_region.py). Every run loads a page
in a fresh browser context (empty cache) and records, through the DevTools protocol,
the bytes of every response that finished loading (the live event stream stays open
and is not counted), the first contentful paint and the moment the page's script had
rendered the bulletins ("screen-rendered"). Targets (issue 5): kiosk < 200 kB in total,
first render < 1 s. The "kiosk+staff" row is the kiosk after a staff login, with the help
request script, styles and labels loaded (issue 7); the public kiosk loads none of them.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screens_browser import launch
from screens_region import PASSWORD, start_region

KIOSK_BYTES_TARGET = 200_000
FIRST_RENDER_TARGET_MS = 1000.0


@dataclass
class Load:
    requests: int
    wire_bytes: int
    fcp_ms: float
    rendered_ms: float


async def staff_login(page: Any) -> None:
    """Log in on the kiosk and wait until the help section is there."""
    await page.click("#staff")
    await page.fill("#login input[name=user]", "staff")
    await page.fill("#login input[name=password]", PASSWORD)
    await page.click("#login-button")
    await page.wait_for_selector("#help:not([hidden]) #help-list li")


async def load_once(browser: Any, url: str, width: int, height: int, staff: bool) -> Load:
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    finished: dict[str, int] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: finished.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    await page.goto(url)
    await page.wait_for_selector("body[data-ready]")
    if staff:
        await staff_login(page)
    await page.evaluate("() => document.fonts.ready.then(() => true)")
    await page.wait_for_timeout(200)  # let the last loadingFinished events arrive
    fcp = await page.evaluate(
        "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"
    )
    rendered = await page.evaluate(
        "() => (performance.getEntriesByName('screen-rendered')[0] || {}).startTime"
    )
    await context.close()
    return Load(len(finished), sum(finished.values()), float(fcp or 0), float(rendered or 0))


def _row(name: str, size: str, loads: list[Load], bytes_target: int | None) -> str:
    wire = max(x.wire_bytes for x in loads)
    fcp = [x.fcp_ms for x in loads]
    rendered = [x.rendered_ms for x in loads]
    ok = max(rendered) < FIRST_RENDER_TARGET_MS and (bytes_target is None or wire < bytes_target)
    return (
        f"| {name:<11} | {size:>9} | {loads[0].requests:>8} | {wire / 1000:>9.1f} | "
        f"{statistics.median(fcp):>8.0f} / {max(fcp):>5.0f} | "
        f"{statistics.median(rendered):>12.0f} / {max(rendered):>5.0f} | "
        f"{'yes' if ok else 'NO':<10} |"
    )


async def bench(runs: int) -> list[str]:
    lines = [
        "| screen      |  viewport | requests |   kB wire | FCP ms med / max | "
        "rendered ms med / max | target met |",
        "|-------------|-----------|----------|-----------|------------------|"
        "-----------------------|------------|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        region = await start_region(Path(tmp))
        try:
            async with async_playwright() as p:
                browser = await launch(p)
                for name, url, target, staff in (
                    ("kiosk", region.urls["np-001"] + "/", KIOSK_BYTES_TARGET, False),
                    ("kiosk+staff", region.urls["np-001"] + "/", KIOSK_BYTES_TARGET, True),
                    ("dashboard", region.urls["hub-utrecht"] + "/", None, False),
                ):
                    for width, height in ((1920, 1080), (800, 480)):
                        loads = [
                            await load_once(browser, url, width, height, staff) for _ in range(runs)
                        ]
                        lines.append(_row(name, f"{width}x{height}", loads, target))
                await browser.close()
        finally:
            await region.close()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for line in asyncio.run(bench(args.runs)):
        print(line)
    print(
        f"targets: kiosk < {KIOSK_BYTES_TARGET // 1000} kB on the wire, "
        f"rendered < {FIRST_RENDER_TARGET_MS:.0f} ms (cold cache, every run a fresh context)"
    )


if __name__ == "__main__":
    main()
