"""The screens over HTTP on whole nodes: headers, login, CSRF, what each view says."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from aiohttp import ClientSession, CookieJar

from relay.daemon import ops
from relay.web import timefmt
from relay.web.sessions import MAX_FAILURES
from relay.wire import hubtime
from relay.wire import model as m
from relay.wire.templates import place_code
from tests.daemon.conftest import wait_for
from tests.web.conftest import PASSWORD, TOKEN, WebCluster

HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def text(nl: str, en: str | None = None, headline: str = "", **kw: Any) -> m.Bulletin:
    texts = [m.LocalizedText("nl", headline, nl)]
    if en:
        texts.append(m.LocalizedText("en", headline, en))
    return m.Bulletin(texts=tuple(texts), **kw)


def client() -> ClientSession:
    # Our servers are on 127.0.0.1; aiohttp keeps cookies of IP hosts only when "unsafe".
    return ClientSession(cookie_jar=CookieJar(unsafe=True))


async def login(http: ClientSession, base: str) -> str:
    r = await http.post(f"{base}/web/login", json={"user": "anna", "password": PASSWORD})
    assert r.status == 200, await r.text()
    return str((await r.json())["csrf"])


async def test_every_response_carries_the_security_headers(web_cluster: WebCluster) -> None:
    base = await web_cluster.start_served("np-001", "point", 1)
    async with client() as http:
        for path in ["/", "/kiosk", "/print", "/static/kiosk.js", "/web/kiosk.json", "/api/state"]:
            r = await http.get(base + path)
            assert r.status == 200, path
            csp = r.headers["Content-Security-Policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
            assert "unsafe-inline" not in csp
            assert r.headers["X-Content-Type-Options"] == "nosniff", path
        missing = await http.get(base + "/nothing-here")
        assert missing.status == 404 and "Content-Security-Policy" in missing.headers
        fonts = await http.get(base + "/static/fonts/OFL.txt")
        assert "SIL OPEN FONT LICENSE" in await fonts.text()
        script = await http.get(base + "/static/kiosk.js")
        assert script.headers["Cache-Control"] == "no-cache"
        assert (await http.get(base + "/web/kiosk.json")).headers["Cache-Control"] == "no-store"


async def test_the_point_changes_nothing_without_login(web_cluster: WebCluster) -> None:
    base = await web_cluster.start_served("np-001", "point", 1)
    node = web_cluster.nodes["np-001"]
    app = web_cluster.runners["np-001"].app
    mutating = sorted(
        {
            r.resource.canonical
            for r in app.router.routes()
            if r.method not in ("GET", "HEAD") and r.resource is not None
        }
    )
    assert "/api/status" in mutating and "/api/displayed" in mutating
    async with client() as http:
        for path in mutating:
            r = await http.post(base + path, json={"visitors": 99, "key_id": "00", "seq": 1})
            expected = (400,) if path == "/web/login" else (401, 403, 404)  # login: no password
            assert r.status in expected, (path, r.status)
        # A session alone is not enough: the CSRF token must come along, from our origin.
        csrf = await login(http, base)
        r = await http.post(base + "/api/status", json={"visitors": 99})
        assert r.status == 401
        r = await http.post(
            base + "/api/status",
            json={"visitors": 99},
            headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"},
        )
        assert r.status == 401
        assert node.engine.status.visitors is None  # type: ignore[union-attr]
        r = await http.post(
            base + "/api/status",
            json={"visitors": 99},
            headers={"X-CSRF-Token": csrf, "Origin": base},
        )
        assert r.status == 200 and (await r.json())["visitors"] == 99
    # The CLI's bearer token still works alongside.
    async with client() as http:
        r = await http.post(
            base + "/api/status", json={"visitors": 7}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert r.status == 200


async def test_login_cookie_logout_and_rate_limit(web_cluster: WebCluster) -> None:
    base = await web_cluster.start_served("np-001", "point", 1)
    async with client() as http:
        r = await http.post(f"{base}/web/login", json={"user": "anna", "password": PASSWORD})
        cookie = r.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
        csrf = (await r.json())["csrf"]
        assert (await (await http.get(f"{base}/web/session")).json())["user"] == "anna"
        assert (await http.post(f"{base}/web/logout", json={})).status == 401  # no CSRF
        r = await http.post(f"{base}/web/logout", json={}, headers={"X-CSRF-Token": csrf})
        assert r.status == 200
        assert (await (await http.get(f"{base}/web/session")).json())["user"] is None
        bad = await http.post(f"{base}/web/login", json={"user": "anna"})
        assert bad.status == 400
    async with client() as http:
        for _ in range(MAX_FAILURES):
            r = await http.post(f"{base}/web/login", json={"user": "anna", "password": "nee"})
            assert r.status == 401
        r = await http.post(f"{base}/web/login", json={"user": "anna", "password": PASSWORD})
        assert r.status == 429 and int(r.headers["Retry-After"]) > 0
        assert (await r.json())["reason"] == "rate_limited"
    async with client() as http:
        r = await http.post(
            f"{base}/web/login",
            json={"user": "anna", "password": PASSWORD},
            headers={"Origin": "http://evil.example"},
        )
        assert r.status == 403


async def test_kiosk_view_orders_replaces_and_hides(web_cluster: WebCluster) -> None:
    hub = await web_cluster.start("hub-utrecht", "hub")
    p1 = await web_cluster.start("np-001", "point", 1)
    base = await web_cluster.serve("np-001")
    minor = ops.issue(hub, text("Klein", "Small", severity=m.Severity.MINOR))["seq"]
    old = ops.issue(hub, text("Kookadvies", severity=m.Severity.SEVERE))["seq"]
    ops.issue(hub, text("Evacuatie", "Evacuation", urgency=m.Urgency.IMMEDIATE))
    ops.issue(hub, text("Kookadvies verlengd", type=m.MsgType.UPDATE, references=(old,)))
    ops.issue(hub, text("Ingetrokken", type=m.MsgType.CANCEL, references=(minor,)))
    ops.issue(hub, text("Alleen voor punt 2", target=m.Target(points=(2,))))
    await wait_for(lambda: len(p1.store.bulletins()) == 6)
    async with client() as http:
        view = await (await http.get(f"{base}/web/kiosk.json?lang=en")).json()
        assert [b["body"] for b in view["bulletins"]] == ["Evacuation", "Kookadvies verlengd"]
        first, second = view["bulletins"]
        assert first["lang"] == "en" and second["lang"] == "nl" and second["type"] == "update"
        assert first["sender"] == "hub-utrecht" and first["priority"] == "urgent"
        assert [lang["code"] for lang in view["langs"]][:2] == ["nl", "en"]
        assert view["ui"]["verified"].startswith("Verified")
        assert view["hub"]["stale"] is False
        assert view["status"]["choices"]["open"] == ["open", "limited", "closed"]
        assert view["status"]["open"] == "unknown" and view["status"]["needs"] == []
        nl = await (await http.get(f"{base}/web/kiosk.json")).json()
        assert nl["ui"]["verified"].startswith("Geverifieerd")
        assert (await http.get(f"{base}/web/kiosk.json?lang=<x>")).status == 400
        assert (await http.get(f"{base}/web/dashboard.json")).status == 404
        assert (await http.get(f"{base}/dashboard")).status == 404


async def test_print_view_escapes_everything(web_cluster: WebCluster) -> None:
    hub = await web_cluster.start("hub-utrecht", "hub")
    p1 = await web_cluster.start("np-001", "point", 1)
    base = await web_cluster.serve("np-001")
    ops.issue(hub, text(HOSTILE, headline='"><svg onload=alert(1)>'))
    await wait_for(lambda: len(ops.inbox(p1)) == 1)
    async with client() as http:
        page = await (await http.get(f"{base}/print")).text()
    assert "<script>window" not in page and "<img" not in page
    # The only SVG is the QR code segno drew (paths, no text), one per bulletin.
    (svg,) = re.findall(r"<svg[^>]*>", page)
    assert re.fullmatch(r'<svg viewBox="0 0 (\d+) \1" class="qr-code">', svg), svg
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;svg onload=alert(1)&gt;" in page


async def test_compose_preview_and_send(web_cluster: WebCluster) -> None:
    base = await web_cluster.start_served("hub-utrecht", "hub")
    form = {
        "type": "alert",
        "mode": "text",
        "texts": [{"lang": "nl", "headline": "Stroom", "body": "Stroomstoring duurt voort"}],
        "urgency": "expected",
        "severity": "moderate",
        "certainty": "likely",
        "expires_in_min": "120",
    }
    async with client() as http:
        assert (await http.post(f"{base}/web/compose/preview", json=form)).status == 401
        csrf = await login(http, base)
        auth = {"X-CSRF-Token": csrf}
        r = await http.post(f"{base}/web/compose/preview", json=form, headers=auth)
        preview = await r.json()
        assert [x["lang"] for x in preview["renders"]] == ["nl", "en"]
        assert preview["renders"][1]["shown_lang"] == "nl"  # no English: Dutch is shown
        cost = preview["cost"]
        assert cost["frames"] == 1 and cost["size"] > 60 and cost["airtime_ms"] > 0
        assert cost["position"] >= 1
        bad = await http.post(
            f"{base}/web/compose/preview", json={**form, "texts": []}, headers=auth
        )
        assert bad.status == 400 and (await bad.json())["field"] == "texts"
        sent = await (await http.post(f"{base}/web/compose/send", json=form, headers=auth)).json()
        assert sent["size"] == cost["size"]  # what was previewed is what is queued
        dash = await (await http.get(f"{base}/web/dashboard.json")).json()
        assert dash["bulletins"][0]["seq"] == sent["seq"]
        assert dash["matrix"]["rows"][0]["seq"] == sent["seq"]


def test_times_are_amsterdam_time_from_hub_time() -> None:
    summer = hubtime.from_datetime(datetime(2025, 7, 1, 12, 0, tzinfo=UTC))
    winter = hubtime.from_datetime(datetime(2025, 12, 1, 12, 0, tzinfo=UTC))
    assert timefmt.clock(summer) == "14:00" and timefmt.utc_offset_s(summer) == 7200
    assert timefmt.clock(winter) == "13:00" and timefmt.utc_offset_s(winter) == 3600
    assert timefmt.moment(summer, summer + 3600) == "14:00"
    assert timefmt.moment(summer, summer + 86400) == "01-07 14:00"
    assert timefmt.moment(summer, None) == "01-07 14:00"


async def test_template_bulletin_reaches_the_kiosk(web_cluster: WebCluster) -> None:
    hub = await web_cluster.start("hub-utrecht", "hub")
    p1 = await web_cluster.start("np-001", "point", 1)
    base = await web_cluster.serve("np-001")
    # boil-water for a gazetteer place (code), until further notice (0)
    houten = place_code("Houten")
    template = m.TemplateValues(code=1, numbers=(houten, 0), texts=())
    ops.issue(hub, m.Bulletin(template=template, severity=m.Severity.SEVERE))
    await wait_for(lambda: len(ops.inbox(p1)) == 1)
    async with client() as http:
        en = await (await http.get(f"{base}/web/kiosk.json?lang=en")).json()
        nl = await (await http.get(f"{base}/web/kiosk.json?lang=nl")).json()
    [b] = en["bulletins"]
    assert b["template"] is True and b["headline"] == "Boil water advice for Houten"
    assert "until further notice" in b["body"]
    assert nl["bulletins"][0]["headline"] == "Kookadvies voor Houten"


async def test_text_is_compressed_and_revalidation_still_works(web_cluster: WebCluster) -> None:
    base = await web_cluster.start_served("hub-utrecht", "hub")
    gzip = {"Accept-Encoding": "gzip"}
    async with ClientSession(auto_decompress=False) as http:
        for path in ("/", "/static/dashboard.js", "/web/dashboard.json"):
            async with http.get(base + path, headers=gzip) as r:
                assert r.status == 200 and r.headers.get("Content-Encoding") == "gzip", path
        async with http.get(base + "/static/dashboard.js", headers=gzip) as r:
            etag = r.headers["ETag"]
        # A browser revalidating a script (Cache-Control: no-cache) gets a valid 304.
        async with http.get(
            base + "/static/dashboard.js", headers={**gzip, "If-None-Match": etag}
        ) as r:
            assert r.status == 304 and await r.read() == b""
        async with http.get(base + "/api/events", headers=gzip) as r:
            assert "Content-Encoding" not in r.headers  # the live stream is never buffered
