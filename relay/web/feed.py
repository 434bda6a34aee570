"""Read-only feeds of the bulletins a screen shows: Atom 1.0, JSON Feed 1.1, and each
bulletin as CAP 1.2, for other systems on the same network (a municipality's website, a
control room's feed reader, a CAP aggregator).

The feeds hold exactly what the node's public kiosk shows (active bulletins meant for this
node, no Cancel notices) and nothing else: no help requests, no point status, no staff
data; so they need no login. Each entry links to its CAP alert at ``/cap/<seq>.xml``,
which carries the exact signed bytes, so a reader can verify it with ``relay check``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from relay.daemon.node import Node
from relay.engine.hub import HubEngine
from relay.store.store import StoredBulletin
from relay.web import i18n
from relay.web.render import render_bulletin
from relay.web.views import body_of, display_name, shown_on_kiosk
from relay.wire import describe
from relay.wire.cap_export import CapContext, to_cap
from relay.wire.keys import format_key_id
from relay.wire.model import AlertStatus

ATOM = "http://www.w3.org/2005/Atom"
#: The media type IANA registered for CAP.
CAP_TYPE = "application/common-alerting-protocol+xml"
JSON_FEED = "https://jsonfeed.org/version/1.1"


def _entry_id(b: StoredBulletin) -> str:
    env = b.message.envelope
    return f"urn:noodrelay:{format_key_id(env.key_id)}:{env.seq}"


def _mark(b: StoredBulletin, lang: str) -> str:
    """An exercise or test says so in its title, as on every screen."""
    status = body_of(b).status
    if status is AlertStatus.ACTUAL:
        return ""
    key = "exercise_card" if status is AlertStatus.EXERCISE else "test_card"
    # "OEFENING: dit is geen echte melding" -> "OEFENING: "
    return i18n.labels(lang)[key].split(":")[0] + ": "


def _item(b: StoredBulletin, lang: str, base: str) -> dict[str, Any]:
    env = b.message.envelope
    body = body_of(b)
    text = render_bulletin(body, lang, env.time)
    expires = body.expires_at(env.time)
    return {
        "id": _entry_id(b),
        "title": _mark(b, lang) + (text.headline or text.body[:80]),
        "text": text.body,
        "lang": text.lang,
        "published": describe.iso(env.time),
        "expires": None if expires is None else describe.iso(expires),
        "cap": f"{base}/cap/{env.seq}.xml",
        "author": b.sender,
        "tags": [
            body.type.name.lower(),
            body.status.name.lower(),
            f"urgency:{body.urgency.name.lower()}",
            f"severity:{body.severity.name.lower()}",
        ],
    }


def items(node: Node, lang: str, base: str) -> list[dict[str, Any]]:
    """The entries of both feeds: what the kiosk shows, in ``lang`` where it can."""
    return [_item(b, lang, base) for b in shown_on_kiosk(node)]


def _updated(items: list[dict[str, Any]], node: Node) -> str:
    if items:
        return max(str(i["published"]) for i in items)
    now = node.hub_time()
    return describe.iso(now or 0)


def _text(parent: ET.Element, tag: str, value: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    el.text = value
    return el


def atom(node: Node, items: list[dict[str, Any]], lang: str, base: str, self_url: str) -> bytes:
    title = f"{i18n.labels(lang)['title']} · {display_name(node)}"
    key = format_key_id(node.engine.issuer.key.key_id)
    # Declared by hand: ElementTree's default_namespace refuses unqualified attributes.
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": lang})
    _text(feed, "id", f"urn:noodrelay:feed:{key}")
    _text(feed, "title", title)
    _text(feed, "updated", _updated(items, node))
    _text(_text(feed, "author", ""), "name", display_name(node))
    ET.SubElement(feed, "link", rel="self", href=self_url)
    ET.SubElement(feed, "link", rel="alternate", href=f"{base}/kiosk", type="text/html")
    for item in items:
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", item["id"])
        _text(entry, "title", item["title"])
        _text(entry, "updated", item["published"])
        _text(entry, "published", item["published"])
        _text(_text(entry, "author", ""), "name", item["author"])
        ET.SubElement(entry, "link", rel="alternate", type=CAP_TYPE, href=item["cap"])
        for tag in item["tags"]:
            ET.SubElement(entry, "category", term=tag)
        _text(entry, "content", item["text"], type="text", **{"xml:lang": item["lang"]})
    xml = ET.tostring(feed, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + xml + "\n").encode("utf-8")


def json_feed(node: Node, items: list[dict[str, Any]], lang: str, base: str) -> dict[str, Any]:
    return {
        "version": JSON_FEED,
        "title": f"{i18n.labels(lang)['title']} · {display_name(node)}",
        "home_page_url": f"{base}/kiosk",
        "feed_url": f"{base}/feed.json",
        "language": lang,
        "authors": [{"name": display_name(node)}],
        "items": [
            {
                "id": i["id"],
                "url": i["cap"],
                "title": i["title"],
                "content_text": i["text"],
                "language": i["lang"],
                "date_published": i["published"],
                "authors": [{"name": i["author"]}],
                "tags": i["tags"],
                "attachments": [{"url": i["cap"], "mime_type": CAP_TYPE}],
                "_noodrelay": {"expires": i["expires"]},
            }
            for i in items
        ],
    }


def _find(node: Node, seq: int) -> StoredBulletin | None:
    """The bulletin number ``seq`` that this screen shows or showed: on the hub its own,
    on a point one meant for it (from its region hub's key first)."""
    rows = [b for b in node.store.bulletins() if b.message.envelope.seq == seq]
    if isinstance(node.engine, HubEngine):
        rows = [b for b in rows if b.message.envelope.key_id == node.engine.key_id]
    else:
        rows = [b for b in rows if b.targeted]
    return rows[0] if rows else None


def cap_xml(node: Node, seq: int) -> bytes | None:
    """The CAP alert of bulletin ``seq`` as this screen shows it; None if there is none."""
    b = _find(node, seq)
    if b is None:
        return None
    key = b.message.envelope.key_id

    def sent_of(ref: int) -> int | None:
        found = node.store.bulletin(key, ref)
        return None if found is None else found.message.envelope.time

    return to_cap(b.message, CapContext(b.sender, sent_of=sent_of))
