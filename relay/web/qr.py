"""The QR code on the printed notice: the bulletin's exact signed bytes, so a notice on
a door carries its own proof and ``relay check --qr photo.png`` verifies a photo of it.

Base64 text in byte mode rather than raw binary: a QR code of binary bytes is valid, but
phone scanner apps and many decoders treat QR content as text (ISO 8859-1 or UTF-8
guesses) and mangle bytes >= 0x80; base64 survives any of them, is what ``relay check``
already reads, and costs a third more modules (a one-frame bulletin of ~200 bytes: version
11-13, 61-69 modules across, at level M). Level M (15 % of the code may be lost) over L,
because a notice gets folded, taped and photographed at an angle. The whole message goes
in one code; one too large for a QR code gets none, and the page says so.
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
        code = segno.make(payload(raw), error="m", micro=False)
    except segno.DataOverflowError:
        return None
    # omitsize: a viewBox instead of pixel sizes, so print.css sets the printed size.
    return str(code.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr-code"))


def png(raw: bytes, path: str, scale: int = 6) -> None:
    """A PNG of the code (``relay qr``), with the quiet zone scanners need."""
    segno.make(payload(raw), error="m", micro=False).save(path, kind="png", scale=scale, border=4)
