"""Mount the screens on the daemon's aiohttp application.

``add_screens(app, node)`` adds the kiosk (``/`` on a point, ``/kiosk`` everywhere),
the dashboard (``/`` on the hub), the print view, the staff login and the screens'
JSON views, and plugs the session login into the API's ``SESSION_CHECK``. Every
response carries a strict Content-Security-Policy: scripts only from our own files,
no inline script, no framing; so text that slipped into markup could still not run.
"""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from relay.daemon import api, ops
from relay.daemon.config import User
from relay.daemon.node import Node
from relay.engine.hub import HubEngine
from relay.errors import StoreError
from relay.web import compose, feed, printview, views
from relay.web.auth import Accounts
from relay.web.dashboard_labels import dashboard_ui
from relay.web.help_labels import help_ui
from relay.web.region import RegionMap, load_region
from relay.web.render import DEFAULT_LANG, valid_lang
from relay.web.sessions import (
    FAILURE_WINDOW_S,
    MAX_CONCURRENT_CHECKS,
    MAX_QUEUED_CHECKS,
    LoginLimiter,
    Session,
    SessionStore,
)

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
COOKIE = "relay_session"
CSRF_HEADER = "X-CSRF-Token"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@dataclass(kw_only=True)
class Logins:
    """Staff logins: accounts, sessions and the limits on failed tries (shared by a
    node's screens and the national node's API)."""

    accounts: Accounts
    sessions: SessionStore
    limiter: LoginLimiter
    #: Login checks run in a thread: scrypt takes tens of milliseconds.
    background: Callable[..., Any] = field(default=asyncio.to_thread)
    #: At most MAX_CONCURRENT_CHECKS scrypt runs at once (CPU and 16 MiB each).
    checks: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(MAX_CONCURRENT_CHECKS)
    )
    checks_waiting: int = 0

    async def check_password(self, name: str, password: str) -> bool:
        self.checks_waiting += 1
        try:
            async with self.checks:
                return bool(await self.background(self.accounts.check, name, password))
        finally:
            self.checks_waiting -= 1

    def session(self, request: web.Request) -> Session | None:
        return self.sessions.get(request.cookies.get(COOKIE))


@dataclass(kw_only=True)
class Screens(Logins):
    node: Node
    #: Where the points and relay sites stand (the dashboard's map).
    region: RegionMap = field(default_factory=RegionMap)

    @property
    def is_hub(self) -> bool:
        return isinstance(self.node.engine, HubEngine)


SCREENS: web.AppKey[Screens] = web.AppKey("screens", Screens)
LOGINS: web.AppKey[Logins] = web.AppKey("logins", Logins)


def _logins(request: web.Request) -> Logins:
    return request.app[LOGINS]


def _screens(request: web.Request) -> Screens:
    return request.app[SCREENS]


def _same_origin(request: web.Request) -> bool:
    """A browser names the page that sent a request; it must be one of ours."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not sent by every client; the CSRF token still has to match
    return urlsplit(origin).netloc == request.host


async def session_check(request: web.Request) -> bool:
    """The API's ``SESSION_CHECK``: a live staff session *and* its CSRF token."""
    screens = request.app.get(LOGINS)
    if screens is None:
        return False
    session = screens.session(request)
    return (
        session is not None
        and _same_origin(request)
        and SessionStore.csrf_ok(session, request.headers.get(CSRF_HEADER))
    )


def _denied(status: int, message: str, reason: str) -> web.Response:
    return web.json_response({"error": message, "reason": reason}, status=status)


#: Worth compressing (the live event stream is not: it must not be buffered).
_COMPRESSIBLE = (
    "application/json",
    "application/atom+xml",
    "application/feed+json",
    "application/common-alerting-protocol+xml",
    "text/html",
    "text/css",
    "application/javascript",
    "text/javascript",
    "image/svg+xml",
)


def _retry_later(status: int, wait: float, message: str, reason: str) -> web.Response:
    response = _denied(status, message, reason)
    response.headers["Retry-After"] = str(int(wait) + 1)
    return response


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)

    if request.path.startswith(("/web/", "/api/")) or response.content_type == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    elif request.path.startswith("/static/fonts/"):
        response.headers.setdefault("Cache-Control", "max-age=86400")
    elif request.path.startswith("/static/"):
        # Revalidate (a cheap 304): after an upgrade no browser keeps yesterday's script.
        response.headers.setdefault("Cache-Control", "no-cache")


@web.middleware
async def _compress(request: web.Request, handler: Any) -> web.StreamResponse:
    """Gzip text responses: the 150-point dashboard's view is ~110 kB of JSON, ~15 kB
    gzipped. (A response prepared by its handler, such as the event stream, is left alone:
    compression is decided before the headers go out.)"""
    response: web.StreamResponse = await handler(request)
    kind = response.content_type
    if isinstance(response, web.FileResponse):
        if _conditional(request):
            return response
        kind = mimetypes.guess_type(request.path)[0] or ""  # known only once it is sent
    if not response.prepared and kind in _COMPRESSIBLE:
        response.enable_compression()
    return response


