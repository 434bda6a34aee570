"""The compact status frame: size, the pair-key MAC, the trust rules at the hub, receipts."""

from __future__ import annotations

import contextlib
import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relay.errors import (
    BadMacError,
    NotNoodrelayError,
    RelayError,
    RevokedKeyError,
    RoleError,
    UnknownKeyError,
    WronglyAddressedError,
)
from relay.wire import envelope, statusframe
from relay.wire import model as m
from relay.wire.trust import Verifier
from tests.wire.conftest import NOW, Region
from tests.wire.strategies import statuses

REPORT = m.StatusReport(
    point_id=17,
    open=m.OpenState.OPEN,
    power=m.PowerSource.GENERATOR,
    battery_pct=80,
    visitors=140,
    needs=m.Need.FUEL | m.Need.DRINKING_WATER,
    receipt=m.Receipt.of(4711, tuple(range(4000, 4700, 35)), set(range(4000, 4700, 35)), set()),
)


def frame_of(region: Region, report: m.StatusReport = REPORT, seq: int = 9) -> bytes:
    key = statusframe.point_mac_key(region.point, region.hub.public)
    return statusframe.encode(region.point.key_id, seq, region.hub.key_id, report, key)


def test_both_sides_derive_the_same_key_and_no_one_else_does(region: Region) -> None:
    at_point = statusframe.point_mac_key(region.point, region.hub.public)
    at_hub = statusframe.hub_mac_key(region.hub, region.point.public)
    assert at_point == at_hub
    assert statusframe.point_mac_key(region.other_point, region.hub.public) != at_point


def test_a_typical_report_fits_in_50_bytes(region: Region) -> None:
    raw = frame_of(region)  # 20 active bulletins held, every field set
    assert len(raw) <= 50
    frame = statusframe.parse(raw)
    assert frame.report == dataclasses.replace(REPORT, point_id=0)
    assert (frame.key_id, frame.seq, frame.hub) == (region.point.key_id, 9, region.hub.key_id)


@given(statuses)
def test_every_report_round_trips(report: m.StatusReport) -> None:
    from tests.wire.conftest import make_region

    region = make_region()
    raw = frame_of(region, report, seq=3)
    assert statusframe.parse(raw).report == dataclasses.replace(report, point_id=0)


def test_the_hub_accepts_it_and_names_the_point(region: Region) -> None:
    keys: dict[int, bytes] = {}
    frame = statusframe.parse(frame_of(region))
    sender = Verifier(region.keyring()).verify_status(frame, region.hub, NOW, keys)
    assert sender.point_id == 17 and sender.name == "np-017"
    assert region.point.key_id in keys  # derived once, kept


def test_any_changed_byte_fails(region: Region) -> None:
    raw = frame_of(region)
    verifier = Verifier(region.keyring())
    for i in range(1, len(raw)):
        for flip in (0x01, 0x80):
            damaged = bytearray(raw)
            damaged[i] ^= flip
            with pytest.raises(RelayError):
                verifier.verify_status(statusframe.parse(bytes(damaged)), region.hub, NOW, {})


def test_a_third_party_cannot_report_for_a_point(region: Region) -> None:
    """Another point knows the hub's public key, not the pair key of np-017 and the hub."""
    forged_key = statusframe.point_mac_key(region.other_point, region.hub.public)
    raw = statusframe.encode(region.point.key_id, 50, region.hub.key_id, REPORT, forged_key)
    with pytest.raises(BadMacError):
        Verifier(region.keyring()).verify_status(statusframe.parse(raw), region.hub, NOW, {})


