"""The node's HTTP API on loopback (or the screen address): JSON views, operations, events.

Read-only views need no credentials. Every call that changes something needs the
bearer token from the token file (the CLI on the same machine reads it) or, for the
screens, a logged-in session (see relay.web). Errors come back as JSON with the same
reason codes the CLI uses.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp import web

from relay.daemon import help_ops, ops
from relay.daemon.events import KEEPALIVE
from relay.daemon.node import Node
from relay.engine.hub import HubEngine
from relay.errors import FileAccessError, InputError, RelayError, RoleError
from relay.wire import model as m
from relay.wire import ranges
from relay.wire.describe import reason_code
from relay.wire.keys import check_private_mode, format_key_id

log = logging.getLogger(__name__)

NODE: web.AppKey[Node] = web.AppKey("node", Node)
TOKEN: web.AppKey[str] = web.AppKey("token", str)
#: The live event streams being served (bounded by MAX_EVENT_CLIENTS).
EVENT_STREAMS: web.AppKey[set[object]] = web.AppKey("event_streams", set)
#: Extra check for mutating calls (the screens' session login plugs in here).
SESSION_CHECK: web.AppKey[Callable[[web.Request], Awaitable[bool]]] = web.AppKey("session_check")
MAX_BODY = 64 * 1024
#: Live screens (server-sent event streams) served at once; a point has one or two.
MAX_EVENT_CLIENTS = 32
#: A quiet stream writes a comment this often, so a screen that went away frees its place.
KEEPALIVE_S = 15.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def ensure_token(path: Path) -> str:
    """The control token (created with mode 0600 on first start).

    Refused, like a private key, when others can read it: whoever reads it can change
    the node's status, send bulletins and answer help requests.
    """
    try:
        check_private_mode(path)
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        token = secrets.token_hex(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(token + "\n")
        return token
    except OSError as err:
        raise FileAccessError(f"cannot read control token {path}: {err}") from err


def _error(status: int, err: RelayError | str, reason: str = "") -> web.Response:
    message = str(err)
    code = reason or (reason_code(err) if isinstance(err, RelayError) else "error")
    return web.json_response({"error": message, "reason": code}, status=status)


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ops.NotForThisRoleError as err:
        return _error(404, err)
    except RoleError as err:
        return _error(409, err)
    except RelayError as err:
        return _error(400, err)


async def authorised(request: web.Request) -> bool:
    header = request.headers.get("Authorization", "")
    token = request.app[TOKEN]
    if header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    check = request.app.get(SESSION_CHECK)
    return bool(check and await check(request))


def mutating(handler: Handler) -> Handler:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        if not await authorised(request):
            return _error(401, "log in first (or give the control token)", "unauthorised")
        return await handler(request)

    return wrapped


def _json(data: Any) -> web.Response:
    return web.json_response(data, dumps=lambda d: json.dumps(d, ensure_ascii=False))


async def state(request: web.Request) -> web.Response:
    node = request.app[NODE]
    # The signing key's id: `relay doctor` checks it is the daemon its config describes.
    return _json({**node.state(), "key_id": format_key_id(node.engine.issuer.key.key_id)})


async def bulletins(request: web.Request) -> web.Response:
    active = request.query.get("active") == "1"
    return _json(ops.bulletins(request.app[NODE], active_only=active))


async def inbox(request: web.Request) -> web.Response:
    return _json(ops.inbox(request.app[NODE]))


async def points(request: web.Request) -> web.Response:
    return _json(ops.points(request.app[NODE]))


@mutating
async def send(request: web.Request) -> web.Response:
    raw = await request.read()
    return _json(ops.publish_raw(request.app[NODE], raw))


@mutating
async def import_carried(request: web.Request) -> web.Response:
    """``relay import``: a bulletin carried by hand, verified like a radio frame."""
    raw = await request.read()
    return _json(ops.import_carried(request.app[NODE], raw))


def _status_from(data: dict[str, Any], current: m.StatusReport) -> m.StatusReport:
    """Apply a JSON change (names as ``relay check --json`` prints them) to a status.

    Every value is checked against its wire range here (InputError, a 400): a value the
    engine cannot encode must never reach the store.
    """
    fields: dict[str, Any] = {}
    try:
        if "open" in data:
            fields["open"] = m.OpenState[str(data["open"]).upper()]
        if "power" in data:
            fields["power"] = m.PowerSource[str(data["power"]).upper()]
        if "needs" in data:
            fields["needs"] = m.Need(sum(m.Need[str(n).upper()] for n in data["needs"]))
    except (KeyError, ValueError, TypeError) as err:
        raise InputError(f"bad status value: {err}") from err
    for key in ("battery_pct", "visitors"):
        if key in data:
            fields[key] = ranges.check_number(key, data[key])
    if "text" in data:
        fields["text"] = ranges.check_text(str(data["text"] or ""))
    return ranges.check_status(replace(current, **fields))


@mutating
async def status(request: web.Request) -> web.Response:
    node = request.app[NODE]
    try:
        data = await request.json()
    except ValueError:
        return _error(400, "send a JSON object", "bad_request")
    engine = node.engine
    current = getattr(engine, "status", None)
    if not isinstance(data, dict) or not isinstance(current, m.StatusReport):
        return _error(404, "status can be set on a support point only", "not_for_this_role")
    return _json(ops.set_status(node, _status_from(data, current)))


@mutating
async def displayed(request: web.Request) -> web.Response:
    try:
        data = await request.json()
        key_id, seq = int(str(data["key_id"]), 16), int(data["seq"])
    except (KeyError, ValueError, TypeError, IndexError):
        return _error(400, "give key_id (hex) and seq", "bad_request")
    return _json({"changed": ops.mark_displayed(request.app[NODE], key_id, seq)})


async def _object(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise RelayError("send a JSON object") from None
    if not isinstance(data, dict):
        raise RelayError("send a JSON object")
    return data


async def help_list(request: web.Request) -> web.Response:
    """Help requests; personal fields only for an authorised caller.

    On a support point nothing at all without login: the public kiosk promises that a
    passer-by learns nothing of help requests, not even a count, and the API keeps that
    promise too. The hub's dashboard shows the control room its alarms without personal
    fields.
    """
    personal = await authorised(request)
    if not personal and not isinstance(request.app[NODE].engine, HubEngine):
        return _error(401, "log in first (or give the control token)", "unauthorised")
    open_only = request.query.get("open") == "1"
    return _json(help_ops.requests(request.app[NODE], personal=personal, open_only=open_only))


@mutating
async def help_send(request: web.Request) -> web.Response:
    return _json(help_ops.send(request.app[NODE], await _object(request)))


@mutating
async def help_update(request: web.Request) -> web.Response:
    data = await _object(request)
    view = help_ops.update(
        request.app[NODE],
        request.match_info["rid"],
        str(data.get("action", "")),
        str(data.get("text") or ""),
        str(data.get("operator") or ""),
    )
    return _json(view)


@mutating
async def help_export(request: web.Request) -> web.Response:
    fmt = request.query.get("format", "csv")
    content_type, text = help_ops.export(request.app[NODE], fmt)
    name = f"help-requests.{fmt}"
    return web.Response(
        text=text,
        headers={
            "Content-Type": content_type,
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: the screens update live and reconnect by themselves.

    At most MAX_EVENT_CLIENTS streams at once: each holds a queue and a connection, and a
    probe opening thousands must not grow the daemon without bound (a refused browser
    retries by itself).
    """
    streams = request.app[EVENT_STREAMS]
    if len(streams) >= MAX_EVENT_CLIENTS:
        response = _error(503, "too many live screens; retry later", "busy")
        response.headers["Retry-After"] = "10"
        return response
    me = object()
    streams.add(me)  # counted before the first await: no race past the limit
    try:
        return await _stream_events(request)
    finally:
        streams.discard(me)


