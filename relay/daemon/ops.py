"""What the CLI and the screens can ask of a running node: views and operations."""

from __future__ import annotations

from typing import Any

from relay.daemon.node import Node
from relay.engine.hub import HubEngine, bulletin_priority
from relay.engine.outputs import BulletinAccepted, BulletinState
from relay.engine.point import PointEngine
from relay.errors import RelayError, RoleError
from relay.store.store import StoredBulletin
from relay.wire import describe, envelope, ranges, schema
from relay.wire.keys import format_key_id
from relay.wire.model import Bulletin, Envelope, SignedMessage, StatusReport
from relay.wire.trust import Verifier


class NotForThisRoleError(RelayError):
    """The operation exists only on the hub, or only on a point."""

    exit_code = 2


def hub_engine(node: Node) -> HubEngine:
    if not isinstance(node.engine, HubEngine):
        raise NotForThisRoleError("this is a support point; that works on the hub")
    return node.engine


def point_engine(node: Node) -> PointEngine:
    if not isinstance(node.engine, PointEngine):
        raise NotForThisRoleError("this is the hub; that works on a support point")
    return node.engine


# --- hub operations -------------------------------------------------------------------


def publish_raw(node: Node, raw: bytes) -> dict[str, Any]:
    """Queue a bulletin composed elsewhere (``relay compose``) with this hub's key."""
    hub = hub_engine(node)
    msg = envelope.parse(raw)
    if not isinstance(msg.envelope.body, Bulletin):
        raise RoleError(f"only bulletins can be sent this way, not a {msg.kind.value}")
    if msg.envelope.key_id != hub.key_id:
        raise RoleError(
            f"signed with key {format_key_id(msg.envelope.key_id)}; this hub sends only "
            f"bulletins signed with its own key {format_key_id(hub.key_id)}"
        )
    Verifier(hub.keyring).verify(msg, now=node.hub_time())
    return _publish(node, hub, msg)


def issue(node: Node, bulletin: Bulletin, at: int | None = None) -> dict[str, Any]:
    """Sign a bulletin with the hub key and queue it (the dashboard's compose).

    ``at`` is the hub time to sign with: a template's times travel relative to it, so the
    caller that encoded them passes the same value (default: now).
    """
    hub = hub_engine(node)
    msg = hub.issuer.issue(bulletin, at=node.hub_time() if at is None else at)
    return _publish(node, hub, msg)


def _publish(node: Node, hub: HubEngine, msg: SignedMessage) -> dict[str, Any]:
    bulletin = msg.envelope.body
    assert isinstance(bulletin, Bulletin)
    estimate = hub.estimate(len(msg.raw), bulletin, node.mono())
    fed = node.federation
    topic = None if fed is None else fed.bulletin_topic
    if not node.store.add_bulletin(msg, hub.issuer.key.name, True, node.wall(), federate=topic):
        raise RoleError(f"bulletin #{msg.envelope.seq} was queued before")
    if fed is not None:
        fed.wake()
    node.apply(hub.publish(msg, node.mono()))
    node.events.publish("bulletin", {"key_id": msg.envelope.key_id, "seq": msg.envelope.seq})
    return {
        "seq": msg.envelope.seq,
        "size": estimate.size,
        "frames": estimate.frames,
        "airtime_ms": round(estimate.airtime_s * 1000, 1),
        "preset": node.config.engine.preset,
        "priority": bulletin_priority(bulletin).name.lower(),
        "position": estimate.position,
        "wait_s": round(estimate.wait_s, 1),
    }


def estimate(node: Node, bulletin: Bulletin) -> dict[str, Any]:
    """Cost and queue position of a bulletin before it is signed (the compose preview)."""
    hub = hub_engine(node)
    probe = hub.issuer.key
    env = Envelope(probe.key_id, hub.issuer.counter.current() + 1, node.hub_time() or 0, bulletin)
    size = 1 + len(schema.envelope_to_bytes(env)) + envelope.SIGNATURE_BYTES
    est = hub.estimate(size, bulletin, node.mono())
    return {
        "size": est.size,
        "frames": est.frames,
        "airtime_ms": round(est.airtime_s * 1000, 1),
        "preset": node.config.engine.preset,
        "position": est.position,
        "wait_s": round(est.wait_s, 1),
    }