def _conditional(request: web.Request) -> bool:
    """A revalidation (likely a 304): aiohttp sends a broken 304 when it is compressed."""
    return any(h in request.headers for h in ("If-None-Match", "If-Modified-Since", "Range"))


# --- pages ----------------------------------------------------------------------------


def _page(name: str) -> web.FileResponse:
    return web.FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})


async def index(request: web.Request) -> web.StreamResponse:
    page = _page("dashboard.html" if _screens(request).is_hub else "kiosk.html")
    if not _conditional(request):
        page.enable_compression()
    return page


async def kiosk_page(request: web.Request) -> web.StreamResponse:
    return _page("kiosk.html")


async def dashboard_page(request: web.Request) -> web.StreamResponse:
    if not _screens(request).is_hub:
        raise web.HTTPNotFound(text="the dashboard runs on the hub; this is a support point")
    return _page("dashboard.html")


def _lang(request: web.Request) -> str:
    lang = request.query.get("lang", DEFAULT_LANG)
    if not valid_lang(lang):
        raise web.HTTPBadRequest(text="lang must be a language code such as nl or en")
    return lang


async def print_page(request: web.Request) -> web.Response:
    html = printview.render(_screens(request).node, _lang(request))
    return web.Response(text=html, content_type="text/html", charset="utf-8")


# --- feeds (read-only, public: what the kiosk shows) ------------------------------------


def _feed_items(request: web.Request) -> tuple[list[dict[str, Any]], str, str]:
    lang = _lang(request)
    base = f"{request.scheme}://{request.host}"
    return feed.items(_screens(request).node, lang, base), lang, base


async def feed_atom(request: web.Request) -> web.Response:
    items, lang, base = _feed_items(request)
    body = feed.atom(_screens(request).node, items, lang, base, str(request.url))
    return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")


async def feed_json(request: web.Request) -> web.Response:
    items, lang, base = _feed_items(request)
    doc = feed.json_feed(_screens(request).node, items, lang, base)
    text = json.dumps(doc, ensure_ascii=False)
    return web.Response(text=text, content_type="application/feed+json", charset="utf-8")


async def cap_alert(request: web.Request) -> web.Response:
    xml = feed.cap_xml(_screens(request).node, int(request.match_info["seq"]))
    if xml is None:
        raise web.HTTPNotFound(text="no such bulletin on this screen")
    return web.Response(body=xml, content_type=feed.CAP_TYPE, charset="utf-8")


# --- JSON views -----------------------------------------------------------------------


async def kiosk_json(request: web.Request) -> web.Response:
    return web.json_response(views.kiosk(_screens(request).node, _lang(request)))


async def help_ui_json(request: web.Request) -> web.Response:
    """Labels and choices for the help scripts (they hold no request data)."""
    return web.json_response(help_ui(_lang(request)))


async def dashboard_ui_json(request: web.Request) -> web.Response:
    """Every word of the dashboard, its help panel included, in one language."""
    return web.json_response(dashboard_ui(_lang(request)))


async def dashboard_json(request: web.Request) -> web.Response:
    screens = _screens(request)
    if not screens.is_hub:
        return _denied(404, "the dashboard runs on the hub", "not_for_this_role")
    return web.json_response(views.dashboard(screens.node, screens.region))


# --- login ----------------------------------------------------------------------------


async def session_info(request: web.Request) -> web.Response:
    screens = _logins(request)
    session = screens.session(request)
    if session is None:
        return web.json_response({"user": None, "accounts": bool(screens.accounts)})
    return web.json_response({"user": session.user, "csrf": session.csrf})


async def login(request: web.Request) -> web.Response:
    screens = _logins(request)
    if not _same_origin(request):
        return _denied(403, "login from another site refused", "cross_origin")
    try:
        data = await request.json()
        name, password = str(data["user"]), str(data["password"])
    except (ValueError, KeyError, TypeError):
        return _denied(400, "give user and password", "bad_request")
    client = f"ip:{request.remote}"
    if screens.checks_waiting >= MAX_QUEUED_CHECKS:
        return _retry_later(503, 2.0, "too many logins at once; try again", "busy")
    wait = screens.limiter.begin(client)  # booked before any await: no race past the limit
    if wait > 0:
        return _retry_later(429, wait, f"too many failed logins; wait {wait:.0f} s", "rate_limited")
    if not await screens.check_password(name, password):
        log.warning("failed screen login for %r from %s", name[:64], request.remote)
        return _denied(401, "wrong name or password", "unauthorised")
    screens.limiter.succeeded(client)
    screens.sessions.drop(request.cookies.get(COOKIE))  # never keep a pre-login session id
    token, session = screens.sessions.create(name)
    log.info("screen login: %s from %s", name, request.remote)
    response = web.json_response({"user": session.user, "csrf": session.csrf})
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/")
    return response


async def logout(request: web.Request) -> web.Response:
    screens = _logins(request)
    if not await session_check(request):
        return _denied(401, "not logged in", "unauthorised")
    screens.sessions.drop(request.cookies.get(COOKIE))
    response = web.json_response({"user": None})
    response.del_cookie(COOKIE, path="/")
    return response


# --- compose (hub, logged in) ---------------------------------------------------------


