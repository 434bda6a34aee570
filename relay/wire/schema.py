"""The protobuf edge: domain dataclasses <-> ``noodrelay_pb2`` bytes.

Nothing outside :mod:`relay.wire` imports the generated code. Decoding is defensive:
protobuf errors, enum values from the future and impossible combinations all become
:class:`relay.errors.CorruptError` or the ``UNKNOWN`` member, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from enum import IntEnum
from typing import TypeVar

from google.protobuf.message import DecodeError

from relay.errors import CorruptError, UnknownKindError
from relay.wire import model as m
from relay.wire import textblob
from relay.wire.proto import noodrelay_pb2 as pb
from relay.wire.templates.catalogue import TEMPLATES
from relay.wire.templates.wire import pack_texts, unpack_texts

E = TypeVar("E", bound=IntEnum)

#: Longest repeated list we accept (a frame can't carry more anyway; bounds work on junk).
MAX_LIST = 512


def _enum(cls: type[E], value: int, unknown: E) -> E:
    try:
        return cls(value)
    except ValueError:
        return unknown


def _deltas_up(values: Sequence[int]) -> list[int]:
    """Ascending numbers as first value + differences (small varints)."""
    out, prev = [], 0
    for v in sorted(values):
        out.append(v - prev)
        prev = v
    return out


def _undeltas_up(deltas: Sequence[int]) -> tuple[int, ...]:
    out, acc = [], 0
    for d in deltas:
        acc += d
        out.append(acc)
    return tuple(out)


def _limit(values: Sequence[object], what: str) -> None:
    if len(values) > MAX_LIST:
        raise CorruptError(f"{what}: {len(values)} entries, more than {MAX_LIST}")


# --- bulletins ------------------------------------------------------------------------


_BY_CODE = {t.code: t for t in TEMPLATES}


def template_defaults(code: int) -> tuple[m.Urgency, m.Severity, m.Certainty] | None:
    """The CAP values a catalogue template suggests (part of the wire contract: a template
    bulletin that leaves them 0 on the air means these)."""
    t = _BY_CODE.get(code)
    if t is None:
        return None
    return (
        m.Urgency[t.urgency.upper()],
        m.Severity[t.severity.upper()],
        m.Certainty[t.certainty.upper().replace(" ", "_")],
    )


def effective(b: m.Bulletin) -> m.Bulletin:
    """The bulletin as receivers see it: a template bulletin's UNKNOWN urgency, severity
    or certainty is the template's suggestion (0 on the air means "as the template says")."""
    defaults = template_defaults(b.template.code) if b.template is not None else None
    if defaults is None:
        return b
    return replace(
        b,
        urgency=b.urgency or defaults[0],
        severity=b.severity or defaults[1],
        certainty=b.certainty or defaults[2],
    )


def _bulletin_to_pb(b: m.Bulletin, out: pb.Bulletin) -> None:
    out.type = int(b.type)  # type: ignore[assignment]
    out.references.extend(b.references)
    cap = (b.urgency, b.severity, b.certainty)
    defaults = template_defaults(b.template.code) if b.template is not None else None
    if defaults is not None:  # the template's own suggestions need no bytes
        cap = tuple(  # type: ignore[assignment]
            type(v)(0) if v == d else v for v, d in zip(cap, defaults, strict=True)
        )
    out.urgency = int(cap[0])  # type: ignore[assignment]
    out.severity = int(cap[1])  # type: ignore[assignment]
    out.certainty = int(cap[2])  # type: ignore[assignment]
    out.categories = int(b.categories)
    out.expires_in = b.expires_in_min
    out.status = int(b.status)  # type: ignore[assignment]
    if not b.target.everyone:
        out.target.points.extend(b.target.points)
        out.target.groups.extend(b.target.groups)
    if b.template is not None:
        out.template = b.template.code
        out.template_numbers.extend(b.template.numbers)
        out.template_texts = pack_texts(b.template.texts)
    else:
        out.text = textblob.pack(b.texts)


