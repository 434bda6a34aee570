"""Sealing personal data: X25519 from the Ed25519 identity keys, HKDF, ChaCha20-Poly1305."""

from __future__ import annotations

import struct

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given, settings
from hypothesis import strategies as st

from relay.errors import TrustError
from relay.wire import envelope
from relay.wire import model as m
from relay.wire.help import (
    HelpDetails,
    HelpInputError,
    HelpReply,
    open_details,
    open_reply,
    seal_details,
    seal_reply,
)
from relay.wire.keys import PrivateKey
from relay.wire.seal import (
    TAG_BYTES,
    UnsealableError,
    seal,
    unseal,
    x25519_private_bytes,
    x25519_public_bytes,
)
from tests.wire.conftest import NOW, fixed_key

HUB = fixed_key(2, "hub-utrecht", m.Role.HUB)
POINT = fixed_key(3, "np-017", m.Role.POINT)
OTHER_POINT = fixed_key(4, "np-018", m.Role.POINT)
OTHER_HUB = fixed_key(5, "hub-backup", m.Role.HUB)


def key_from_seed(seed: bytes) -> PrivateKey:
    return PrivateKey(Ed25519PrivateKey.from_private_bytes(seed), "k", m.Role.POINT)


def public_of_private(scalar: bytes) -> bytes:
    return (
        X25519PrivateKey.from_private_bytes(scalar)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def test_libsodium_known_answer() -> None:
    """libsodium's test/default/ed25519_convert.c: seed -> curve25519 sk and pk."""
    key = key_from_seed(
        bytes.fromhex("421151a459faeade3d247115f94aedae42318124095afabe4d1451a559faedee")
    )
    assert x25519_private_bytes(key).hex() == (
        "8052030376d47112be7f73ed7a019293dd12ad910b654455798b4667d73de166"
    )
    assert x25519_public_bytes(key.public).hex() == (
        "f1814f0e8ff1043d8a44d25babff3cedcae6c22c3edaa48f857ae70de2baae50"
    )


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_public_map_agrees_with_the_private_key(seed: bytes) -> None:
    """The Edwards->Montgomery map of the public key is the X25519 public key of the
    derived private key: both ends compute the same thing from different halves."""
    key = key_from_seed(seed)
    assert x25519_public_bytes(key.public) == public_of_private(x25519_private_bytes(key))


def test_seal_known_answer() -> None:
    """The construction spelled out step by step (the peer's X25519 key taken from its
    private half, not from the Edwards map), and the bytes pinned: a change to the
    derivation would make sealed parts in old messages and stores unreadable."""
    sealed = seal(POINT, HUB.public, 7, b"help-request", b"Dorpsstraat 12")
    secret = X25519PrivateKey.from_private_bytes(x25519_private_bytes(POINT)).exchange(
        X25519PublicKey.from_public_bytes(public_of_private(x25519_private_bytes(HUB)))
    )
    info = b"help-request" + struct.pack(">III", POINT.key_id, HUB.key_id, 7)
    okm = HKDF(hashes.SHA256(), 44, b"noodrelay seal v1", info).derive(secret)
    expected = ChaCha20Poly1305(okm[:32]).encrypt(okm[32:], b"Dorpsstraat 12", None)
    assert sealed == expected
    assert len(sealed) == len(b"Dorpsstraat 12") + TAG_BYTES
    assert sealed.hex() == "aeac2994e4bf1a165a458f8a15cf44b91d35e80ac5229f378c29e59ec53d"


def test_either_end_opens_and_nobody_else() -> None:
    sealed = seal(POINT, HUB.public, 7, b"help-request", b"Dorpsstraat 12")
    ids = {"sender_id": POINT.key_id, "recipient_id": HUB.key_id, "seq": 7}
    assert unseal(HUB, POINT.public, **ids, label=b"help-request", sealed=sealed) == (
        b"Dorpsstraat 12"
    )
    # The sender reads back what it sealed (a point showing its own request after a restart).
    assert unseal(POINT, HUB.public, **ids, label=b"help-request", sealed=sealed)
    # Another point on the channel, even holding the hub's public key, cannot.
    with pytest.raises(UnsealableError):
        unseal(OTHER_POINT, HUB.public, **ids, label=b"help-request", sealed=sealed)
    with pytest.raises(UnsealableError):
        unseal(OTHER_HUB, POINT.public, **ids, label=b"help-request", sealed=sealed)


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 8},
        {"sender_id": OTHER_POINT.key_id},
        {"recipient_id": OTHER_HUB.key_id},
        {"label": b"help-update"},
    ],
)
def test_sealed_part_is_bound_to_its_message(change: dict[str, object]) -> None:
    """Moved into another message (number, sender, recipient, kind) it no longer opens."""
    sealed = seal(POINT, HUB.public, 7, b"help-request", b"Dorpsstraat 12")
    args: dict[str, object] = {
        "sender_id": POINT.key_id,
        "recipient_id": HUB.key_id,
        "seq": 7,
        "label": b"help-request",
        **change,
    }
    with pytest.raises(UnsealableError):
        unseal(HUB, POINT.public, sealed=sealed, **args)  # type: ignore[arg-type]


