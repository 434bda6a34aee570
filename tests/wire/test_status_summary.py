"""The hub's countersigned status summary (issue 13): exact bytes signed by the hub key,
only a hub may sign one, and it says in its signed bytes that it is a countersignature."""

from __future__ import annotations

import pytest

from relay.errors import RoleError
from relay.wire import envelope
from relay.wire import model as m
from relay.wire.trust import Verifier
from tests.wire.conftest import NOW, Region

REPORT = m.StatusReport(
    point_id=17,
    open=m.OpenState.LIMITED,
    power=m.PowerSource.GENERATOR,
    battery_pct=80,
    visitors=12,
    needs=m.Need.DRINKING_WATER | m.Need.FOOD,
    text="Water op",
)
SUMMARY = m.StatusSummary(
    region="utrecht",
    points=(
        m.PointSummary(
            17, 0xA1B2C3D4, 40, NOW - 30, "np-017", REPORT, (3, 5), (3,), (m.BulletinRef(9, 2),)
        ),
    ),
    relayed=(m.BulletinRef(0x01020304, 7),),
)


def test_summary_round_trips_and_verifies(region: Region) -> None:
    msg = envelope.sign(region.hub, 9, NOW, SUMMARY)
    back = envelope.parse(msg.raw)
    assert back.envelope.body == SUMMARY
    assert back.envelope.body.attests is m.Attestation.HUB_CHECKED_POINTS
    v = Verifier(region.keyring()).verify(msg.raw, now=NOW)
    assert v.sender.role is m.Role.HUB


def test_a_point_cannot_sign_a_summary(region: Region) -> None:
    msg = envelope.sign(region.point, 9, NOW, SUMMARY)
    with pytest.raises(RoleError):
        Verifier(region.keyring()).verify(msg.raw, now=NOW)


def test_a_receipt_names_other_keys_bulletins(region: Region) -> None:
    receipt = m.Receipt(heartbeat=5, held=0b1, newer=(7,), others=(m.BulletinRef(0xCAFE, 3),))
    msg = envelope.sign(region.point, 3, NOW, m.StatusReport(17, receipt=receipt))
    body = envelope.parse(msg.raw).envelope.body
    assert isinstance(body, m.StatusReport) and body.receipt == receipt
    assert receipt.resolve((4,)).others == frozenset({m.BulletinRef(0xCAFE, 3)})
