"""CAP 1.2 XML alerts into bulletins that fit the radio budget.

CAP is the language of the control room's systems, but its XML is far too large for
LoRa. We keep what a citizen at a support point needs (message type, references,
urgency / severity / certainty, categories, expiry, headline, description and
instruction per language, the area's description) and drop the rest, saying what was
dropped. When the result is still too large we drop, in order: area descriptions,
languages other than Dutch and English, English, then sentences from the end of the
description, then of the instruction; the instruction is what people must *do*, so it
goes last.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from relay.errors import CapError
from relay.wire import hubtime
from relay.wire import model as m

NS = "urn:oasis:names:tc:emergency:cap:1.2"
_Q = f"{{{NS}}}"

_URGENCY = {u.name.title(): u for u in m.Urgency}
_SEVERITY = {s.name.title(): s for s in m.Severity}
_CERTAINTY = {c.name.title(): c for c in m.Certainty} | {"Very Likely": m.Certainty.LIKELY}
_CATEGORY = {
    "Geo": m.Category.GEO,
    "Met": m.Category.MET,
    "Safety": m.Category.SAFETY,
    "Security": m.Category.SECURITY,
    "Rescue": m.Category.RESCUE,
    "Fire": m.Category.FIRE,
    "Health": m.Category.HEALTH,
    "Env": m.Category.ENV,
    "Transport": m.Category.TRANSPORT,
    "Infra": m.Category.INFRA,
    "CBRNE": m.Category.CBRNE,
    "Other": m.Category.OTHER,
}
_AREA_LABEL = {"nl": "Gebied", "en": "Area"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True, slots=True)
class CapInfo:
    lang: str
    headline: str
    description: str
    instruction: str
    area: str


@dataclass(frozen=True, slots=True)
class CapAlert:
    identifier: str
    msg_type: m.MsgType
    references: tuple[str, ...]  # CAP identifiers
    urgency: m.Urgency
    severity: m.Severity
    certainty: m.Certainty
    categories: m.Category
    expires: int | None  # hub time
    infos: tuple[CapInfo, ...]
    status: m.AlertStatus = m.AlertStatus.ACTUAL


_STATUS = {
    "Actual": m.AlertStatus.ACTUAL,
    "Exercise": m.AlertStatus.EXERCISE,
    "Test": m.AlertStatus.TEST,
}


def _text(el: ET.Element, tag: str) -> str:
    child = el.find(_Q + tag)
    return (child.text or "").strip() if child is not None else ""


def _lang(code: str) -> str:
    return (code or "en-US").split("-")[0].lower()


def _enum(
    table: dict[str, m.Urgency] | dict[str, m.Severity] | dict[str, m.Certainty],
    value: str,
    what: str,
) -> m.Urgency | m.Severity | m.Certainty:
    try:
        return table[value]
    except KeyError:
        raise CapError(f"CAP {what} {value!r} is not a CAP 1.2 value") from None


def parse_cap(xml: bytes) -> CapAlert:
    """Parse a CAP 1.2 alert; anything that is not one raises :class:`CapError`."""
    try:
        root = ET.fromstring(xml)  # noqa: S314 - expat refuses entity expansion attacks
    except ET.ParseError as err:
        raise CapError(f"not well-formed XML: {err}") from err
    if root.tag != _Q + "alert":
        raise CapError(f"not a CAP 1.2 alert (root element {root.tag})")
    status = _text(root, "status")
    if status not in _STATUS:
        # System and Draft are not for the public; an exercise or test is, marked as such.
        raise CapError(f"CAP status {status!r}: only Actual, Exercise and Test go on the air")
    msg_type = _text(root, "msgType")
    if msg_type not in ("Alert", "Update", "Cancel"):
        raise CapError(f"CAP msgType {msg_type!r} is not a bulletin (Alert, Update, Cancel)")
    infos = root.findall(_Q + "info")
    if not infos:
        raise CapError("CAP alert without an info block")
    first = infos[0]
    expires = _text(first, "expires")
    categories = m.Category(0)
    for info in infos:
        for cat in info.findall(_Q + "category"):
            categories |= _CATEGORY.get((cat.text or "").strip(), m.Category.OTHER)
    return CapAlert(
        identifier=_text(root, "identifier"),
        msg_type=m.MsgType[msg_type.upper()],
        references=tuple(r.split(",")[1] for r in _text(root, "references").split() if "," in r),
        urgency=_enum(_URGENCY, _text(first, "urgency"), "urgency"),  # type: ignore[arg-type]
        severity=_enum(_SEVERITY, _text(first, "severity"), "severity"),  # type: ignore[arg-type]
        certainty=_enum(_CERTAINTY, _text(first, "certainty"), "certainty"),  # type: ignore[arg-type]
        categories=categories,
        expires=_parse_time(expires) if expires else None,
        status=_STATUS[status],
        infos=tuple(
            CapInfo(
                lang=_lang(_text(i, "language")),
                headline=_text(i, "headline"),
                description=_text(i, "description"),
                instruction=_text(i, "instruction"),
                area="; ".join(
                    _text(a, "areaDesc") for a in i.findall(_Q + "area") if _text(a, "areaDesc")
                ),
            )
            for i in infos
        ),
    )


def _parse_time(text: str) -> int:
    try:
        return hubtime.from_datetime(datetime.fromisoformat(text))
    except ValueError as err:
        raise CapError(f"CAP time {text!r}: {err}") from err


def _localized(info: CapInfo, with_area: bool) -> m.LocalizedText:
    parts = [info.description, info.instruction]
    if with_area and info.area:
        parts.append(f"{_AREA_LABEL.get(info.lang, 'Area')}: {info.area}.")
    return m.LocalizedText(info.lang, info.headline, " ".join(p for p in parts if p))


@dataclass(frozen=True, slots=True)
class Converted:
    bulletin: m.Bulletin
    notes: tuple[str, ...]


def _drop_last_sentence(text: str) -> str:
    sentences = _SENTENCE_END.split(text)
    return " ".join(sentences[:-1])


def to_bulletin(
    alert: CapAlert,
    now: int,
    fits: Callable[[m.Bulletin], bool],
    resolve: Callable[[str], int | None],
) -> Converted:
    """The bulletin for ``alert`` that ``fits`` the budget, with notes on what was dropped."""
    notes: list[str] = []
    refs = []
    for ident in alert.references:
        seq = resolve(ident)
        if seq is None:
            notes.append(f"dropped reference to {ident} (not issued from this key)")
        else:
            refs.append(seq)
    if alert.msg_type is not m.MsgType.ALERT and not refs:
        raise CapError(f"{alert.msg_type.name.title()} refers to no bulletin issued from here")
    expires_in = 0
    if alert.expires is not None:
        if alert.expires <= now:
            raise CapError("the CAP alert has already expired")
        expires_in = -(-(alert.expires - now) // 60)
    infos = sorted(alert.infos, key=lambda i: (i.lang != "nl", i.lang != "en"))
    base = m.Bulletin(
        texts=tuple(_localized(i, True) for i in infos),
        type=alert.msg_type,
        references=tuple(refs),
        urgency=alert.urgency,
        severity=alert.severity,
        certainty=alert.certainty,
        categories=alert.categories,
        expires_in_min=expires_in,
        status=alert.status,
    )
    return Converted(*_shrink(base, infos, fits, notes))


def _shrink(
    b: m.Bulletin, infos: list[CapInfo], fits: Callable[[m.Bulletin], bool], notes: list[str]
) -> tuple[m.Bulletin, tuple[str, ...]]:
    if fits(b):
        return b, tuple(notes)
    if any(i.area for i in infos):
        b = replace(b, texts=tuple(_localized(i, False) for i in infos))
        notes.append("dropped the area descriptions")
        if fits(b):
            return b, tuple(notes)
    while len(infos) > 1:
        dropped = infos.pop()
        b = replace(b, texts=b.texts[:-1])
        notes.append(f"dropped the {dropped.lang} text")
        if fits(b):
            return b, tuple(notes)
    info = infos[0]
    for field in ("description", "instruction"):
        while getattr(info, field):
            info = replace(info, **{field: _drop_last_sentence(getattr(info, field))})
            b = replace(b, texts=(_localized(info, False),))
            if fits(b):
                how = "shortened" if getattr(info, field) else "dropped"
                notes.append(f"{how} the {field} to fit")
                return b, tuple(notes)
        notes.append(f"dropped the {field}")
    if fits(b):
        return b, tuple(notes)
    raise CapError("even the headline alone does not fit the budget; raise --max-frames")
