"""The read-only feeds on a real aiohttp server: Atom 1.0 and JSON Feed 1.1 of what the
kiosk shows, each entry linking to its CAP alert, which verifies like any message."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import aiohttp

from relay.daemon import help_ops, ops
from relay.wire import model as m
from relay.wire.cap import NS as CAP_NS
from relay.wire.cap import parse_cap
from relay.wire.cap_export import SIGNED_PARAMETER
from relay.wire.trust import Keyring, Verifier
from tests.daemon.conftest import wait_for
from tests.web.conftest import WebCluster

A = "{http://www.w3.org/2005/Atom}"
FIRE = m.Bulletin(
    texts=(
        m.LocalizedText("nl", "Grote brand", "Blijf binnen, ramen dicht."),
        m.LocalizedText("en", "Major fire", "Stay indoors, windows shut."),
    ),
    urgency=m.Urgency.IMMEDIATE,
    severity=m.Severity.SEVERE,
    certainty=m.Certainty.OBSERVED,
    categories=m.Category.FIRE,
    expires_in_min=60,
)
HELP = {"type": "medical", "urgency": "urgent", "people": 1, "location": "Kerkplein 3",
        "text": "Val van trap", "handler": "Anna"}  # fmt: skip


async def region(web_cluster: WebCluster) -> tuple[Any, Any, str, str]:
    hub = await web_cluster.start("hub-utrecht", "hub")
    p1 = await web_cluster.start("np-001", "point", 1)
    await web_cluster.serve("hub-utrecht")
    point_url = await web_cluster.serve("np-001")
    ops.issue(hub, FIRE)
    ops.issue(hub, replace(FIRE, status=m.AlertStatus.EXERCISE, expires_in_min=0))
    ops.issue(hub, m.Bulletin(texts=(m.LocalizedText("nl", "", "Alleen punt 2"),),
                              target=m.Target(points=(2,))))  # fmt: skip
    help_ops.send(p1, HELP)
    await wait_for(lambda: len(hub.store.bulletins()) == 3 and len(p1.store.bulletins()) >= 3)
    return hub, p1, web_cluster.url("hub-utrecht"), point_url


async def get(url: str) -> tuple[str, bytes]:
    async with aiohttp.ClientSession() as http, http.get(url) as r:
        assert r.status == 200, await r.text()
        return r.headers["Content-Type"], await r.read()


def verify(xml: bytes, keyring: Keyring) -> m.SignedMessage:
    """The signed bytes a CAP alert carries, verified like a radio frame."""
    root = ET.fromstring(xml)
    q = f"{{{CAP_NS}}}"
    (value,) = {
        p.findtext(q + "value")
        for p in root.iter(q + "parameter")
        if p.findtext(q + "valueName") == SIGNED_PARAMETER
    }
    return Verifier(keyring).verify(base64.b64decode(value or "")).message


async def test_atom_feed_lists_what_the_kiosk_shows(web_cluster: WebCluster) -> None:
    _, _, _, point = await region(web_cluster)
    kind, body = await get(point + "/feed.atom")
    assert kind.startswith("application/atom+xml")
    feed = ET.fromstring(body)
    assert feed.tag == A + "feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(A + required) is not None, required
    entries = feed.findall(A + "entry")
    titles = sorted(e.findtext(A + "title") or "" for e in entries)
    # The targeted bulletin is for point 2 only: point 1's kiosk and feed leave it out.
    assert titles == ["Grote brand", "OEFENING: Grote brand"]
    for e in entries:
        for required in ("id", "title", "updated", "content"):
            assert e.find(A + required) is not None, required
    assert b"Val van trap" not in body and b"Kerkplein" not in body  # no help request data
    english = ET.fromstring((await get(point + "/feed.atom?lang=en"))[1])
    assert "EXERCISE: Major fire" in [e.findtext(A + "title") for e in english.iter(A + "entry")]


async def test_every_entry_links_to_a_cap_alert_that_verifies(web_cluster: WebCluster) -> None:
    hub, _, _, point = await region(web_cluster)
    keyring = hub.engine.keyring
    feed = ET.fromstring((await get(point + "/feed.atom"))[1])
    statuses = set()
    for entry in feed.iter(A + "entry"):
        link = entry.find(A + "link[@rel='alternate']")
        assert link is not None and link.get("type") == "application/common-alerting-protocol+xml"
        kind, xml = await get(link.get("href") or "")
        assert kind.startswith("application/common-alerting-protocol+xml")
        alert = parse_cap(xml)
        statuses.add(alert.status)
        msg = verify(xml, keyring)
        assert alert.identifier.endswith(f"-{msg.envelope.seq}")
    assert statuses == {m.AlertStatus.ACTUAL, m.AlertStatus.EXERCISE}


async def test_json_feed(web_cluster: WebCluster) -> None:
    _, _, hub_url, _ = await region(web_cluster)
    kind, body = await get(hub_url + "/feed.json")
    assert kind.startswith("application/feed+json")
    doc = json.loads(body)
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["feed_url"] == hub_url + "/feed.json"
    # The hub's own screen shows all its bulletins, the targeted one included.
    assert len(doc["items"]) == 3
    for item in doc["items"]:
        assert item["id"] and item["content_text"] and item["date_published"].endswith("Z")
        assert item["url"].startswith(hub_url + "/cap/")
        assert item["attachments"][0]["mime_type"] == "application/common-alerting-protocol+xml"
    assert b"Val van trap" not in body


async def test_unknown_bulletin_is_404_and_no_login_is_needed(web_cluster: WebCluster) -> None:
    _, _, _, point = await region(web_cluster)
    async with aiohttp.ClientSession() as http:
        async with http.get(point + "/cap/999.xml") as r:
            assert r.status == 404
        async with http.get(point + "/cap/abc.xml") as r:
            assert r.status == 404
        async with http.get(point + "/feed.atom?lang=%3Cx%3E") as r:
            assert r.status == 400
        async with http.get(point + "/") as r:  # feed readers find the feeds from the kiosk
            page = await r.text()
    assert 'type="application/atom+xml" href="/feed.atom"' in page
    assert 'type="application/feed+json" href="/feed.json"' in page
