"""The printed notice's QR code: how big it gets, and how much damage a scan survives.

For signed sample bulletins (shortest, median and longest one-language texts of the
corpus, and a three-language one), the QR version and width in modules for what we print
(base64 text, level M) against the baseline of raw binary bytes at level M and base64 at
level L; then, per image degradation (resolution, blur, rotation, JPEG, a band painted
over), how many of the codes zxing-cpp reads back to the exact signed bytes, base64/M
against binary/M. Numbers from this run only; the decoder is the one `relay check --qr` uses.

    .venv/bin/python tools/bench_qr.py
"""

from __future__ import annotations

import base64
import io
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

import segno
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_size import CORPUS, HUB, NOW, SEQ, read_corpus

from relay.wire import envelope
from relay.wire import model as m

Degrade = Callable[[Image.Image], Image.Image]


def bulletin(texts: tuple[m.LocalizedText, ...]) -> bytes:
    body = m.Bulletin(
        texts=texts,
        urgency=m.Urgency.EXPECTED,
        severity=m.Severity.MODERATE,
        certainty=m.Certainty.LIKELY,
        expires_in_min=24 * 60,
    )
    return envelope.sign(HUB, SEQ, NOW, body).raw


def samples() -> dict[str, bytes]:
    lines = sorted((t for _, t in read_corpus(CORPUS)), key=len)
    # 15 one-language bulletins spread over the corpus by length, shortest to longest.
    picks = [lines[round(i * (len(lines) - 1) / 14)] for i in range(15)]
    out = {f"nl #{i + 1}": bulletin((m.LocalizedText("nl", "", t),)) for i, t in enumerate(picks)}
    out["nl+en+ar"] = bulletin(
        (
            m.LocalizedText("nl", "Drinkwater", lines[-1]),
            m.LocalizedText("en", "Drinking water", "Drinking water at the sports hall."),
            m.LocalizedText("ar", "مياه الشرب", "مياه الشرب في القاعة الرياضية."),
        )
    )
    return out


def code(raw: bytes, kind: str) -> segno.QRCode:
    level = kind.rsplit("/", 1)[1].lower()
    if kind.startswith("binary"):
        return segno.make(raw, error=level, micro=False, boost_error=False)
    return segno.make(base64.b64encode(raw).decode(), error=level, micro=False, boost_error=False)


def image(qr: segno.QRCode, px: int) -> Image.Image:
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=px, border=4)
    buf.seek(0)
    return Image.open(buf).convert("L")


def _blur(radius: float) -> Degrade:
    return lambda im: im.filter(ImageFilter.GaussianBlur(radius))


def _jpeg(quality: int) -> Degrade:
    def apply(im: Image.Image) -> Image.Image:
        buf = io.BytesIO()
        im.save(buf, format="JPEG", quality=quality)
        buf.seek(0)
        return Image.open(buf).convert("L")

    return apply


def _band(share: float) -> Degrade:
    """Paint over a horizontal band through the middle (a fold, tape, a glare)."""

    def apply(im: Image.Image) -> Image.Image:
        im = im.copy()
        h = int(im.height * share)
        top = (im.height - h) // 2
        ImageDraw.Draw(im).rectangle((0, top, im.width, top + h), fill=255)
        return im

    return apply


def _rotate(deg: float) -> Degrade:
    return lambda im: im.rotate(deg, expand=True, fillcolor=255)


def _chain(*steps: Degrade) -> Degrade:
    def apply(im: Image.Image) -> Image.Image:
        for s in steps:
            im = s(im)
        return im

    return apply


#: (label, pixels across the whole printed code, degradation). Every code is printed 45 mm
#: wide whatever its version, so a photo gives each the same pixels: a larger version
#: gets fewer pixels per module.
CONDITIONS: list[tuple[str, int, Degrade]] = [
    ("clean, 400 px across", 400, lambda im: im),
    ("distant photo, 120 px across", 120, lambda im: im),
    ("distant photo, 95 px across", 95, lambda im: im),
    ("blur r=2, 400 px", 400, _blur(2)),
    ("blur r=3, 400 px", 400, _blur(3)),
    ("rotated 7 deg, blur 1, JPEG q=40", 400, _chain(_rotate(7), _blur(1), _jpeg(40))),
    ("band 8 % painted over", 400, _band(0.08)),
    ("band 15 % painted over", 400, _band(0.15)),
    ("band 25 % painted over", 400, _band(0.25)),
]


def reads(raw: bytes, kind: str, across: int, degrade: Degrade) -> bool:
    sharp = image(code(raw, kind), 8)
    im = degrade(sharp.resize((across, across), Image.Resampling.BILINEAR))
    qr_only = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    for r in zxingcpp.read_barcodes(im, formats=qr_only):
        got = (
            r.bytes if kind.startswith("binary") else base64.b64decode(r.text or "", validate=False)
        )
        if r.valid and got == raw:
            return True
    return False


def main() -> None:
    msgs = samples()
    kinds = ("base64/Q", "binary/Q", "base64/M", "binary/M")
    print("## QR code size (version, modules across; 45 mm on paper -> mm per module)\n")
    print("| bulletin | signed bytes | " + " | ".join(kinds) + " |")
    print("|---|---|" + "---|" * len(kinds))
    for name, raw in msgs.items():
        if name.startswith("nl #") and name not in ("nl #1", "nl #8", "nl #15"):
            continue  # the size table shows shortest, median, longest
        cells = []
        for kind in kinds:
            qr = code(raw, kind)
            width = qr.symbol_size(border=0)[0]
            cells.append(f"v{qr.version}, {width} ({45 / (width + 8):.2f} mm)")
        print(f"| {name} | {len(raw)} | " + " | ".join(cells) + " |")
    print(f"\n## Read back exactly by zxing-cpp (of the {len(msgs)} bulletins)\n")
    print("| condition | base64/Q (printed) | binary/Q | base64/M | binary/M (baseline) |")
    print("|---|---|---|---|---|")
    totals: dict[str, list[int]] = {k: [] for k in kinds}
    for label, across, degrade in CONDITIONS:
        cells = []
        for kind, counts in totals.items():
            ok = sum(reads(raw, kind, across, degrade) for raw in msgs.values())
            counts.append(ok)
            cells.append(f"{ok}/{len(msgs)}")
        print(f"| {label} | " + " | ".join(cells) + " |")
    means = ", ".join(f"{k} {statistics.mean(v):.2f}" for k, v in totals.items())
    print(f"\nmean read per condition (of {len(msgs)}): {means}")


if __name__ == "__main__":
    main()
