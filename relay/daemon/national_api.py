"""The national node's HTTP API (``role = "national"``): JSON views and compose.

* ``GET /api/state``: the broker link, counters, refusals by reason.
* ``GET /api/national``: every region at a glance, national bulletins and their reach.
* ``GET /api/national/region/<name>``: one region's points.
* ``GET /``: the national dashboard (map, regions, drill-down, compose; Dutch, or English
  with ``?lang=en``), its words and map as ``GET /web/national-ui.json?lang=``.
* ``POST /api/national/compose``: sign a national bulletin (the hub compose's form) and
  publish it; ``POST /api/send``: publish one signed elsewhere (``relay send``). Both
  need the control token or a staff session (``/web/login``, as on the hub's screens).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from relay.daemon.api import TOKEN, errors_middleware, mutating
from relay.daemon.config import DaemonConfig
from relay.federation.national import NationalNode
from relay.web import compose
from relay.web.app import STATIC, add_logins
from relay.web.national_labels import national_ui
from relay.web.nl_map import map_view
from relay.wire.describe import bulletin as describe_bulletin
from relay.wire.keys import format_key_id
from relay.wire.model import Bulletin, SignedMessage

NATIONAL: web.AppKey[NationalNode] = web.AppKey("national", NationalNode)
MAX_BODY = 64 * 1024


def _json(data: Any) -> web.Response:
    return web.json_response(data, dumps=lambda d: json.dumps(d, ensure_ascii=False))


async def state(request: web.Request) -> web.Response:
    return _json(request.app[NATIONAL].state())


async def overview(request: web.Request) -> web.Response:
    return _json(request.app[NATIONAL].overview())


async def region(request: web.Request) -> web.Response:
    view = request.app[NATIONAL].region(request.match_info["name"])
    if view is None:
        return web.json_response({"error": "no such region", "reason": "not_found"}, status=404)
    return _json(view)


async def dashboard(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "national.html", headers={"Cache-Control": "no-cache"})


async def dashboard_ui(request: web.Request) -> web.Response:
    """The dashboard's words in one language and the map of the configured regions."""
    national = request.app[NATIONAL]
    regions = sorted(national.config.regions)
    ui = national_ui(request.query.get("lang", "nl"))
    return _json({**ui, "map": map_view(regions)})


def _published(msg: SignedMessage) -> dict[str, Any]:
    body = msg.envelope.body
    assert isinstance(body, Bulletin)
    return {
        "seq": msg.envelope.seq,
        "key_id": format_key_id(msg.envelope.key_id),
        "size": len(msg.raw),
        "bulletin": describe_bulletin(body, msg.envelope.time),
    }


@mutating
async def compose_send(request: web.Request) -> web.Response:
    national = request.app[NATIONAL]
    try:
        data = await request.json()
    except ValueError:
        return web.json_response(
            {"error": "send a JSON object", "reason": "bad_request"}, status=400
        )
    try:
        bulletin = compose.parse_form(data, national.hub_time())
    except compose.ComposeError as err:
        return web.json_response({"error": str(err), "field": err.field}, status=400)
    return _json(_published(national.compose(bulletin)))


@mutating
async def send(request: web.Request) -> web.Response:
    return _json(_published(request.app[NATIONAL].publish_raw(await request.read())))


def make_national_app(config: DaemonConfig, national: NationalNode, token: str) -> web.Application:
    app = web.Application(middlewares=[errors_middleware], client_max_size=MAX_BODY)
    app[NATIONAL] = national
    app[TOKEN] = token
    add_logins(app, config.users)
    r = app.router
    r.add_get("/api/state", state)
    r.add_get("/api/national", overview)
    r.add_get("/api/national/region/{name}", region)
    r.add_post("/api/national/compose", compose_send)
    r.add_post("/api/send", send)
    r.add_get("/", dashboard)
    r.add_get("/web/national-ui.json", dashboard_ui)
    r.add_static("/static/", STATIC, append_version=False)
    return app