async def _compose_form(request: web.Request) -> Any:
    if not _screens(request).is_hub:
        raise web.HTTPNotFound(text="compose runs on the hub")
    if not await session_check(request):
        raise web.HTTPUnauthorized(
            text='{"error": "log in first", "reason": "unauthorised"}',
            content_type="application/json",
        )
    try:
        return await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="send a JSON object") from None


async def compose_preview(request: web.Request) -> web.Response:
    data = await _compose_form(request)
    node = _screens(request).node
    now = node.hub_time() or 0
    try:
        bulletin = compose.parse_form(data, now, exercise=_exercise_running(node))
    except compose.ComposeError as err:
        return web.json_response({"error": str(err), "field": err.field}, status=400)
    return web.json_response(compose.preview(node, bulletin, now))


async def templates_json(request: web.Request) -> web.Response:
    return web.json_response(compose.templates_catalogue())


async def compose_send(request: web.Request) -> web.Response:
    data = await _compose_form(request)
    screens = _screens(request)
    now = screens.node.hub_time() or 0
    try:
        bulletin = compose.parse_form(data, now, exercise=_exercise_running(screens.node))
    except compose.ComposeError as err:
        return web.json_response({"error": str(err), "field": err.field}, status=400)
    session = screens.session(request)
    result = ops.issue(screens.node, bulletin, at=now)
    log.info("bulletin #%s composed by %s", result["seq"], session.user if session else "?")
    return web.json_response(result)


def _exercise_running(node: Node) -> bool:
    return node.store.exercises.current() is not None


async def exercise_action(request: web.Request) -> web.Response:
    """Start (with a name) or stop the hub's exercise; logged-in operators only."""
    data = await _compose_form(request)
    screens = _screens(request)
    session = screens.session(request)
    action = data.get("action") if isinstance(data, dict) else None
    try:
        if action == "start":
            who = session.user if session else ""
            done = screens.node.store.exercises.start(str(data.get("name") or ""), time.time(), who)
        elif action == "stop":
            done = screens.node.store.exercises.stop(time.time())
        else:
            return _denied(400, "action must be start or stop", "bad_request")
    except StoreError as err:
        return _denied(409, str(err), "conflict")
    log.info("exercise %r %s by %s", done.name, action, session.user if session else "?")
    screens.node.events.publish("hub", {"exercise": action})
    return web.json_response({"name": done.name, "running": done.running})


def add_screens(
    app: web.Application,
    node: Node,
    *,
    clock: Callable[[], float] | None = None,
) -> Screens:
    """Mount the screens on ``app`` (the API's application) for ``node``.

    Call before the application starts. ``clock`` (monotonic seconds) drives session
    expiry and login rate limiting; tests pass their own.
    """
    accounts = Accounts(node.config.users)
    if not accounts:
        log.warning("no [auth] users in %s: the screens are read-only", node.config.source)
    kwargs = {} if clock is None else {"clock": clock}
    region = load_region(node.config.region_file)
    screens = Screens(
        node=node,
        accounts=accounts,
        sessions=SessionStore(**kwargs),
        limiter=LoginLimiter(**kwargs),
        region=region,
    )
    app[SCREENS] = screens
    _mount_logins(app, screens)
    app.middlewares.append(_compress)
    r = app.router
    r.add_get("/", index)
    r.add_get("/kiosk", kiosk_page)
    r.add_get("/dashboard", dashboard_page)
    r.add_get("/print", print_page)
    r.add_get("/feed.atom", feed_atom)
    r.add_get("/feed.json", feed_json)
    r.add_get(r"/cap/{seq:\d{1,9}}.xml", cap_alert)
    r.add_get("/web/kiosk.json", kiosk_json)
    r.add_get("/web/dashboard.json", dashboard_json)
    r.add_get("/web/templates.json", templates_json)
    r.add_get("/web/help-ui.json", help_ui_json)
    r.add_get("/web/dashboard-ui.json", dashboard_ui_json)
    r.add_post("/web/compose/preview", compose_preview)
    r.add_post("/web/compose/send", compose_send)
    r.add_post("/web/exercise", exercise_action)
    r.add_static("/static/", STATIC, append_version=False)
    log.debug("screens mounted; login lockout window %.0f s", FAILURE_WINDOW_S)
    return screens


def _mount_logins(app: web.Application, logins: Logins) -> None:
    app[LOGINS] = logins
    app[api.SESSION_CHECK] = session_check
    app.on_response_prepare.append(_security_headers)
    r = app.router
    r.add_get("/web/session", session_info)
    r.add_post("/web/login", login)
    r.add_post("/web/logout", logout)


def add_logins(
    app: web.Application, users: tuple[User, ...], *, clock: Callable[[], float] | None = None
) -> Logins:
    """Staff login on an app without screens (the national node's API): the same
    sessions, CSRF tokens and limits as a node's screens."""
    kwargs = {} if clock is None else {"clock": clock}
    logins = Logins(
        accounts=Accounts(users), sessions=SessionStore(**kwargs), limiter=LoginLimiter(**kwargs)
    )
    _mount_logins(app, logins)
    return logins