def _bulletin_from_pb(p: pb.Bulletin) -> m.Bulletin:
    _limit(p.references, "references")
    _limit(p.target.points, "target points")
    content = p.WhichOneof("content")
    texts: tuple[m.LocalizedText, ...] = ()
    template = None
    if content == "text":
        texts = textblob.unpack(p.text)
    elif content == "template":
        _limit(p.template_numbers, "template numbers")
        template = m.TemplateValues(
            code=p.template,
            numbers=tuple(p.template_numbers),
            texts=unpack_texts(p.template_texts),
        )
    else:
        raise CorruptError("bulletin without text or template")
    urgency = _enum(m.Urgency, p.urgency, m.Urgency.UNKNOWN)
    severity = _enum(m.Severity, p.severity, m.Severity.UNKNOWN)
    certainty = _enum(m.Certainty, p.certainty, m.Certainty.UNKNOWN)
    defaults = template_defaults(template.code) if template is not None else None
    if defaults is not None:
        urgency = urgency if p.urgency else defaults[0]
        severity = severity if p.severity else defaults[1]
        certainty = certainty if p.certainty else defaults[2]
    return m.Bulletin(
        texts=texts,
        template=template,
        type=_enum(m.MsgType, p.type, m.MsgType.ALERT),
        references=tuple(p.references),
        urgency=urgency,
        severity=severity,
        certainty=certainty,
        categories=m.Category(p.categories & ((1 << 12) - 1)),
        expires_in_min=p.expires_in,
        target=m.Target(points=tuple(p.target.points), groups=tuple(p.target.groups)),
        # A status from a newer sender is not taken for real: real alerts are 0 (Actual).
        status=_enum(m.AlertStatus, p.status, m.AlertStatus.TEST),
    )


# --- status reports and receipts ------------------------------------------------------


#: Longest bit set we accept (points in a heard-list, bulletins in a receipt).
MAX_BITS_BYTES = 128