def test_the_trust_rules_hold(region: Region) -> None:
    ring = region.keyring()
    verifier = Verifier(ring)
    other_hub = dataclasses.replace(region.hub)
    key = statusframe.point_mac_key(region.point, region.hub.public)
    wrong_hub = statusframe.encode(region.point.key_id, 9, 0xDEADBEEF, REPORT, key)
    with pytest.raises(WronglyAddressedError):
        verifier.verify_status(statusframe.parse(wrong_hub), other_hub, NOW, {})
    unknown = statusframe.encode(0x01020304, 9, region.hub.key_id, REPORT, key)
    with pytest.raises(UnknownKeyError):
        verifier.verify_status(statusframe.parse(unknown), region.hub, NOW, {})
    hub_as_point = statusframe.encode(region.hub.key_id, 9, region.hub.key_id, REPORT, key)
    with pytest.raises(RoleError):
        verifier.verify_status(statusframe.parse(hub_as_point), region.hub, NOW, {})
    revocation = m.Revocation(keys=(m.RevokedKey(region.point.key_id),), reason="stolen")
    ring.add_revocation(envelope.sign(region.root, 40, NOW, revocation))
    with pytest.raises(RevokedKeyError):
        verifier.verify_status(statusframe.parse(frame_of(region)), region.hub, NOW, {})


@given(st.binary(max_size=80))
def test_junk_raises_only_our_errors(junk: bytes) -> None:
    with contextlib.suppress(RelayError):
        statusframe.parse(bytes([statusframe.MARKER]) + junk)


def test_a_signed_message_reader_refuses_it_by_name(region: Region) -> None:
    with pytest.raises(NotNoodrelayError, match="compact status frame"):
        envelope.parse(frame_of(region))
    with pytest.raises(NotNoodrelayError):
        statusframe.parse(envelope.sign(region.point, 3, NOW, REPORT).raw)


def test_a_carried_frame_is_the_points_own_bytes_and_still_checks(region: Region) -> None:
    key = statusframe.point_mac_key(region.point, region.hub.public)
    own = statusframe.encode(region.point.key_id, 9, region.hub.key_id, REPORT, key, carry=True)
    assert len(own) <= 52  # the flag costs two bytes, only on tries after a miss
    asked = statusframe.parse(own)
    assert asked.carry and not asked.carried
    wrapped = statusframe.carried(own)
    assert statusframe.is_status_frame(wrapped)
    frame = statusframe.parse(wrapped)
    assert frame.carried and frame.carry and frame.raw == own
    sender = Verifier(region.keyring()).verify_status(frame, region.hub, NOW, {})
    assert sender.point_id == 17
    with pytest.raises(NotNoodrelayError):
        statusframe.parse(statusframe.carried(wrapped))  # carried twice: not a format
    with pytest.raises(NotNoodrelayError, match="compact status frame"):
        envelope.parse(wrapped)  # nor a signed message, nor a fragment
    assert not statusframe.parse(frame_of(region)).carry


@given(st.binary(max_size=80))
def test_carried_junk_raises_only_our_errors(junk: bytes) -> None:
    with contextlib.suppress(RelayError):
        statusframe.parse(bytes([statusframe.CARRIED_MARKER]) + junk)


# --- receipts: a proof, never a claim ----------------------------------------------------


@given(
    st.lists(st.integers(1, 500), max_size=40, unique=True),
    st.sets(st.integers(1, 600), max_size=60),
    st.integers(0, 600),
)
def test_a_receipt_never_claims_a_bulletin_that_is_not_stored(
    active: list[int], stored: set[int], heartbeat: int
) -> None:
    announced = tuple(sorted(s for s in active if s < heartbeat or heartbeat == 0))
    receipt = m.Receipt.of(heartbeat, announced, stored, stored)
    proved = receipt.resolve(announced)
    assert proved.held <= stored
    assert proved.displayed <= proved.held
    # And it claims every announced or newer bulletin the point stored.
    assert {s for s in announced if s in stored} <= proved.held
    assert {s for s in stored if s > heartbeat} <= proved.held


def test_the_bits_mean_nothing_against_another_heartbeat() -> None:
    receipt = m.Receipt.of(100, (5, 7, 13), {5}, set())
    assert receipt.resolve((5, 7, 13)).held == frozenset({5})
    # Sequence numbers of heartbeats and other kinds are never bulletins: not claimed.
    assert 100 not in receipt.resolve((5, 7, 13)).held