def test_tampered_or_truncated_sealed_part_fails() -> None:
    sealed = bytearray(seal(POINT, HUB.public, 7, b"help-request", b"Dorpsstraat 12"))
    ids = {"sender_id": POINT.key_id, "recipient_id": HUB.key_id, "seq": 7}
    for i in (0, len(sealed) - 1):
        bad = bytearray(sealed)
        bad[i] ^= 1
        with pytest.raises(UnsealableError):
            unseal(HUB, POINT.public, **ids, label=b"help-request", sealed=bytes(bad))
    with pytest.raises(UnsealableError, match="too short"):
        unseal(HUB, POINT.public, **ids, label=b"help-request", sealed=bytes(sealed[:10]))
    assert issubclass(UnsealableError, TrustError)


def test_unusable_public_keys_are_refused() -> None:
    with pytest.raises(UnsealableError):
        x25519_public_bytes(bytes([1]) + bytes(31))  # y = 1: no Montgomery form
    with pytest.raises(UnsealableError):
        x25519_public_bytes(b"\xff" * 32)  # y >= p
    with pytest.raises(UnsealableError):
        x25519_public_bytes(b"short")


def test_details_and_reply_round_trip_with_awkward_text() -> None:
    details = HelpDetails(
        "Straße 1 / ул. Садовая, دار", "Man (78) aan zuurstof\nstroom tot 14:00", "Anja"
    ).checked()
    sealed = seal_details(POINT, HUB.public, 9, details)
    opened = open_details(
        HUB, POINT.public, point_id=POINT.key_id, hub_id=HUB.key_id, seq=9, sealed=sealed
    )
    assert opened == details
    reply = HelpReply("Ambulance onderweg", "Centralist Jansen").checked()
    sealed_reply = seal_reply(HUB, POINT.public, 40, reply)
    assert (
        open_reply(
            POINT,
            HUB.public,
            hub_id=HUB.key_id,
            point_id=POINT.key_id,
            seq=40,
            sealed=sealed_reply,
        )
        == reply
    )
    assert seal_reply(HUB, POINT.public, 41, HelpReply()) == b""  # nothing to seal: no bytes


def test_details_are_checked() -> None:
    with pytest.raises(HelpInputError, match="location or a description"):
        HelpDetails(" ", "", "Anja").checked()
    with pytest.raises(HelpInputError, match="at most 100"):
        HelpDetails("x" * 101, "brand").checked()
    # Control characters (the field separator among them) cannot smuggle in a field.
    cleaned = HelpDetails("a\x1fb", "c\x1ed").checked()
    assert cleaned == HelpDetails("a b", "c d")


def test_sealed_request_hides_the_personal_part_on_the_air() -> None:
    """What another point on the channel sees: type, urgency, people; not the text."""
    details = HelpDetails("Dorpsstraat 12 Houten", "Man aan zuurstof", "Anja").checked()
    body = m.HelpRequest(
        m.HelpType.VULNERABLE_PERSON,
        m.HelpUrgency.URGENT,
        1,
        HUB.key_id,
        seal_details(POINT, HUB.public, 9, details),
    )
    raw = envelope.sign(POINT, 9, NOW, body).raw
    for word in (b"Dorps", b"zuurstof", b"Anja", b"straat"):
        assert word not in raw
    parsed = envelope.parse(raw).envelope.body
    assert isinstance(parsed, m.HelpRequest) and parsed.type is m.HelpType.VULNERABLE_PERSON