async def _stream_events(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    await response.write(b"retry: 2000\n\n")
    try:
        async for name, data in request.app[NODE].events.subscribe(KEEPALIVE_S):
            if name == KEEPALIVE:
                await response.write(b": keepalive\n\n")  # a comment; browsers ignore it
                continue
            await response.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
    except ConnectionResetError:
        pass  # the browser went away (a reload, a closed tab); it reconnects by itself
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/state", state)
    app.router.add_get("/api/bulletins", bulletins)
    app.router.add_get("/api/inbox", inbox)
    app.router.add_get("/api/points", points)
    app.router.add_get("/api/events", events)
    app.router.add_post("/api/send", send)
    app.router.add_post("/api/import", import_carried)
    app.router.add_post("/api/status", status)
    app.router.add_post("/api/displayed", displayed)
    app.router.add_get("/api/help", help_list)
    app.router.add_post("/api/help", help_send)
    app.router.add_get("/api/help/export", help_export)
    app.router.add_post("/api/help/{rid}", help_update)


def make_app(node: Node, token: str) -> web.Application:
    app = web.Application(middlewares=[errors_middleware], client_max_size=MAX_BODY)
    app[NODE] = node
    app[TOKEN] = token
    app[EVENT_STREAMS] = set()
    add_routes(app)
    return app
