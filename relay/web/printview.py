"""The A4 notice for the door: the current bulletins as a static page.

Rendered on the server, so it prints the same from any browser; every piece of
bulletin or node text goes through :func:`html.escape` (never raw into markup).
"""

from __future__ import annotations

from html import escape
from typing import Any

from relay.daemon.node import Node
from relay.web import i18n, qr, timefmt
from relay.web.views import display_name, kiosk, shown_on_kiosk
from relay.wire.keys import format_key_id


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _status_mark(b: dict[str, Any], ui: dict[str, str], exercise: bool) -> str:
    """OEFENING on every exercise card; on a page with exercises, a real one says so."""
    if b["status"] == "exercise":
        return f'<p class="exercise-card">{_e(ui["exercise_card"])}</p>'
    if b["status"] == "test":
        return f'<p class="exercise-card">{_e(ui["test_card"])}</p>'
    return f'<p class="real-card">{_e(ui["real_card"])}</p>' if exercise else ""


def _qr(raw: bytes, ui: dict[str, str]) -> str:
    """The signed message as a QR code (segno's SVG: only our own markup, no text)."""
    code = qr.svg(raw)
    if code is None:
        return f'<p class="qr-none">{_e(ui["qr_too_long"])}</p>'
    return f'<figure class="qr">{code}<figcaption>{_e(ui["qr_caption"])}</figcaption></figure>'


def render(node: Node, lang: str) -> str:
    view = kiosk(node, lang)
    signed = {
        (format_key_id(b.message.envelope.key_id), b.message.envelope.seq): b.message.raw
        for b in shown_on_kiosk(node)
    }
    ui = view["ui"]
    now = node.hub_time()
    printed = ui["printed"].format(time=timefmt.full(now)) if now is not None else ""
    items = []
    exercise = any(b["status"] != "actual" for b in view["bulletins"])
    for b in view["bulletins"]:
        meta = ui["verified"].format(hub=b["sender"], time=b["issued"])
        if b["expires"]:
            meta += " · " + ui["valid_until"].format(time=b["expires"])
        items.append(
            f'<article class="bulletin p-{_e(b["priority"])} s-{_e(b["status"])}" '
            f'lang="{_e(b["lang"])}" dir="auto">{_status_mark(b, ui, exercise)}'
            f'<h2 dir="auto">{_e(b["headline"])}</h2>'
            f'<p class="body" dir="auto">{_e(b["body"])}</p>'
            f'<p class="meta"><bdi>{_e(meta)}</bdi></p>'
            f"{_qr(signed[(b['key_id'], b['seq'])], ui)}</article>"
        )
    if not items:
        items.append(f'<p class="none">{_e(ui["none"])}</p>')
    labels = i18n.labels(lang)
    page_mark = f'<p class="exercise-page">{_e(ui["exercise_page"])}</p>' if exercise else ""
    return (
        "<!doctype html>\n"
        f'<html lang="{_e(lang)}" dir="{_e(view["dir"])}"><head><meta charset="utf-8">'
        f"<title>{_e(labels['title'])} · {_e(display_name(node))}</title>"
        '<link rel="icon" href="/static/icon.svg" type="image/svg+xml">'
        '<link rel="stylesheet" href="/static/print.css">'
        '<script src="/static/print.js" defer></script></head>'
        f"<body>{page_mark}"
        f'<header><h1>{_e(labels["title"])}</h1><p class="where"><bdi>'
        f"{_e(display_name(node))}</bdi> · {_e(printed)}</p>"
        f'<button type="button" id="print" class="noprint">{_e(labels["print"])}</button>'
        f"</header><main>{''.join(items)}</main></body></html>\n"
    )
