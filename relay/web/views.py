"""What the screens show, as JSON for the page scripts (which insert it as text only).

Every time shown to people is hub time rendered in Europe/Amsterdam here on the
server; the pages never read the device's clock for a bulletin time.
"""

from __future__ import annotations

from typing import Any

from relay.daemon import ops
from relay.daemon.node import Node
from relay.engine.hub import HubEngine, bulletin_priority
from relay.engine.outputs import BulletinState
from relay.engine.point import PointEngine
from relay.errors import RelayError
from relay.radio.transport import LinkState
from relay.store.store import StoredBulletin
from relay.web import i18n, regionview, timefmt
from relay.web.region import RegionMap
from relay.web.render import language_name, languages, render_bulletin, text_direction
from relay.wire import describe, hubtime
from relay.wire.keys import format_key_id
from relay.wire.model import (
    Bulletin,
    Certificate,
    MsgType,
    Need,
    OpenState,
    PowerSource,
    Role,
    Severity,
    Urgency,
)
from relay.wire.trust import Principal, Verifier

_SEVERITY_ORDER = [Severity.EXTREME, Severity.SEVERE, Severity.MODERATE, Severity.MINOR]
_URGENCY_ORDER = [Urgency.IMMEDIATE, Urgency.EXPECTED, Urgency.FUTURE]


def _rank(value: Any, order: list[Any]) -> int:
    return order.index(value) if value in order else len(order)


def body_of(b: StoredBulletin) -> Bulletin:
    body = b.message.envelope.body
    assert isinstance(body, Bulletin)
    return body


def urgency_order(b: StoredBulletin) -> tuple[int, int, int, int]:
    """Most urgent first: priority class, then severity, urgency, newest."""
    body = body_of(b)
    env = b.message.envelope
    return (
        bulletin_priority(body),
        _rank(body.severity, _SEVERITY_ORDER),
        _rank(body.urgency, _URGENCY_ORDER),
        -env.time * 100_000 - env.seq,
    )


def shown_on_kiosk(node: Node) -> list[StoredBulletin]:
    """Active bulletins for this screen, most urgent first.

    A point shows what is meant for it; Cancel notices are not shown (what they
    cancel leaves the screen, which is the message); updates replace what they update.
    """
    rows = node.store.bulletins(states=(BulletinState.ACTIVE,))
    if isinstance(node.engine, HubEngine):
        own = node.engine.key_id
        rows = [b for b in rows if b.message.envelope.key_id == own]
    else:
        rows = [b for b in rows if b.targeted]
    rows = [b for b in rows if body_of(b).type is not MsgType.CANCEL]
    return sorted(rows, key=urgency_order)


def display_name(node: Node) -> str:
    """The name the region root certified for this node (else its config name)."""
    cert = node.engine.issuer.certificate
    body = cert.envelope.body if cert is not None else None
    return body.name if isinstance(body, Certificate) and body.name else node.config.name


def _hub_contact(node: Node) -> dict[str, Any]:
    engine = node.engine
    stale_after = node.config.stale_after_s
    if isinstance(engine, PointEngine):
        hub = engine.hub
        ago = None if hub is None else max(0, round(node.mono() - hub.last_heard))
    else:
        ago = 0  # the hub is the hub
    stale = ago is None or ago > stale_after
    return {
        "heard_s_ago": ago,
        "stale_after_s": stale_after,
        "stale": stale,
        # The daemon serves the screens while it retries an unreachable radio.
        "radio_down": node.health.link is not LinkState.CONNECTED,
    }


def _clock(node: Node) -> dict[str, Any]:
    now = node.hub_time()
    return {
        "hub_unix": None if now is None else hubtime.to_unix(now),
        "utc_offset_s": timefmt.utc_offset_s(now or 0),
        "text": None if now is None else timefmt.clock(now),
    }


def authority(sender: Principal, lang: str) -> str:
    """How a screen names whoever vouches for a bulletin: a national key says so."""
    if sender.role is Role.NATIONAL:
        return i18n.labels(lang)["authority.national"].format(name=sender.name)
    return sender.name


def trust_mark(
    node: Node, b: StoredBulletin, now: int | None, stale: bool, lang: str = "nl"
) -> dict[str, Any]:
    """Is this bulletin still genuine, checked again now against today's keyring?

    A bulletin was verified when it arrived; since then the region root may have revoked
    the sender's key, or its certificate may have run out. The kiosk shows the outcome of
    this check, naming the authority the region root certified, not a key or a node name.
    """
    verifier = Verifier(node.engine.keyring, replay=None)
    try:
        checked = verifier.verify(b.message, now)
    except RelayError as err:
        return {"state": "failed", "authority": b.sender, "reason": str(err)}
    name = authority(checked.sender, lang)
    return {"state": "stale" if stale else "ok", "authority": name, "reason": ""}


