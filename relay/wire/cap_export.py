"""Bulletins out as CAP 1.2 XML, for control-room systems that know CAP and not us.

The reverse of :mod:`relay.wire.cap`, and checked against it (a round trip gives the
same content). Choices a reader should know:

* ``identifier`` is ``noodrelay-<key id>-<seq>`` and ``sender`` ``noodrelay-<key id>``:
  unique as long as key ids are (the region root certifies them), and stable, so an
  Update's ``references`` name the alert it updates by the same identifier it was
  exported with.
* ``sent`` is the signed hub time, in UTC (``+00:00``: CAP forbids ``Z``). A reference
  carries the referenced bulletin's ``sent`` when the caller knows it; otherwise this
  alert's own ``sent``, which CAP readers use only to tell alerts apart.
* ``scope`` is Public for a bulletin to every point; a targeted one is Restricted, with
  the points and groups it is for in ``restriction``.
* One ``info`` per language. A bulletin has one text, not CAP's description and
  instruction, so the text goes into ``description``; ``event`` is the headline (the
  best short name of the event we have); ``category`` Other when none was set.
* A template bulletin is rendered into every language its template has.
* The exact signed bytes ride along as a ``parameter`` (``noodrelay-signed``, base64), so a
  reader that knows noodrelay can verify the alert with ``relay check`` like any message.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

from relay.errors import CapError
from relay.wire import hubtime, render
from relay.wire import model as m
from relay.wire.cap import NS
from relay.wire.keys import format_key_id

_Q = f"{{{NS}}}"
#: valueName of the parameter that carries the signed message.
SIGNED_PARAMETER = "noodrelay-signed"

_STATUS = {
    m.AlertStatus.ACTUAL: "Actual",
    m.AlertStatus.EXERCISE: "Exercise",
    m.AlertStatus.TEST: "Test",
}
_CATEGORY = {
    m.Category.GEO: "Geo",
    m.Category.MET: "Met",
    m.Category.SAFETY: "Safety",
    m.Category.SECURITY: "Security",
    m.Category.RESCUE: "Rescue",
    m.Category.FIRE: "Fire",
    m.Category.HEALTH: "Health",
    m.Category.ENV: "Env",
    m.Category.TRANSPORT: "Transport",
    m.Category.INFRA: "Infra",
    m.Category.CBRNE: "CBRNE",
    m.Category.OTHER: "Other",
}


@dataclass(frozen=True, slots=True)
class CapContext:
    """What the signed message does not say but a CAP alert should."""

    #: The name the region root certified for the signing hub (``senderName``).
    sender_name: str
    #: ``areaDesc``: the region (or area) the bulletin is for; empty: no area block.
    area: str = ""
    #: Hub time a referenced bulletin (same key) was sent, when known.
    sent_of: Callable[[int], int | None] = lambda seq: None


def identifier(key_id: int, seq: int) -> str:
    return f"noodrelay-{format_key_id(key_id)}-{seq}"


def sender(key_id: int) -> str:
    return f"noodrelay-{format_key_id(key_id)}"


def cap_time(hub_seconds: int) -> str:
    """A CAP dateTime: seconds, an explicit offset (CAP does not allow ``Z``)."""
    return hubtime.to_datetime(hub_seconds).isoformat(timespec="seconds")


def _add(parent: ET.Element, tag: str, text: str) -> ET.Element:
    child = ET.SubElement(parent, _Q + tag)
    child.text = text
    return child


def _restriction(target: m.Target) -> str:
    parts = []
    if target.points:
        parts.append("support points " + ", ".join(str(p) for p in target.points))
    if target.groups:
        parts.append("groups " + ", ".join(target.groups))
    return "; ".join(parts)


def _texts(b: m.Bulletin, issued: int) -> list[m.LocalizedText]:
    if b.template is None:
        return list(b.texts)
    return [render.render(b, issued, lang) for lang in render.languages(b)]


def _references(env: m.Envelope, b: m.Bulletin, ctx: CapContext) -> str:
    refs = []
    for seq in b.references:
        sent = ctx.sent_of(seq)
        refs.append(
            f"{sender(env.key_id)},{identifier(env.key_id, seq)},"
            f"{cap_time(env.time if sent is None else sent)}"
        )
    return " ".join(refs)


def _info(parent: ET.Element, msg: m.SignedMessage, text: m.LocalizedText, ctx: CapContext) -> None:
    env = msg.envelope
    b = env.body
    assert isinstance(b, m.Bulletin)
    info = ET.SubElement(parent, _Q + "info")
    _add(info, "language", text.lang)
    cats = [name for flag, name in _CATEGORY.items() if b.categories & flag] or ["Other"]
    for name in cats:
        _add(info, "category", name)
    _add(info, "event", text.headline or text.body[:80])
    _add(info, "urgency", b.urgency.name.title())
    _add(info, "severity", b.severity.name.title())
    _add(info, "certainty", b.certainty.name.title())
    _add(info, "effective", cap_time(env.time))
    expires = b.expires_at(env.time)
    if expires is not None:
        _add(info, "expires", cap_time(expires))
    _add(info, "senderName", ctx.sender_name)
    if text.headline:
        _add(info, "headline", text.headline)
    _add(info, "description", text.body)
    parameter = ET.SubElement(info, _Q + "parameter")
    _add(parameter, "valueName", SIGNED_PARAMETER)
    _add(parameter, "value", base64.b64encode(msg.raw).decode("ascii"))
    if ctx.area:
        area = ET.SubElement(info, _Q + "area")
        _add(area, "areaDesc", ctx.area)


def to_cap(msg: m.SignedMessage, ctx: CapContext) -> bytes:
    """The CAP 1.2 alert (UTF-8 XML) for a signed bulletin."""
    env = msg.envelope
    b = env.body
    if not isinstance(b, m.Bulletin):
        raise CapError(f"only bulletins become CAP alerts, not a {env.kind.value}")
    root = ET.Element(_Q + "alert")
    _add(root, "identifier", identifier(env.key_id, env.seq))
    _add(root, "sender", sender(env.key_id))
    _add(root, "sent", cap_time(env.time))
    _add(root, "status", _STATUS[b.status])
    _add(root, "msgType", b.type.name.title())
    _add(root, "scope", "Public" if b.target.everyone else "Restricted")
    if not b.target.everyone:
        _add(root, "restriction", _restriction(b.target))
    if b.references:
        _add(root, "references", _references(env, b, ctx))
    for text in _texts(b, env.time):
        _info(root, msg, text, ctx)
    body = ET.tostring(root, encoding="unicode", default_namespace=NS)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")
