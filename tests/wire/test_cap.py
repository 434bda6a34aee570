"""CAP 1.2 alerts into bulletins that fit the budget, saying what was dropped."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from relay.errors import CapError
from relay.wire import model as m
from relay.wire import schema
from relay.wire.cap import parse_cap, to_bulletin
from tests.wire.conftest import NOW

DATA = Path(__file__).resolve().parent.parent / "data" / "cap"


def never_resolve(identifier: str) -> int | None:
    return None


def always_fits(b: m.Bulletin) -> bool:
    return True


def test_parse_full_alert() -> None:
    alert = parse_cap((DATA / "alert.xml").read_bytes())
    assert alert.msg_type is m.MsgType.ALERT
    assert (alert.urgency, alert.severity, alert.certainty) == (
        m.Urgency.IMMEDIATE,
        m.Severity.SEVERE,
        m.Certainty.OBSERVED,
    )
    assert alert.categories == m.Category.FIRE | m.Category.ENV
    assert [i.lang for i in alert.infos] == ["nl", "en", "de"]
    assert alert.infos[0].area == "Utrecht-West, Maarssen"


def test_everything_kept_when_it_fits() -> None:
    alert = parse_cap((DATA / "alert.xml").read_bytes())
    conv = to_bulletin(alert, NOW, always_fits, never_resolve)
    assert conv.notes == ()
    assert [t.lang for t in conv.bulletin.texts] == ["nl", "en", "de"]
    nl = conv.bulletin.texts[0]
    assert nl.headline == "Grote brand Lage Weide"
    assert nl.body.endswith("Gebied: Utrecht-West, Maarssen.")
    assert "Blijf binnen" in nl.body


def test_shrinks_in_order_and_says_so() -> None:
    alert = parse_cap((DATA / "alert.xml").read_bytes())

    def size(b: m.Bulletin) -> int:
        return sum(len(t.headline) + len(t.body) for t in b.texts)

    conv = to_bulletin(alert, NOW, lambda b: size(b) <= 120, never_resolve)
    assert conv.notes[:3] == (
        "dropped the area descriptions",
        "dropped the de text",
        "dropped the en text",
    )
    (nl,) = conv.bulletin.texts
    assert "Blijf binnen, sluit ramen" in nl.body  # the instruction survives longest
    assert size(conv.bulletin) <= 120


def test_update_resolves_references() -> None:
    alert = parse_cap((DATA / "update.xml").read_bytes())
    conv = to_bulletin(alert, NOW, always_fits, {"VRU-2026-1128-001": 12}.get)
    assert conv.bulletin.type is m.MsgType.UPDATE
    assert conv.bulletin.references == (12,)


def test_update_without_known_reference_is_refused() -> None:
    alert = parse_cap((DATA / "update.xml").read_bytes())
    with pytest.raises(CapError, match="refers to no bulletin"):
        to_bulletin(alert, NOW, always_fits, never_resolve)


@pytest.mark.parametrize(
    ("xml", "match"),
    [
        (b"<not-xml", "not well-formed"),
        (b"<alert/>", "not a CAP 1.2 alert"),
        ((DATA / "test-status.xml").read_bytes().replace(b">Exercise<", b">Draft<"), "'Draft'"),
        ((DATA / "alert.xml").read_bytes().replace(b">Actual<", b">System<"), "'System'"),
        (
            (DATA / "alert.xml").read_bytes().replace(b"Immediate", b"Soon", 1),
            "urgency 'Soon'",
        ),
        (
            (DATA / "alert.xml").read_bytes().replace(b"<msgType>Alert", b"<msgType>Ack"),
            "not a bulletin",
        ),
    ],
)
def test_bad_cap(xml: bytes, match: str) -> None:
    with pytest.raises(CapError, match=match):
        parse_cap(xml)


def test_entity_expansion_is_refused() -> None:
    """A "billion laughs" CAP file is refused by expat's amplification limit."""
    entities = b"".join(
        b'<!ENTITY %s "%s">' % (bytes([c]), (b"&" + bytes([c - 1]) + b";") * 10)
        for c in range(ord("b"), ord("i"))
    )
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY a "aaaaaaaaaa">' + entities + b"]>"
        b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&h;</alert>'
    )
    with pytest.raises(CapError, match="amplification"):
        parse_cap(bomb)


def test_expired_alert_is_refused() -> None:
    xml = (DATA / "alert.xml").read_bytes().replace(b"2099-01-01", b"2025-01-02")
    with pytest.raises(CapError, match="expired"):
        to_bulletin(parse_cap(xml), NOW, always_fits, never_resolve)


@pytest.mark.parametrize(
    ("status", "expected"),
    [("Exercise", m.AlertStatus.EXERCISE), ("Test", m.AlertStatus.TEST)],
)
def test_exercise_and_test_alerts_are_imported_as_such(
    status: str, expected: m.AlertStatus
) -> None:
    xml = (DATA / "alert.xml").read_bytes().replace(b">Actual<", f">{status}<".encode())
    alert = parse_cap(xml)
    assert alert.status is expected
    conv = to_bulletin(alert, NOW, always_fits, never_resolve)
    assert conv.bulletin.status is expected and not conv.bulletin.is_real
    # It survives the wire: signed, parsed, still an exercise (or test).
    env = m.Envelope(key_id=1, seq=1, time=NOW, body=conv.bulletin)
    assert schema.envelope_from_bytes(schema.envelope_to_bytes(env)) == env


def test_actual_bulletins_cost_no_extra_byte() -> None:
    alert = parse_cap((DATA / "alert.xml").read_bytes())
    real = to_bulletin(alert, NOW, always_fits, never_resolve).bulletin
    exercise = replace(real, status=m.AlertStatus.EXERCISE)
    size = [
        len(schema.envelope_to_bytes(m.Envelope(key_id=1, seq=1, time=NOW, body=b)))
        for b in (real, exercise)
    ]
    assert size[1] == size[0] + 2  # the status costs two bytes, and only when not Actual
