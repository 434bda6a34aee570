"""Fixtures for the wire layer: a small region (root, hub, two points) built per test."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from relay.wire import envelope
from relay.wire import model as m
from relay.wire.keys import PrivateKey
from relay.wire.model import Role
from relay.wire.trust import Keyring

NOW = 60_000_000  # hub time, late 2026
YEAR = 365 * 86_400


def fixed_key(seed: int, name: str, role: Role) -> PrivateKey:
    """A deterministic key, so signatures and test vectors are reproducible."""
    return PrivateKey(Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32), name, role)


@dataclass
class Region:
    root: PrivateKey
    hub: PrivateKey
    point: PrivateKey
    other_point: PrivateKey
    hub_cert: m.SignedMessage
    point_cert: m.SignedMessage
    other_cert: m.SignedMessage

    def keyring(self) -> Keyring:
        ring = Keyring([self.root.public])
        for c in (self.hub_cert, self.point_cert, self.other_cert):
            ring.add_certificate(c)
        return ring

    def certify(
        self,
        key: PrivateKey,
        role: Role,
        seq: int,
        *,
        point_id: int = 0,
        valid_from: int = NOW - YEAR,
        valid_until: int = NOW + YEAR,
    ) -> m.SignedMessage:
        cert = m.Certificate(key.public.raw, role, key.name, valid_from, valid_until, point_id)
        return envelope.sign(self.root, seq, NOW - YEAR, cert)


def make_region() -> Region:
    root = fixed_key(1, "root", Role.ROOT)
    hub = fixed_key(2, "hub-utrecht", Role.HUB)
    point = fixed_key(3, "np-017", Role.POINT)
    other = fixed_key(4, "np-018", Role.POINT)
    region = Region(root, hub, point, other, None, None, None)  # type: ignore[arg-type]
    region.hub_cert = region.certify(hub, Role.HUB, 1)
    region.point_cert = region.certify(point, Role.POINT, 2, point_id=17)
    region.other_cert = region.certify(other, Role.POINT, 3, point_id=18)
    return region


@pytest.fixture
def region() -> Region:
    return make_region()


def text_bulletin(body: str = "Drinkwater bij sporthal De Vliert", **kw: object) -> m.Bulletin:
    return m.Bulletin(texts=(m.LocalizedText("nl", "", body),), **kw)  # type: ignore[arg-type]
