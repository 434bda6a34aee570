"""The trust rules: roles, certificates, validity windows, revocation, replay, expiry."""

from __future__ import annotations

import pytest

from relay.errors import (
    BadSignatureError,
    CertificateError,
    DuplicateError,
    ExpiredError,
    NotYetValidError,
    ReplayError,
    RevokedKeyError,
    RoleError,
    UnknownKeyError,
)
from relay.wire import envelope
from relay.wire import model as m
from relay.wire.replay import ReplayGuard
from relay.wire.trust import Keyring, Verifier
from tests.wire.conftest import NOW, YEAR, Region, fixed_key, text_bulletin


def verifier(region: Region) -> Verifier:
    return Verifier(region.keyring(), ReplayGuard())


def test_hub_bulletin_is_accepted(region: Region) -> None:
    msg = envelope.sign(region.hub, 1, NOW, text_bulletin())
    v = verifier(region).verify(msg.raw, now=NOW + 60)
    assert v.sender.name == "hub-utrecht"
    assert v.sender.role is m.Role.HUB


def test_point_key_can_never_sign_a_bulletin(region: Region) -> None:
    forged = envelope.sign(region.point, 1, NOW, text_bulletin("Evacueer nu"))
    with pytest.raises(RoleError, match="point"):
        verifier(region).verify(forged.raw, now=NOW)


def test_hub_key_cannot_send_a_status_report(region: Region) -> None:
    msg = envelope.sign(region.hub, 1, NOW, m.StatusReport(point_id=17))
    with pytest.raises(RoleError):
        verifier(region).verify(msg.raw, now=NOW)


def test_point_status_is_accepted_with_its_point_id(region: Region) -> None:
    msg = envelope.sign(region.point, 1, 0, m.StatusReport(point_id=17, open=m.OpenState.OPEN))
    v = verifier(region).verify(msg.raw, now=NOW)
    assert v.sender.point_id == 17


def test_unknown_key(region: Region) -> None:
    stranger = fixed_key(9, "stranger", m.Role.HUB)
    msg = envelope.sign(stranger, 1, NOW, text_bulletin())
    with pytest.raises(UnknownKeyError) as info:
        verifier(region).verify(msg.raw, now=NOW)
    assert info.value.key_id == stranger.key_id


def test_wrong_key_claiming_a_known_id(region: Region) -> None:
    msg = envelope.sign(region.hub, 1, NOW, text_bulletin())
    impostor = envelope.sign(fixed_key(9, "x", m.Role.HUB), 1, NOW, text_bulletin())
    spliced = msg.signed + impostor.signature
    with pytest.raises(BadSignatureError):
        verifier(region).verify(spliced, now=NOW)


def test_certificate_must_come_from_a_pinned_root(region: Region) -> None:
    rogue_root = fixed_key(8, "rogue", m.Role.ROOT)
    cert = m.Certificate(region.point.public.raw, m.Role.HUB, "fake-hub", 0, NOW + YEAR)
    with pytest.raises(CertificateError, match="not a pinned region root"):
        Keyring([region.root.public]).add_certificate(envelope.sign(rogue_root, 1, NOW, cert))


def test_a_point_cannot_certify_itself_as_hub(region: Region) -> None:
    cert = m.Certificate(region.point.public.raw, m.Role.HUB, "np-017", 0, NOW + YEAR)
    ring = region.keyring()
    with pytest.raises(CertificateError):
        ring.add_certificate(envelope.sign(region.point, 5, NOW, cert))


def test_certificate_outside_its_window(region: Region) -> None:
    ring = Keyring([region.root.public])
    ring.add_certificate(region.certify(region.hub, m.Role.HUB, 1, valid_until=NOW - 10))
    msg = envelope.sign(region.hub, 1, NOW, text_bulletin())
    with pytest.raises(ExpiredError):
        Verifier(ring).verify(msg.raw, now=NOW)
    ring2 = Keyring([region.root.public])
    ring2.add_certificate(region.certify(region.hub, m.Role.HUB, 1, valid_from=NOW + 10))
    with pytest.raises(NotYetValidError):
        Verifier(ring2).verify(msg.raw, now=NOW)


def test_without_a_known_hub_time_the_message_time_is_used(region: Region) -> None:
    ring = Keyring([region.root.public])
    ring.add_certificate(region.certify(region.hub, m.Role.HUB, 1, valid_until=NOW - 10))
    late = envelope.sign(region.hub, 1, NOW, text_bulletin())
    with pytest.raises(ExpiredError):
        Verifier(ring).verify(late.raw, now=None)


