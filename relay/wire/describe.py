"""Messages as plain JSON-ready dicts, for ``relay check --json``, logs and the control API."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from relay.errors import RelayError
from relay.wire import hubtime, render
from relay.wire import model as m
from relay.wire.keys import format_key_id, key_id_of


def reason_code(err: RelayError) -> str:
    """``BadSignatureError`` -> ``bad_signature``: a stable machine-readable reason."""
    name = type(err).__name__.removesuffix("Error")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def iso(hub_seconds: int) -> str:
    return hubtime.to_datetime(hub_seconds).isoformat().replace("+00:00", "Z")


def _flags(value: int, enum_cls: type[m.Category] | type[m.Need]) -> list[str]:
    return [f.name.lower() for f in enum_cls if f.name and value & f.value]


def bulletin(b: m.Bulletin, issued: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": b.type.name.lower(),
        # An exercise or test must say so wherever a bulletin is shown, relay check too.
        "status": b.status.name.lower(),
        "urgency": b.urgency.name.lower(),
        "severity": b.severity.name.lower(),
        "certainty": b.certainty.name.lower(),
        "categories": _flags(b.categories, m.Category),
        "references": list(b.references),
        "expires": iso(exp) if (exp := b.expires_at(issued)) is not None else None,
        "target": "all"
        if b.target.everyone
        else {"points": list(b.target.points), "groups": list(b.target.groups)},
    }
    if b.template is not None:
        out["template"] = {
            "code": b.template.code,
            "numbers": list(b.template.numbers),
            "texts": list(b.template.texts),
        }
        shown = [render.render(b, issued, lang) for lang in render.languages(b)]
    else:
        shown = list(b.texts)
    out["texts"] = [{"lang": t.lang, "headline": t.headline, "body": t.body} for t in shown]
    return out


def receipt(r: m.Receipt) -> dict[str, Any]:
    """A receipt as it travels: only the hub that sent heartbeat ``heartbeat`` can turn
    the bits into bulletin numbers (:func:`holdings` describes that result)."""
    return {
        "issuer": format_key_id(r.issuer) if r.issuer else None,
        "heartbeat": r.heartbeat,
        "held_bits": f"{r.held:b}"[::-1] if r.held else "",
        "shown_bits": f"{r.shown:b}"[::-1] if r.shown else "",
        "newer": list(r.newer),
        "others": _refs(r.others),
    }


def _refs(refs: Iterable[m.BulletinRef]) -> list[dict[str, Any]]:
    return [{"key_id": format_key_id(r.key_id), "seq": r.seq} for r in sorted(refs)]


def holdings(h: m.Holdings) -> dict[str, Any]:
    return {"held": sorted(h.held), "displayed": sorted(h.displayed), "others": _refs(h.others)}


def status(s: m.StatusReport) -> dict[str, Any]:
    return {
        "point_id": s.point_id,
        "open": s.open.name.lower(),
        "power": s.power.name.lower(),
        "battery_pct": s.battery_pct,
        "visitors": s.visitors,
        "needs": _flags(s.needs, m.Need),
        "text": s.text,
        "receipt": receipt(s.receipt) if s.receipt else None,
    }


def _certificate(b: m.Certificate) -> dict[str, Any]:
    return {
        "name": b.name,
        "role": b.role.name.lower(),
        "key_id": format_key_id(key_id_of(b.public_key)),
        "point_id": b.point_id or None,
        "groups": list(b.groups),
        "valid_from": iso(b.valid_from),
        "valid_until": iso(b.valid_until),
    }


def _revocation(b: m.Revocation) -> dict[str, Any]:
    keys = [{"key_id": format_key_id(k.key_id), "last_good_seq": k.last_good_seq} for k in b.keys]
    return {"keys": keys, "reason": b.reason}


def _repair(b: m.RepairRequest) -> dict[str, Any]:
    return {
        "seqs": list(b.seqs),
        "fragments": [{"id": f.message_id.hex(), "missing": f.missing} for f in b.fragments],
        "certificates": [format_key_id(k) for k in b.certificates],
        "direct": b.direct,
    }


def _help_request(b: m.HelpRequest) -> dict[str, Any]:
    # The personal part is sealed to the hub: only its size is shown here.
    return {
        "type": b.type.name.lower(),
        "type_code": b.type_code,
        "urgency": b.urgency.name.lower(),
        "people": b.people,
        "to": format_key_id(b.to),
        "sealed_bytes": len(b.sealed),
    }


def _help_update(b: m.HelpUpdate) -> dict[str, Any]:
    return {
        "request": f"{format_key_id(b.point)}-{b.request}",
        "state": b.state.name.lower(),
        "sealed_bytes": len(b.sealed),
    }


def _help_ack(b: m.HelpAck) -> dict[str, Any]:
    return {"updates": list(b.updates)}


def _summary(b: m.StatusSummary) -> dict[str, Any]:
    return {
        "region": b.region,
        "attests": b.attests.name.lower(),
        "points": [
            {
                "point_id": p.point_id,
                "name": p.name,
                "key_id": format_key_id(p.key_id),
                "seq": p.seq,
                "reported": iso(p.time),
                **status(p.status),
                "held": list(p.held),
                "shown": list(p.shown),
                "others": _refs(p.others),
            }
            for p in b.points
        ],
        "relayed": _refs(b.relayed),
    }


def body(b: m.Body, issued: int) -> dict[str, Any]:
    """A JSON-ready description of any message body."""
    if isinstance(b, m.Bulletin):
        return bulletin(b, issued)
    if isinstance(b, m.Heartbeat):
        return {"active": list(b.active), "interval_s": b.interval_s}
    simple: dict[type, Any] = {
        m.StatusReport: status,
        m.Receipt: receipt,
        m.Certificate: _certificate,
        m.Revocation: _revocation,
        m.RepairRequest: _repair,
        m.HelpRequest: _help_request,
        m.HelpUpdate: _help_update,
        m.HelpAck: _help_ack,
        m.StatusSummary: _summary,
    }
    describe_one = simple[type(b)]
    result: dict[str, Any] = describe_one(b)
    return result