def bits_to_bytes(bits: int) -> bytes:
    """A bit set as bytes, bit i = bit i % 8 of byte i // 8; trailing zero bytes dropped."""
    return bits.to_bytes((bits.bit_length() + 7) // 8, "little")


def bits_from_bytes(data: bytes, what: str) -> int:
    if len(data) > MAX_BITS_BYTES:
        raise CorruptError(f"{what}: {len(data)} bytes of bits, more than {MAX_BITS_BYTES}")
    return int.from_bytes(data, "little")


def _receipt_to_pb(r: m.Receipt, out: pb.Receipt) -> None:
    out.issuer = r.issuer
    out.heartbeat = r.heartbeat
    out.held = bits_to_bytes(r.held)
    out.shown = bits_to_bytes(r.shown)
    out.newer.extend(_deltas_up([s - r.heartbeat for s in r.newer if s > r.heartbeat]))
    for ref in r.others:
        out.others.add(key_id=ref.key_id, seq=ref.seq)


def _receipt_from_pb(p: pb.Receipt) -> m.Receipt:
    _limit(p.newer, "receipt newer")
    newer = tuple(p.heartbeat + d for d in _undeltas_up(p.newer))
    if any(s <= p.heartbeat for s in newer) or len(set(newer)) != len(newer):
        raise CorruptError("receipt lists a bulletin that is not newer than its heartbeat")
    return m.Receipt(
        heartbeat=p.heartbeat,
        held=bits_from_bytes(p.held, "receipt held"),
        shown=bits_from_bytes(p.shown, "receipt shown"),
        newer=newer,
        issuer=p.issuer,
        others=_refs(p.others, "receipt others"),
    )


def _refs(refs: Sequence[pb.BulletinRef], what: str) -> tuple[m.BulletinRef, ...]:
    _limit(refs, what)
    return tuple(m.BulletinRef(r.key_id, r.seq) for r in refs)


def status_to_pb(s: m.StatusReport, out: pb.StatusReport, *, with_point_id: bool = True) -> None:
    if with_point_id:
        out.point_id = s.point_id
    out.open = int(s.open)  # type: ignore[assignment]
    out.power = int(s.power)  # type: ignore[assignment]
    if s.battery_pct is not None:
        out.battery_pct = s.battery_pct
    if s.visitors is not None:
        out.visitors = s.visitors
    out.needs = int(s.needs)
    if s.text:
        out.text = textblob.pack_plain(s.text)
    if s.receipt is not None:
        _receipt_to_pb(s.receipt, out.receipt)
        out.receipt.SetInParent()  # an empty receipt ("nothing held yet") still says so


def _status_to_pb(s: m.StatusReport, out: pb.StatusReport) -> None:
    status_to_pb(s, out)


def status_from_pb(p: pb.StatusReport) -> m.StatusReport:
    battery = p.battery_pct if p.HasField("battery_pct") else None
    if battery is not None and battery > 100:
        raise CorruptError(f"battery at {battery} %")
    return m.StatusReport(
        point_id=p.point_id,
        open=_enum(m.OpenState, p.open, m.OpenState.UNKNOWN),
        power=_enum(m.PowerSource, p.power, m.PowerSource.UNKNOWN),
        battery_pct=battery,
        visitors=p.visitors if p.HasField("visitors") else None,
        needs=m.Need(p.needs & ((1 << 10) - 1)),
        text=textblob.unpack_plain(p.text) if p.text else "",
        receipt=_receipt_from_pb(p.receipt) if p.HasField("receipt") else None,
    )


# --- heartbeat, trust, repair ---------------------------------------------------------


def _heartbeat_to_pb(h: m.Heartbeat, out: pb.Heartbeat) -> None:
    out.active.extend(_deltas_up(h.active))
    out.interval = h.interval_s
    out.status_interval = h.status_interval_s
    out.slots = h.slots
    if any(p <= 0 for p in h.heard):
        raise ValueError("point ids in a heard-list start at 1")
    out.heard = bits_to_bytes(sum(1 << (p - 1) for p in h.heard))


def _heartbeat_from_pb(p: pb.Heartbeat) -> m.Heartbeat:
    _limit(p.active, "heartbeat active list")
    if any(d == 0 for d in p.active[1:]):
        raise CorruptError("heartbeat lists a bulletin twice")
    bits = bits_from_bytes(p.heard, "heartbeat heard-list")
    heard = frozenset(i + 1 for i in range(bits.bit_length()) if bits >> i & 1)
    return m.Heartbeat(
        active=_undeltas_up(p.active),
        interval_s=p.interval,
        status_interval_s=p.status_interval,
        slots=p.slots,
        heard=heard,
    )


def _cert_to_pb(c: m.Certificate, out: pb.Certificate) -> None:
    out.public_key = c.public_key
    out.role = int(c.role)  # type: ignore[assignment]
    out.name = c.name
    out.point_id = c.point_id
    out.valid_from = c.valid_from
    out.valid_until = c.valid_until
    out.groups.extend(c.groups)


def _cert_from_pb(p: pb.Certificate) -> m.Certificate:
    if len(p.public_key) != 32:
        raise CorruptError(f"certificate key of {len(p.public_key)} bytes, not 32")
    _limit(p.groups, "certificate groups")
    return m.Certificate(
        public_key=p.public_key,
        role=_enum(m.Role, p.role, m.Role.UNKNOWN),
        name=p.name,
        point_id=p.point_id,
        valid_from=p.valid_from,
        valid_until=p.valid_until,
        groups=tuple(p.groups),
    )


def _revocation_to_pb(r: m.Revocation, out: pb.Revocation) -> None:
    for k in r.keys:
        out.keys.add(key_id=k.key_id, last_good_seq=k.last_good_seq)
    out.reason = r.reason


def _revocation_from_pb(p: pb.Revocation) -> m.Revocation:
    _limit(p.keys, "revoked keys")
    keys = tuple(m.RevokedKey(k.key_id, k.last_good_seq) for k in p.keys)
    return m.Revocation(keys=keys, reason=p.reason)


def _repair_to_pb(r: m.RepairRequest, out: pb.RepairRequest) -> None:
    out.issuer = r.issuer
    out.seqs.extend(_deltas_up(r.seqs))
    for f in r.fragments:
        out.fragments.add(message_id=f.message_id, missing=f.missing)
    out.certificates.extend(r.certificates)
    out.direct = r.direct


def _repair_from_pb(p: pb.RepairRequest) -> m.RepairRequest:
    _limit(p.seqs, "repair sequence numbers")
    _limit(p.fragments, "repair fragments")
    _limit(p.certificates, "repair certificates")
    frags = tuple(m.FragmentNeed(f.message_id, f.missing) for f in p.fragments)
    if any(len(f.message_id) != 3 for f in frags):
        raise CorruptError("repair request with a malformed fragment message id")
    return m.RepairRequest(
        seqs=_undeltas_up(p.seqs),
        fragments=frags,
        certificates=tuple(p.certificates),
        issuer=p.issuer,
        direct=p.direct,
    )


# --- help requests --------------------------------------------------------------------

#: Largest sealed part we accept (a message is at most 16 fragments; bounds work on junk).
MAX_SEALED = 2048


def _help_request_to_pb(h: m.HelpRequest, out: pb.HelpRequest) -> None:
    out.type = int(h.type_code)  # type: ignore[assignment]
    out.urgency = int(h.urgency)  # type: ignore[assignment]
    out.people = h.people
    out.to = h.to
    out.sealed = h.sealed


def _help_request_from_pb(p: pb.HelpRequest) -> m.HelpRequest:
    if not p.sealed:
        raise CorruptError("help request without its sealed part")
    if len(p.sealed) > MAX_SEALED:
        raise CorruptError(f"help request with a sealed part of {len(p.sealed)} bytes")
    return m.HelpRequest(
        type_code=int(p.type),
        urgency=_enum(m.HelpUrgency, p.urgency, m.HelpUrgency.UNKNOWN),
        people=p.people,
        to=p.to,
        sealed=p.sealed,
    )


def _help_update_to_pb(h: m.HelpUpdate, out: pb.HelpUpdate) -> None:
    out.point = h.point
    out.request = h.request
    out.state = int(h.state)  # type: ignore[assignment]
    out.sealed = h.sealed


def _help_update_from_pb(p: pb.HelpUpdate) -> m.HelpUpdate:
    if p.request == 0:
        raise CorruptError("help update for request number 0")
    if len(p.sealed) > MAX_SEALED:
        raise CorruptError(f"help update with a sealed part of {len(p.sealed)} bytes")
    return m.HelpUpdate(
        point=p.point,
        request=p.request,
        state=_enum(m.HelpState, p.state, m.HelpState.UNKNOWN),
        sealed=p.sealed,
    )


def _help_ack_to_pb(h: m.HelpAck, out: pb.HelpAck) -> None:
    out.updates.extend(_deltas_up(h.updates))


def _help_ack_from_pb(p: pb.HelpAck) -> m.HelpAck:
    _limit(p.updates, "help acknowledgements")
    return m.HelpAck(updates=_undeltas_up(p.updates))


# --- federation -----------------------------------------------------------------------


def _summary_to_pb(s: m.StatusSummary, out: pb.StatusSummary) -> None:
    out.region = s.region
    out.attests = int(s.attests)  # type: ignore[assignment]
    for p in s.points:
        ps = out.points.add(
            point_id=p.point_id, key_id=p.key_id, seq=p.seq, time=p.time, name=p.name
        )
        status_to_pb(replace(p.status, receipt=None), ps.status, with_point_id=False)
        ps.status.SetInParent()
        ps.held.extend(p.held)
        ps.shown.extend(p.shown)
        for ref in p.others:
            ps.others.add(key_id=ref.key_id, seq=ref.seq)
    for r in s.relayed:
        out.relayed.add(key_id=r.key_id, seq=r.seq)


def _summary_from_pb(p: pb.StatusSummary) -> m.StatusSummary:
    _limit(p.points, "summary points")
    points = []
    for ps in p.points:
        _limit(ps.held, "summary held")
        status = replace(status_from_pb(ps.status), point_id=ps.point_id, receipt=None)
        points.append(
            m.PointSummary(
                point_id=ps.point_id,
                key_id=ps.key_id,
                seq=ps.seq,
                time=ps.time,
                name=ps.name,
                status=status,
                held=tuple(ps.held),
                shown=tuple(ps.shown),
                others=_refs(ps.others, "summary others"),
            )
        )
    return m.StatusSummary(
        region=p.region,
        points=tuple(points),
        relayed=_refs(p.relayed, "summary relayed"),
        attests=_enum(m.Attestation, p.attests, m.Attestation.UNKNOWN),
    )


# --- envelope -------------------------------------------------------------------------

_TO_PB: dict[m.Kind, Callable[[object, object], None]] = {
    m.Kind.BULLETIN: _bulletin_to_pb,  # type: ignore[dict-item]
    m.Kind.STATUS: _status_to_pb,  # type: ignore[dict-item]
    m.Kind.HEARTBEAT: _heartbeat_to_pb,  # type: ignore[dict-item]
    m.Kind.CERTIFICATE: _cert_to_pb,  # type: ignore[dict-item]
    m.Kind.REVOCATION: _revocation_to_pb,  # type: ignore[dict-item]
    m.Kind.REPAIR: _repair_to_pb,  # type: ignore[dict-item]
    m.Kind.RECEIPT: _receipt_to_pb,  # type: ignore[dict-item]
    m.Kind.HELP_REQUEST: _help_request_to_pb,  # type: ignore[dict-item]
    m.Kind.HELP_UPDATE: _help_update_to_pb,  # type: ignore[dict-item]
    m.Kind.HELP_ACK: _help_ack_to_pb,  # type: ignore[dict-item]
    m.Kind.STATUS_SUMMARY: _summary_to_pb,  # type: ignore[dict-item]
}

_FROM_PB: dict[m.Kind, Callable[[object], m.Body]] = {
    m.Kind.BULLETIN: _bulletin_from_pb,  # type: ignore[dict-item]
    m.Kind.STATUS: status_from_pb,  # type: ignore[dict-item]
    m.Kind.HEARTBEAT: _heartbeat_from_pb,  # type: ignore[dict-item]
    m.Kind.CERTIFICATE: _cert_from_pb,  # type: ignore[dict-item]
    m.Kind.REVOCATION: _revocation_from_pb,  # type: ignore[dict-item]
    m.Kind.REPAIR: _repair_from_pb,  # type: ignore[dict-item]
    m.Kind.RECEIPT: _receipt_from_pb,  # type: ignore[dict-item]
    m.Kind.HELP_REQUEST: _help_request_from_pb,  # type: ignore[dict-item]
    m.Kind.HELP_UPDATE: _help_update_from_pb,  # type: ignore[dict-item]
    m.Kind.HELP_ACK: _help_ack_from_pb,  # type: ignore[dict-item]
    m.Kind.STATUS_SUMMARY: _summary_from_pb,  # type: ignore[dict-item]
}


def envelope_to_bytes(env: m.Envelope) -> bytes:
    """Serialise an envelope (deterministically: the bytes are what gets signed)."""
    p = pb.Envelope(key_id=env.key_id, seq=env.seq, time=env.time)
    kind = env.kind
    _TO_PB[kind](env.body, getattr(p, kind.value))
    if not p.HasField(kind.value):  # an all-default body must still mark its kind
        getattr(p, kind.value).SetInParent()
    return p.SerializeToString(deterministic=True)


def envelope_from_bytes(data: bytes) -> m.Envelope:
    """Parse an envelope; unknown kinds raise :class:`UnknownKindError`."""
    p = pb.Envelope()
    try:
        p.ParseFromString(data)
    except (DecodeError, ValueError, RecursionError) as err:
        raise CorruptError(f"not a valid envelope: {err}") from err
    which = p.WhichOneof("body")
    if which is None:
        raise UnknownKindError("message of a kind this version does not know (newer sender?)")
    kind = m.Kind(which)
    try:
        body = _FROM_PB[kind](getattr(p, which))
    except (ValueError, UnicodeDecodeError) as err:
        raise CorruptError(f"invalid {kind.value}: {err}") from err
    return m.Envelope(key_id=p.key_id, seq=p.seq, time=p.time, body=body)
