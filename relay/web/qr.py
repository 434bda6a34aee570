"""The QR code on the printed notice: the bulletin's exact signed bytes, so a notice on
a door carries its own proof and ``relay check --qr photo.png`` verifies a photo of it.

Chosen by what scans (``tools/bench_qr.py``, 16 signed bulletins, zxing-cpp, each code
given the same pixels, as on paper): base64 text at error-correction level Q. Level Q (25 % of the
codewords may be lost) read 14 of 16 codes with a band of 15 % painted over, where level M
read none, binary or base64; a notice gets folded, taped and caught in glare, and a phone
can step closer more easily than a fold can be undone. Base64 rather than raw bytes: as
robust at Q in that run (binary/Q read 7 of 16 under the 15 % band), it survives scanner
apps that treat QR content as text and mangle bytes >= 0x80, and it is what ``relay
check`` reads anyway; the price is a larger code (a three-language bulletin of 227 bytes:
version 16, 81 modules, 0.5 mm each at 45 mm). The whole message goes in one code; one too
large for a QR code (over ~1.2 kB signed) gets none, and the page says so.
"""

from __future__ import annotations

import base64

import segno


def payload(raw: bytes) -> str:
    """What the code holds: the signed message as base64 text."""
    return base64.b64encode(raw).decode("ascii")


def svg(raw: bytes) -> str | None:
    """An inline SVG QR code of ``raw`` (sized by CSS), or None when it does not fit one."""
    try:
        code = segno.make(payload(raw), error="q", micro=False)
    except segno.DataOverflowError:
        return None
    # omitsize: a viewBox instead of pixel sizes, so print.css sets the printed size.
    return str(code.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr-code"))


def png(raw: bytes, path: str, scale: int = 6) -> None:
    """A PNG of the code (``relay qr``), with the quiet zone scanners need."""
    segno.make(payload(raw), error="q", micro=False).save(path, kind="png", scale=scale, border=4)
