"""A national authority (issue 13): a national root certifies national keys only, a region
root never does, and a national bulletin verifies wherever the national root is pinned."""

from __future__ import annotations

import pytest

from relay.errors import CertificateError, RevokedKeyError, RoleError, UnknownKeyError
from relay.wire import envelope
from relay.wire import model as m
from relay.wire.keys import PrivateKey
from relay.wire.replay import ReplayGuard
from relay.wire.trust import Keyring, Verifier
from tests.wire.conftest import NOW, YEAR, Region, fixed_key, text_bulletin

NATIONAL_ROOT = fixed_key(20, "national-root", m.Role.NATIONAL_ROOT)
NCC = fixed_key(21, "NCC", m.Role.NATIONAL)


def national_cert(subject: PrivateKey = NCC, signer: PrivateKey = NATIONAL_ROOT) -> m.SignedMessage:
    cert = m.Certificate(subject.public.raw, m.Role.NATIONAL, subject.name, NOW - YEAR, NOW + YEAR)
    return envelope.sign(signer, 1, NOW - YEAR, cert)


def point_ring(region: Region) -> Keyring:
    """What a point of the region holds: both roots pinned, the NCC's certificate learned."""
    ring = Keyring([region.root.public, NATIONAL_ROOT.public])
    ring.add_certificate(region.hub_cert)
    ring.add_certificate(national_cert())
    return ring


def test_national_bulletin_verifies_at_a_point_pinning_the_national_root(region: Region) -> None:
    msg = envelope.sign(NCC, 1, NOW, text_bulletin("Landelijk: blijf binnen"))
    v = Verifier(point_ring(region), ReplayGuard()).verify(msg.raw, now=NOW + 60)
    assert v.sender.role is m.Role.NATIONAL
    assert v.sender.name == "NCC"
    assert v.sender.certified_by == NATIONAL_ROOT.key_id


def test_without_the_national_root_pinned_the_certificate_is_refused(region: Region) -> None:
    with pytest.raises(CertificateError, match="not a pinned region root"):
        region.keyring().add_certificate(national_cert())
    msg = envelope.sign(NCC, 1, NOW, text_bulletin())
    with pytest.raises(UnknownKeyError):
        Verifier(region.keyring()).verify(msg.raw, now=NOW)


def test_a_region_hub_key_cannot_sign_as_national(region: Region) -> None:
    """A national certificate for the hub's key, signed by the hub itself, is no certificate;
    and the hub's own certificate lets it sign hub bulletins, never national ones."""
    ring = point_ring(region)
    with pytest.raises(CertificateError, match="not a pinned region root"):
        ring.add_certificate(national_cert(region.hub, signer=region.hub))
    assert ring.principal(region.hub.key_id).role is m.Role.HUB  # type: ignore[union-attr]


def test_a_national_key_certified_by_a_region_root_is_refused(region: Region) -> None:
    forged = national_cert(NCC, signer=region.root)
    with pytest.raises(CertificateError, match="may not certify"):
        point_ring(region).add_certificate(forged)


def test_the_national_root_cannot_certify_a_hub(region: Region) -> None:
    cert = m.Certificate(region.hub.public.raw, m.Role.HUB, "fake-hub", NOW - YEAR, NOW + YEAR)
    with pytest.raises(CertificateError, match="may not certify"):
        point_ring(region).add_certificate(envelope.sign(NATIONAL_ROOT, 2, NOW, cert))


def test_a_national_key_may_sign_bulletins_only(region: Region) -> None:
    ring = point_ring(region)
    beat = envelope.sign(NCC, 2, NOW, m.Heartbeat())
    with pytest.raises(RoleError, match="national"):
        Verifier(ring).verify(beat.raw, now=NOW)


def test_a_region_root_cannot_revoke_the_national_key(region: Region) -> None:
    ring = point_ring(region)
    rev = m.Revocation((m.RevokedKey(NCC.key_id),), "no")
    ring.add_revocation(envelope.sign(region.root, 9, NOW, rev))
    msg = envelope.sign(NCC, 3, NOW, text_bulletin())
    Verifier(ring).verify(msg.raw, now=NOW)  # still valid
    ring.add_revocation(envelope.sign(NATIONAL_ROOT, 9, NOW, rev))
    with pytest.raises(RevokedKeyError):
        Verifier(ring).verify(msg.raw, now=NOW)


def test_roles_survive_the_wire() -> None:
    decoded = envelope.parse(national_cert().raw).envelope.body
    assert isinstance(decoded, m.Certificate)
    assert decoded.role is m.Role.NATIONAL
