"""Any path, same proof: the A4 notice rendered by real Chromium carries a QR code of each
bulletin's signed bytes; a screenshot of the printed page (and a skewed, blurred JPEG of
it, as a phone photo would be) verifies with ``relay check --qr``; an image without a code
or with a damaged one gets a one-line error."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter

from relay.daemon import ops
from relay.wire import model as m
from tests.daemon.conftest import wait_for
from tests.helpers import point_toml
from tests.web.conftest import TOKEN, WebCluster

pytestmark = pytest.mark.browser

#: A4 at 96 CSS pixels per inch; device scale 2 makes the screenshot ~190 dpi.
A4 = {"width": 794, "height": 1123}


def relay(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "relay", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def printed_page(web_cluster: WebCluster, browser: Any, out: Path) -> list[int]:
    """Two bulletins on a point's notice, screenshotted as printed; their numbers."""
    hub = await web_cluster.start("hub-utrecht", "hub")
    point = await web_cluster.start("np-001", "point", 1)
    url = await web_cluster.serve("np-001")
    water = m.Bulletin(
        texts=(m.LocalizedText("nl", "Drinkwater", "Drinkwater bij sporthal De Vliert."),),
        urgency=m.Urgency.EXPECTED,
        severity=m.Severity.MODERATE,
        expires_in_min=240,
    )
    drill = m.Bulletin(
        texts=(m.LocalizedText("nl", "Evacuatie", "Verlaat de wijk via de Dorpsstraat."),),
        status=m.AlertStatus.EXERCISE,
    )
    seqs = [ops.issue(hub, water)["seq"], ops.issue(hub, drill)["seq"]]
    await wait_for(lambda: len(ops.inbox(point)) == 2)
    context = await browser.new_context(viewport=A4, device_scale_factor=2)
    page = await context.new_page()
    await page.emulate_media(media="print")
    await page.goto(url + "/print")
    assert await page.locator("figure.qr svg").count() == 2
    await page.screenshot(path=str(out), full_page=True)
    await context.close()
    return seqs


def check(cwd: Path, image: Path) -> subprocess.CompletedProcess[str]:
    return relay(cwd, "check", "--qr", str(image), "--keyring", "keys", "--json")


async def test_printed_qr_codes_verify(
    web_cluster: WebCluster, browser: Any, tmp_path: Path
) -> None:
    page = tmp_path / "page.png"
    seqs = await printed_page(web_cluster, browser, page)
    proc = check(tmp_path, page)
    assert proc.returncode == 0, proc.stderr
    reports = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["valid"] for r in reports] == [True, True]
    assert sorted(r["seq"] for r in reports) == sorted(seqs)
    assert {r["sender"]["name"] for r in reports} == {"hub-utrecht"}
    assert {r["content"]["status"] for r in reports} == {"actual", "exercise"}

    # A phone photo: turned a little, out of focus, JPEG.
    photo = tmp_path / "photo.jpg"
    with Image.open(page) as img:
        skewed = img.convert("RGB").rotate(4, expand=True, fillcolor="white")
        skewed.filter(ImageFilter.GaussianBlur(1.2)).save(photo, quality=70)
    proc = check(tmp_path, photo)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 2


async def test_no_code_and_damaged_code_are_one_line_errors(
    web_cluster: WebCluster, browser: Any, tmp_path: Path
) -> None:
    page = tmp_path / "page.png"
    await printed_page(web_cluster, browser, page)
    with Image.open(page) as img:
        found = zxingcpp.read_barcodes(img.convert("L"))
        assert len(found) == 2
        # No code: the page's header only.
        top = min(r.position.top_left.y for r in found)
        img.crop((0, 0, img.width, top - 20)).save(tmp_path / "header.png")
        # Damaged: a third of each code painted over (more than level M restores).
        damaged = img.convert("RGB")
        draw = ImageDraw.Draw(damaged)
        for r in found:
            p = r.position
            x0, y0, x1, y1 = p.top_left.x, p.top_left.y, p.bottom_right.x, p.bottom_right.y
            third = (y1 - y0) // 3
            draw.rectangle((x0, y0 + third, x1, y0 + 2 * third), fill="white")
        damaged.save(tmp_path / "damaged.png")
    for name in ("header.png", "damaged.png"):
        proc = relay(tmp_path, "check", "--qr", name, "--keyring", "keys")
        assert proc.returncode == 2, (name, proc.stdout, proc.stderr)
        assert proc.stdout == ""
        lines = proc.stderr.splitlines()
        assert lines == [f"{name}: invalid: no readable QR code (none in the image, or damaged)"]
    proc = relay(tmp_path, "check", "--qr", "missing.png", "--keyring", "keys")
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1


async def test_notice_photographed_at_one_point_is_imported_at_another(
    web_cluster: WebCluster, browser: Any, tmp_path: Path
) -> None:
    """The whole paper path: the notice printed at point 1, photographed, carried to
    point 2 (which never heard the hub), imported from the photo, shown there verified."""
    page = tmp_path / "page.png"
    seqs = await printed_page(web_cluster, browser, page)
    # From now on nobody on the air has the hub's bulletins to give.
    await web_cluster.stop("hub-utrecht")
    await web_cluster.stop("np-001")
    await web_cluster.start("np-002", "point", 2)
    url = await web_cluster.serve("np-002")
    point_toml(tmp_path, web_cluster.ports["np-002"], "np-002", 2, TOKEN)
    proc = await asyncio.to_thread(
        relay, tmp_path, "import", "--qr", "page.png", "--config", "np-002.toml"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("verified bulletin") == 2
    assert "(exercise)" in proc.stdout
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    kiosk = await context.new_page()
    await kiosk.goto(url + "/")
    await kiosk.wait_for_function(
        "() => document.querySelectorAll('#bulletins article').length == 2"
    )
    trust = await kiosk.locator("#bulletins article [data-trust]").all_inner_texts()
    # Verified and named for the authority; "possibly outdated": this point never heard the hub.
    assert trust == ["⚠ Van hub-utrecht, maar mogelijk verouderd"] * 2
    assert len(seqs) == 2
    await context.close()