def test_revoked_key_is_refused_from_the_revocation_on(region: Region) -> None:
    ring = region.keyring()
    v = Verifier(ring, ReplayGuard())
    early = envelope.sign(region.hub, 1, NOW, text_bulletin())
    v.verify(early.raw, now=NOW)
    rev = envelope.sign(region.root, 10, NOW, m.Revocation((m.RevokedKey(region.hub.key_id),)))
    ring.add_revocation(rev.raw)
    later = envelope.sign(region.hub, 2, NOW, text_bulletin("Nep"))
    with pytest.raises(RevokedKeyError):
        v.verify(later.raw, now=NOW)


def test_revocation_keeps_messages_up_to_last_good_seq(region: Region) -> None:
    ring = region.keyring()
    keep = m.RevokedKey(region.hub.key_id, last_good_seq=5)
    ring.add_revocation(envelope.sign(region.root, 10, NOW, m.Revocation((keep,))))
    v = Verifier(ring)
    v.verify(envelope.sign(region.hub, 5, NOW, text_bulletin()).raw, now=NOW)
    with pytest.raises(RevokedKeyError):
        v.verify(envelope.sign(region.hub, 6, NOW, text_bulletin()).raw, now=NOW)


def test_revocation_must_be_signed_by_root(region: Region) -> None:
    rev = envelope.sign(region.hub, 3, NOW, m.Revocation((m.RevokedKey(region.point.key_id),)))
    with pytest.raises(CertificateError):
        region.keyring().add_revocation(rev.raw)


def test_replayed_and_duplicate_messages(region: Region) -> None:
    v = verifier(region)
    b1 = envelope.sign(region.hub, 5, NOW, text_bulletin())
    v.verify(b1.raw, now=NOW)
    with pytest.raises(DuplicateError):
        v.verify(b1.raw, now=NOW)
    # An older bulletin the point missed is still welcome (the hub repairs gaps) ...
    v.verify(envelope.sign(region.hub, 3, NOW, text_bulletin("ouder")).raw, now=NOW)
    # ... but an older heartbeat is a replay.
    v.verify(envelope.sign(region.hub, 6, NOW, m.Heartbeat(active=(5,))).raw, now=NOW)
    with pytest.raises(ReplayError):
        v.verify(envelope.sign(region.hub, 4, NOW, m.Heartbeat(active=(3,))).raw, now=NOW)


def test_replay_state_survives_a_snapshot(region: Region) -> None:
    guard = ReplayGuard()
    guard.accept(region.hub.key_id, 9, m.Kind.BULLETIN)
    guard.accept(region.hub.key_id, 10, m.Kind.HEARTBEAT)
    restored = ReplayGuard.restore(guard.snapshot())
    with pytest.raises(DuplicateError):
        restored.check(region.hub.key_id, 9, m.Kind.BULLETIN)
    with pytest.raises(DuplicateError):
        restored.check(region.hub.key_id, 10, m.Kind.HEARTBEAT)
    with pytest.raises(ReplayError):
        restored.check(region.hub.key_id, 0, m.Kind.BULLETIN)


def test_too_old_log_message(region: Region) -> None:
    guard = ReplayGuard(window=100)
    guard.record(region.hub.key_id, 1000, m.Kind.BULLETIN)
    with pytest.raises(ReplayError, match="too old"):
        guard.check(region.hub.key_id, 800, m.Kind.BULLETIN)


def test_expired_bulletin_by_hub_time(region: Region) -> None:
    msg = envelope.sign(region.hub, 1, NOW, text_bulletin(expires_in_min=60))
    v = verifier(region)
    with pytest.raises(ExpiredError):
        v.verify(msg.raw, now=NOW + 3601)
    v.verify(msg.raw, now=NOW + 3599)


def test_renewed_certificate_replaces_the_old_one(region: Region) -> None:
    ring = Keyring([region.root.public])
    ring.add_certificate(region.certify(region.hub, m.Role.HUB, 1, valid_until=NOW - 1))
    ring.add_certificate(region.certify(region.hub, m.Role.HUB, 2, valid_until=NOW + YEAR))
    Verifier(ring).verify(envelope.sign(region.hub, 1, NOW, text_bulletin()).raw, now=NOW)
