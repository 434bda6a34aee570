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


REGION_BYTES_TARGET = 400_000
REGION_RENDER_TARGET_MS = 1500.0
REPORT_TARGET_S = 30.0


async def update_ms(browser: Any, url: str) -> tuple[float, float]:
    """Median time of a live update: fetching the view, and redrawing map, lists and
    receipts from it."""
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    await page.goto(url)
    await page.wait_for_selector("body[data-ready]")
    times = await page.evaluate(
        """async () => {
            const fetches = [], draws = [];
            for (let i = 0; i < 10; i += 1) {
                const t0 = performance.now();
                const view = await NR.api("/web/dashboard.json");
                const t1 = performance.now();
                NRDash.state.view = view;
                NRDash.state.fetchedAt = performance.now();
                NRDash.render();
                fetches.push(t1 - t0);
                draws.push(performance.now() - t1);
            }
            return [fetches, draws];
        }"""
    )
    await context.close()
    return float(statistics.median(times[0])), float(statistics.median(times[1]))


def _region_row(name: str, loads: list[Load], update: tuple[float, float]) -> str:
    wire = max(x.wire_bytes for x in loads)
    rendered = [x.rendered_ms for x in loads]
    ok = max(rendered) < REGION_RENDER_TARGET_MS and wire < REGION_BYTES_TARGET
    return (
        f"| {name:<35} | {loads[0].requests:>8} | {wire / 1000:>8.1f} | "
        f"{statistics.median(rendered):>12.0f} / {max(rendered):>5.0f} | "
        f"{update[0]:>8.0f} / {update[1]:>6.0f} | "
        f"{'yes' if ok else 'NO':<10} |"
    )


async def bench_region(runs: int) -> list[str]:
    """The dashboard of the 5-point region (baseline) and of the 150-point region with
    50 bulletins, each measured cold ``runs`` times at 1920x1080, plus a live update."""
    from screens_bigregion import start_big_region

    lines = [
        "| dashboard                           | requests |  kB wire | rendered ms med / max "
        "| update ms fetch / draw | target met |",
        "|-------------------------------------|----------|----------|-----------------------"
        "|------------------------|------------|",
    ]
    shm = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    async with async_playwright() as p:
        browser = await launch(p)
        for label, start in (
            ("5 points, 3 bulletins", start_region),
            ("150 points, 50 bulletins", start_big_region),
        ):
            with tempfile.TemporaryDirectory(dir=shm) as tmp:
                region = await start(Path(tmp))
                try:
                    url = region.urls["hub-utrecht"] + "/"
                    loads = [await load_once(browser, url, 1920, 1080, False) for _ in range(runs)]
                    lines.append(_region_row(label, loads, await update_ms(browser, url)))
                    if len(region.nodes) > 10:
                        # The points' nodes share this process and its event loop with the
                        # hub; on a real hub they are other devices. Measured again alone:
                        for name in [n for n in region.nodes if n != "hub-utrecht"]:
                            await region.stop(name)
                        loads = [
                            await load_once(browser, url, 1920, 1080, False) for _ in range(runs)
                        ]
                        update = await update_ms(browser, url)
                        lines.append(_region_row(f"{label}, hub alone", loads, update))
                finally:
                    await region.close()
        await browser.close()
    return lines


def bench_report() -> list[str]:
    """`relay report` as shipped (a subprocess) on the simulated six-hour, 150-point
    exercise; the one-hour window of the same store is the baseline."""
    import subprocess
    import time

    from relay.report.sample import make_sample
    from relay.web.region import region_toml

    lines = [
        "| relay report             | seconds | target met |",
        "|--------------------------|---------|------------|",
    ]
    shm = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp:
        base = Path(tmp)
        made = make_sample(base)
        (base / "region.toml").write_text(region_toml(made.region), encoding="utf-8")
        (base / "relay.toml").write_text(
            'role = "hub"\nname = "hub"\n[radio]\nurl = "loop://air/hub"\n'
            '[keys]\nkey = "k"\ncert = "c"\nkeyring = "r"\n[store]\npath = "hub.db"\n'
            '[screen]\nregion = "region.toml"\n[intervals]\nstatus_s = 900\n',
            encoding="utf-8",
        )
        relay = Path(sys.executable).with_name("relay")
        for label, extra in (
            (
                "1 h window (baseline)",
                ["--from", _iso(made.start), "--to", _iso(made.start + 3600)],
            ),
            ("6 h exercise, 150 points", ["--exercise", made.exercise]),
        ):
            t = time.monotonic()
            subprocess.run(
                [
                    str(relay),
                    "report",
                    "--config",
                    str(base / "relay.toml"),
                    "-o",
                    str(base / "report.html"),
                    *extra,
                ],
                check=True,
                capture_output=True,
            )
            took = time.monotonic() - t
            ok = "yes" if took < REPORT_TARGET_S else "NO"
            lines.append(f"| {label:<24} | {took:>7.1f} | {ok:<10} |")
    return lines


def _iso(at: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(at, UTC).isoformat()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--only", choices=("screens", "region", "report"), help="Run one table only."
    )
    args = parser.parse_args()
    if args.only in (None, "screens"):
        for line in asyncio.run(bench(args.runs)):
            print(line)
        print(
            f"targets: kiosk < {KIOSK_BYTES_TARGET // 1000} kB on the wire, "
            f"rendered < {FIRST_RENDER_TARGET_MS:.0f} ms (cold cache, every run a fresh context)"
        )
    if args.only in (None, "region"):
        print()
        for line in asyncio.run(bench_region(args.runs)):
            print(line)
        print(
            f"targets: region dashboard rendered < {REGION_RENDER_TARGET_MS:.0f} ms cold and "
            f"< {REGION_BYTES_TARGET // 1000} kB on the wire"
        )
    if args.only in (None, "report"):
        print()
        for line in bench_report():
            print(line)
        print(f"target: relay report for 6 h / 150 points < {REPORT_TARGET_S:.0f} s")


if __name__ == "__main__":
    main()
