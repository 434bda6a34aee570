"""Help requests as the CLI and the screens see them: sending, operator steps, views, export.

Personal fields (location, description, handler, the operator's reply) appear in a view
only when the caller is authorised (the control token or a logged-in session): the kiosk's
public page and anyone on the screen network see type, urgency, number and state only.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from relay import csvfile
from relay.daemon.node import Node, help_id
from relay.daemon.ops import hub_engine, point_engine
from relay.errors import RelayError, StoreError
from relay.store.help import StoredHelp
from relay.wire.help import HelpDetails, HelpInputError, HelpReply
from relay.wire.model import HelpState, HelpType, HelpUrgency

log = logging.getLogger(__name__)

#: Operator steps by their name in the API and the CLI.
ACTIONS = {
    "ack": HelpState.ACKNOWLEDGED,
    "reply": HelpState.ANSWERED,
    "close": HelpState.CLOSED,
}
EXPORT_FIELDS = (
    "id",
    "point_id",
    "point",
    "type",
    "type_code",
    "urgency",
    "people",
    "state",
    "delivered",
    "created",
    "updated",
    "closed",
    "location",
    "text",
    "handler",
    "reply",
    "operator",
    "details_error",
)


def parse_id(rid: str) -> tuple[int, int]:
    """``"1a2b3c4d-17"`` -> (key id, request number)."""
    try:
        key, seq = rid.strip().split("-")
        return int(key, 16), int(seq)
    except ValueError:
        raise HelpInputError(f"{rid!r} is not a help request id (like 1a2b3c4d-17)") from None


def _enum_value(enum_cls: type[HelpType] | type[HelpUrgency], value: object, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(enum_cls[str(value).strip().upper().replace("-", "_").replace(" ", "_")])
    except KeyError:
        known = ", ".join(e.name.lower() for e in enum_cls)
        raise HelpInputError(f"{what}: {value!r} is not one of {known}") from None


def send(node: Node, data: dict[str, Any]) -> dict[str, Any]:
    """A point's staff ask for help: stored, sealed, signed and queued first."""
    point = point_engine(node)
    try:
        type_code = _enum_value(HelpType, data.get("type", "other"), "type")
        urgency = HelpUrgency(_enum_value(HelpUrgency, data.get("urgency", "urgent"), "urgency"))
        people = int(data.get("people") or 0)
    except (TypeError, ValueError) as err:
        raise HelpInputError(f"bad help request: {err}") from err
    details = HelpDetails(
        str(data.get("location") or ""), str(data.get("text") or ""), str(data.get("handler") or "")
    ).checked()
    message, outputs = point.send_help(type_code, urgency, people, details, node.mono())
    env = message.envelope
    warning = ""
    try:
        node.store.help.add(
            message,
            point_id=point.point_id,
            point_name=node.config.name,
            node=0,
            details=details,
            details_error="",
            at=node.wall(),
        )
    except StoreError as err:
        # The request goes out all the same (a life may depend on it); staff are told
        # that this point will not remember it after a restart.
        log.error("help request %s not stored: %s", help_id(env.key_id, env.seq), err)
        node.health.store_error = str(err)
        warning = f"sent, but not stored on this point: {err}"
    node.apply(outputs)
    node.events.publish("help", {"id": help_id(env.key_id, env.seq), "state": "queued"})
    stored = node.store.help.get(env.key_id, env.seq) if not warning else None
    view = (
        _view(stored, node.wall(), personal=True)
        if stored
        else {"id": help_id(env.key_id, env.seq)}
    )
    return {**view, "size": len(message.raw), "frames": 1, "warning": warning}


def update(node: Node, rid: str, action: str, text: str = "", operator: str = "") -> dict[str, Any]:
    """An operator's step on the hub: acknowledge, reply or close."""
    hub = hub_engine(node)
    key_id, seq = parse_id(rid)
    if action not in ACTIONS:
        raise HelpInputError(f"unknown action {action!r} (known: {', '.join(ACTIONS)})")
    if action == "reply" and not text.strip():
        raise HelpInputError("a reply needs its text")
    reply = HelpReply(text, operator) if (text.strip() or operator.strip()) else None
    _message, outputs = hub.help_update(key_id, seq, ACTIONS[action], reply, node.mono())
    node.apply(outputs)
    stored = node.store.help.get(key_id, seq)
    if stored is None:
        raise RelayError(f"help request {rid} was updated but is not in the store")
    return _view(stored, node.wall(), personal=True)


def requests(node: Node, *, personal: bool, open_only: bool = False) -> list[dict[str, Any]]:
    now = node.wall()
    rows = node.store.help.all()
    if open_only:
        rows = [h for h in rows if h.state is not HelpState.CLOSED]
    return [_view(h, now, personal=personal) for h in rows]


def _state(h: StoredHelp) -> str:
    if h.state is not HelpState.UNKNOWN:
        return h.state.name.lower()
    return "sent" if h.sent else "queued"


def _type_name(code: int) -> str:
    try:
        return HelpType(code).name.lower()
    except ValueError:
        return "other"  # a type from a newer version: shown as other, its code kept


def _view(h: StoredHelp, now: float, *, personal: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": help_id(h.key_id, h.seq),
        "point_id": h.point_id,
        "point": h.point_name,
        "type": _type_name(h.type_code),
        "type_code": h.type_code,
        "urgency": h.urgency.name.lower(),
        "people": h.people,
        "state": _state(h),
        "created_at": h.created_at,
        "updated_at": h.updated_at,
        "closed_at": h.closed_at,
        "age_s": max(0, round(now - h.created_at)),
        "delivered": h.delivered,
    }
    if personal:
        view.update(
            location=h.details.location,
            text=h.details.text,
            handler=h.details.handler,
            reply=h.reply.text,
            operator=h.reply.operator,
            details_error=h.details_error,
            erased=h.erased_at is not None,
        )
    return view


def _iso(t: float | None) -> str:
    return "" if t is None else datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds")


def export(node: Node, fmt: str) -> tuple[str, str]:
    """(content type, text) of every request at the hub, for the control room's system."""
    hub_engine(node)
    rows = []
    for v in requests(node, personal=True):
        row = {k: v.get(k, "") for k in EXPORT_FIELDS}
        row["created"], row["updated"] = _iso(v["created_at"]), _iso(v["updated_at"])
        row["closed"] = _iso(v["closed_at"])
        rows.append(row)
    if fmt == "json":
        return "application/json", json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    if fmt != "csv":
        raise HelpInputError(f"export format {fmt!r}: csv or json")
    return "text/csv; charset=utf-8", csvfile.write_dicts(EXPORT_FIELDS, rows)
