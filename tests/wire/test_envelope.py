"""Signed envelopes: round trips, exact-byte signatures, evolution rules, known answers."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relay.errors import (
    BadSignatureError,
    CorruptError,
    NotNoodrelayError,
    RelayError,
    TruncatedError,
    UnknownKindError,
    UnsupportedVersionError,
)
from relay.wire import envelope, schema
from relay.wire import model as m
from relay.wire.proto import noodrelay_pb2 as pb
from tests.wire.conftest import NOW, fixed_key, text_bulletin
from tests.wire.strategies import bodies, seqs

HUB = fixed_key(2, "hub-utrecht", m.Role.HUB)


@given(body=bodies, seq=seqs, time=st.integers(0, 2**32 - 1))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_every_kind_round_trips(body: m.Body, seq: int, time: int) -> None:
    msg = envelope.sign(HUB, seq, time, body)
    back = envelope.parse(msg.raw)
    expected = schema.effective(body) if isinstance(body, m.Bulletin) else body
    assert back.envelope == replace(msg.envelope, body=expected)
    HUB.public.verify(back.signature, back.signed)


@given(body=bodies, data=st.data())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_any_single_byte_change_fails(body: m.Body, data: st.DataObject) -> None:
    raw = bytearray(envelope.sign(HUB, 7, NOW, body).raw)
    index = data.draw(st.integers(0, len(raw) - 1), label="index")
    raw[index] ^= data.draw(st.integers(1, 255), label="xor")
    with pytest.raises(RelayError):
        msg = envelope.parse(bytes(raw))
        HUB.public.verify(msg.signature, msg.signed)


def test_signature_covers_exactly_the_bytes_before_it() -> None:
    msg = envelope.sign(HUB, 1, NOW, text_bulletin())
    assert msg.raw[0] == envelope.WHOLE_MARKER
    assert msg.signed == msg.raw[:-64]
    HUB.public.verify(msg.raw[-64:], msg.raw[:-64])
    with pytest.raises(BadSignatureError):
        HUB.public.verify(msg.raw[-64:], msg.raw[1:-64])  # without the marker: not what was signed


def test_known_answer_vector() -> None:
    """Ed25519 is deterministic: a fixed key and body give these exact bytes, forever.

    If this fails, the wire format changed: that breaks every deployed reader.
    (A template body, so the vector does not depend on the text codec, which has its own.)
    """
    body = m.Bulletin(
        template=m.TemplateValues(code=1, numbers=(7, NOW + 86_400), texts=("De Vliert",)),
        urgency=m.Urgency.IMMEDIATE,
        severity=m.Severity.SEVERE,
        certainty=m.Certainty.OBSERVED,
        expires_in_min=1440,
    )
    msg = envelope.sign(HUB, 1, NOW, body)
    assert msg.signed.hex() == KNOWN_SIGNED
    assert msg.signature.hex() == KNOWN_SIGNATURE


KNOWN_SIGNED = "a10dd503386a100118808ece1c22172002280138a00b50015a050780b1d31c62050130188568"
KNOWN_SIGNATURE = (
    "fe40a8ada0a9c0261be4324ad58f9f2002c2d06e0e5cdf012ec811aee7eeb3e2"
    "17ea57ad776d1117af508662fdb932f0dd8aa95d2ca075a22fb9e1480a4d8303"
)


def test_unknown_kind_is_never_taken_for_another() -> None:
    # A newer sender's kind: field 14 of the envelope, a message we do not know.
    env = pb.Envelope(key_id=HUB.key_id, seq=1, time=NOW).SerializeToString()
    env += bytes([14 << 3 | 2, 2, 0x08, 0x01])
    with pytest.raises(UnknownKindError):
        schema.envelope_from_bytes(env)


def test_unknown_fields_are_tolerated() -> None:
    raw = schema.envelope_to_bytes(m.Envelope(HUB.key_id, 3, NOW, text_bulletin()))
    p = pb.Envelope.FromString(raw)
    extra = p.bulletin.SerializeToString() + bytes([15 << 3 | 0, 5])  # unknown field 15 = 5
    p.bulletin.ParseFromString(extra)
    env = schema.envelope_from_bytes(p.SerializeToString())
    assert env.body == text_bulletin()


def test_unknown_enum_value_becomes_unknown() -> None:
    p = pb.Envelope(key_id=1, seq=1, time=NOW)
    p.status.point_id = 5
    p.status.power = 42  # type: ignore[assignment]
    env = schema.envelope_from_bytes(p.SerializeToString())
    assert isinstance(env.body, m.StatusReport)
    assert env.body.power is m.PowerSource.UNKNOWN


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", TruncatedError),
        (b"hello world, this is not ours" * 4, NotNoodrelayError),
        (bytes([0xA2]) + bytes(80), UnsupportedVersionError),
        (bytes([0xA1]) + bytes(10), TruncatedError),
        (bytes([0xA1]) + b"\xff" * 100, CorruptError),
    ],
)
def test_bad_input_raises_specific_errors(data: bytes, error: type[RelayError]) -> None:
    with pytest.raises(error):
        envelope.parse(data)


def test_bulletin_needs_text_or_template() -> None:
    with pytest.raises(ValueError, match="either texts or a template"):
        m.Bulletin()