def kiosk_bulletin(
    b: StoredBulletin, lang: str, now: int | None, trust: dict[str, Any] | None = None
) -> dict[str, Any]:
    body = body_of(b)
    env = b.message.envelope
    text = render_bulletin(body, lang, env.time)
    expires = body.expires_at(env.time)
    return {
        "id": f"{format_key_id(env.key_id)}/{env.seq}",
        "key_id": format_key_id(env.key_id),
        "seq": env.seq,
        "lang": text.lang,
        "lang_name": language_name(text.lang),
        "dir": text.direction,
        "headline": text.headline,
        "body": text.body,
        "sender": b.sender,
        "issued": timefmt.moment(env.time, now),
        "expires": None if expires is None else timefmt.moment(expires, now),
        "type": body.type.name.lower(),
        "references": list(body.references),
        "urgency": body.urgency.name.lower(),
        "severity": body.severity.name.lower(),
        "priority": bulletin_priority(body).name.lower(),
        "template": body.template is not None,
        "displayed": b.displayed_at is not None,
        "trust": trust,
        "status": body.status.name.lower(),
    }


def _kiosk_card(
    node: Node, b: StoredBulletin, lang: str, now: int | None, stale: bool
) -> dict[str, Any]:
    trust = trust_mark(node, b, now, stale, lang)
    card = kiosk_bulletin(b, lang, now, trust)
    if trust["state"] != "failed":
        card["sender"] = trust["authority"]  # "Geverifieerd: NCC (nationaal)"
    return card


def kiosk(node: Node, lang: str) -> dict[str, Any]:
    rows = shown_on_kiosk(node)
    now = node.hub_time()
    hub = _hub_contact(node)
    stale = bool(hub["stale"])
    langs = languages([body_of(b) for b in rows])
    if lang not in langs:
        langs.append(lang)
    return {
        "lang": lang,
        "dir": text_direction(lang),
        "langs": [{"code": c, "name": language_name(c)} for c in langs],
        "ui": i18n.labels(lang),
        "node": {"name": display_name(node), "role": node.config.role},
        "hub": hub,
        "clock": _clock(node),
        "bulletins": [_kiosk_card(node, b, lang, now, stale) for b in rows],
        "status": _own_status(node),
    }


def _own_status(node: Node) -> dict[str, Any] | None:
    """A point's own status (it goes to the hub over the air anyway) and the choices."""
    if not isinstance(node.engine, PointEngine):
        return None
    return {
        **describe.status(node.engine.status),
        "choices": {
            "open": [s.name.lower() for s in OpenState if s is not OpenState.UNKNOWN],
            "power": [p.name.lower() for p in PowerSource if p is not PowerSource.UNKNOWN],
            "needs": [n.name.lower() for n in Need if n.name],
        },
    }


# --- the hub's dashboard ----------------------------------------------------------------


def _dashboard_bulletin(b: StoredBulletin, now: int | None) -> dict[str, Any]:
    body = body_of(b)
    env = b.message.envelope
    text = render_bulletin(body, "nl", env.time)
    expires = body.expires_at(env.time)
    return {
        "seq": env.seq,
        "state": b.state.value,
        "by_seq": b.by_seq or None,
        "type": body.type.name.lower(),
        "references": list(body.references),
        "headline": text.headline,
        "body": text.body,
        "issued": timefmt.moment(env.time, now),
        "expires": None if expires is None else timefmt.moment(expires, now),
        "urgency": body.urgency.name.lower(),
        "severity": body.severity.name.lower(),
        "certainty": body.certainty.name.lower(),
        "expires_in_min": body.expires_in_min,
        "broadcast": b.broadcast_done,
        "texts": [{"lang": t.lang, "headline": t.headline, "body": t.body} for t in body.texts],
        "template": None
        if body.template is None
        else {
            "code": body.template.code,
            "numbers": list(body.template.numbers),
            "texts": list(body.template.texts),
        },
        "target": {"points": list(body.target.points), "groups": list(body.target.groups)},
        "status": body.status.name.lower(),
    }


def _exercise(node: Node) -> dict[str, Any] | None:
    """The running exercise, if any, for the dashboard's banner and marks."""
    running = node.store.exercises.current()
    if running is None:
        return None
    return {
        "name": running.name,
        "started_by": running.started_by,
        "started_s_ago": max(0, round(node.wall() - running.started_at)),
    }


def dashboard(node: Node, region: RegionMap) -> dict[str, Any]:
    hub = node.engine
    if not isinstance(hub, HubEngine):
        raise ops.NotForThisRoleError("the dashboard runs on the hub")
    now = node.hub_time()
    # A healthy point reports at least every status interval: allow two before "silent".
    stale_after = max(node.config.stale_after_s, 2 * node.config.engine.status_interval_s)
    points = regionview.region_points(node, region, stale_after)
    history = sorted(node.store.bulletins(), key=lambda b: -b.message.envelope.seq)[:50]
    state = node.state()
    return {
        "node": {"name": display_name(node), "role": node.config.role},
        "clock": _clock(node),
        "preset": node.config.engine.preset,
        "stale_after_s": stale_after,
        "queue": {
            "frames": state["queued_frames"],
            "airtime_used_pct": state["airtime_used_pct"],
            "link": state["link"],
        },
        "points": points,
        "matrix": regionview.receipt_matrix(node, hub, region),
        "relays": regionview.relay_sites(region),
        "exercise": _exercise(node),
        "bulletins": [_dashboard_bulletin(b, now) for b in history],
    }