# --- point operations -----------------------------------------------------------------


def set_status(node: Node, status: StatusReport) -> dict[str, Any]:
    point = point_engine(node)
    ranges.check_status(status)  # before the store: a stored misfit would return on restart
    node.store.set_own_status(status, node.wall())
    node.apply(point.set_status(status, node.mono()))
    node.events.publish("status", {})
    return describe.status(point.status)


def import_carried(node: Node, raw: bytes) -> dict[str, Any]:
    """A bulletin carried by hand (``relay import``), into the running point: verified
    like a radio frame by the engine, stored, on the kiosk at once. Refusals raise."""
    outputs = point_engine(node).carried(raw, node.mono())
    node.apply(outputs)
    accepted = [o for o in outputs if isinstance(o, BulletinAccepted)]
    return carried_view(accepted[0])


def carried_view(out: BulletinAccepted) -> dict[str, Any]:
    env = out.message.envelope
    return {
        "key_id": format_key_id(env.key_id),
        "seq": env.seq,
        "sender": out.sender.name,
        "targeted": out.targeted,
        "status": describe.body(env.body, env.time)["status"],
    }


def mark_displayed(node: Node, key_id: int, seq: int) -> bool:
    point = point_engine(node)
    if node.store.bulletin(key_id, seq) is None:
        raise RelayError(f"no bulletin {format_key_id(key_id)}/{seq} here")
    changed = node.store.mark_displayed(key_id, seq, node.wall())
    node.apply(point.mark_displayed(key_id, seq, node.mono()))
    node.events.publish("bulletin", {"key_id": key_id, "seq": seq})
    return changed


# --- views ----------------------------------------------------------------------------


def bulletin_view(b: StoredBulletin) -> dict[str, Any]:
    env = b.message.envelope
    body = env.body
    assert isinstance(body, Bulletin)
    return {
        "key_id": format_key_id(env.key_id),
        "seq": env.seq,
        "sender": b.sender,
        "issued": describe.iso(env.time),
        "state": b.state.value,
        "by_seq": b.by_seq or None,
        "targeted": b.targeted,
        "displayed": b.displayed_at is not None,
        "broadcast": b.broadcast_done,
        "size": len(b.message.raw),
        **describe.bulletin(body, env.time),
    }


def bulletins(node: Node, *, active_only: bool = False) -> list[dict[str, Any]]:
    states = (BulletinState.ACTIVE,) if active_only else ()
    views = [bulletin_view(b) for b in node.store.bulletins(states=states)]
    if isinstance(node.engine, HubEngine):
        matrix = node.engine.receipt_matrix()
        for v in views:
            cells = [row.get(v["seq"]) for row in matrix.values()]
            v["received"] = sum(1 for c in cells if c and c[0])
            v["displayed_at_points"] = sum(1 for c in cells if c and c[1])
            v["points"] = len(matrix)
    return views


def inbox(node: Node) -> list[dict[str, Any]]:
    point_engine(node)
    return [v for v in bulletins(node, active_only=True) if v["targeted"]]


def points(node: Node) -> list[dict[str, Any]]:
    hub = hub_engine(node)
    active = hub.catalogue.active(hub.key_id)
    now = node.wall()
    rows = []
    for p in node.store.points():
        r = p.receipt
        rows.append(
            {
                "point_id": p.point_id,
                "name": p.name,
                "node": f"!{p.node:08x}",
                "last_heard": p.last_heard,
                "heard_s_ago": round(now - p.last_heard),
                **describe.status(p.status),
                "receipt": describe.holdings(r) if r else None,
                "holds": sum(1 for s in active if r is not None and r.holds(s)),
                "active": len(active),
            }
        )
    return rows
