"""The compact status frame: a point's report to its hub in about 40 bytes.

``[marker 0xA5][CompactStatus protobuf][8-byte MAC]``. A region's ~150 points report
every half hour, so status reports are most of what a region transmits: a 64-byte Ed25519
signature would double each one. Instead the point and its hub derive a pair key from
their certified identity keys (:func:`relay.wire.seal.pair_key`, the same X25519 agreement
that seals help requests; no new key material, nothing extra on the air) and the frame
carries HMAC-SHA256 under it, truncated to 8 bytes, over exactly the bytes before it.

What this costs and what still holds (docs/design.md, "Compact status"):

* Only the hub can check a report: another point, or a national node reading the hub's
  feed, cannot. Whatever the hub passes on it must countersign with its own key.
* Forging a report needs the point's or the hub's private key (the pair key is an ECDH
  secret of the two); an attacker on the channel can only guess a MAC: 2^-64 per try, and
  each try costs a LoRa frame under a 10 % duty cycle.
* A replay is refused by the sequence number, which the point shares with its signed
  messages (its counter is fsynced, so it never repeats).
* The marker's bit 2 (``MAC_FLAG``) marks the format: a reader of signed messages refuses
  it as "not a signed message", never mistakes it for one.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from google.protobuf.message import DecodeError

from relay.errors import BadMacError, CorruptError, NotNoodrelayError, TruncatedError
from relay.wire import schema
from relay.wire.envelope import FORMAT_VERSION, FRAGMENT_FLAG, MAC_FLAG, MARKER_FAMILY
from relay.wire.keys import PrivateKey, PublicKey
from relay.wire.model import StatusReport
from relay.wire.proto import noodrelay_pb2 as pb
from relay.wire.seal import pair_key

MARKER = MARKER_FAMILY | MAC_FLAG | FORMAT_VERSION  # 0xA5: noodrelay, MAC, format 1
#: A frame a neighbouring point carried to the hub: ``[0xAD][the point's frame, unchanged]``
#: (bit 3, the fragment bit of signed messages, means "carried" on a MAC frame). The MAC
#: still covers the point's own bytes; the marker tells the hub that the radio sender is
#: the carrier, not the point.
CARRIED_MARKER = MARKER | FRAGMENT_FLAG  # 0xAD
MAC_BYTES = 8
_LABEL = b"noodrelay status mac v1"


@dataclass(frozen=True, slots=True)
class StatusFrame:
    """A compact status frame as received: decoded, MAC not yet checked."""

    key_id: int
    seq: int
    hub: int
    report: StatusReport
    #: The point's own frame (a carried frame without its carrier's marker).
    raw: bytes
    #: The point asks neighbours that hear it directly to carry it (it was left out of
    #: the hub's heard-list).
    carry: bool = False
    #: It came carried by a neighbour: the radio sender is not the point.
    carried: bool = False

    @property
    def authenticated(self) -> bytes:
        return self.raw[:-MAC_BYTES]

    @property
    def mac(self) -> bytes:
        return self.raw[-MAC_BYTES:]


def is_status_frame(payload: bytes) -> bool:
    return bool(payload) and payload[0] in (MARKER, CARRIED_MARKER)


def carried(raw: bytes) -> bytes:
    """What a neighbour sends to carry the point's frame ``raw`` to the hub."""
    return bytes([CARRIED_MARKER]) + raw


def point_mac_key(point: PrivateKey, hub: PublicKey) -> bytes:
    """The point's side of the pair key."""
    return pair_key(point, hub, _LABEL, point.key_id, hub.key_id)


def hub_mac_key(hub: PrivateKey, point: PublicKey) -> bytes:
    """The hub's side of the same key."""
    return pair_key(hub, point, _LABEL, point.key_id, hub.key_id)


def _mac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()[:MAC_BYTES]


def encode(
    key_id: int,
    seq: int,
    hub: int,
    report: StatusReport,
    mac_key: bytes,
    *,
    carry: bool = False,
) -> bytes:
    """The frame for ``report`` (its point_id is not sent: the certificate says it)."""
    if seq <= 0:
        raise ValueError("sequence numbers start at 1")
    p = pb.CompactStatus(key_id=key_id, seq=seq, hub=hub, carry=carry)
    schema.status_to_pb(report, p.status, with_point_id=False)
    p.status.SetInParent()
    body = bytes([MARKER]) + p.SerializeToString(deterministic=True)
    return body + _mac(mac_key, body)


def parse(raw: bytes) -> StatusFrame:
    """Decode a frame, carried or not, *without* checking its MAC (:func:`check` does)."""
    is_carried = bool(raw) and raw[0] == CARRIED_MARKER
    if is_carried:
        raw = raw[1:]
    if not raw or raw[0] != MARKER:
        first = f"0x{raw[0]:02x}" if raw else "nothing"
        raise NotNoodrelayError(f"not a compact status frame (first byte {first})")
    if len(raw) < 1 + MAC_BYTES + 2:
        raise TruncatedError(f"status frame of {len(raw)} bytes is too short for its MAC")
    p = pb.CompactStatus()
    try:
        p.ParseFromString(raw[1:-MAC_BYTES])
    except (DecodeError, ValueError, RecursionError) as err:
        raise CorruptError(f"not a valid status frame: {err}") from err
    if not p.HasField("status") or p.seq == 0:
        raise CorruptError("status frame without a report or a sequence number")
    try:
        report = schema.status_from_pb(p.status)
    except (ValueError, UnicodeDecodeError) as err:
        raise CorruptError(f"invalid status report: {err}") from err
    return StatusFrame(p.key_id, p.seq, p.hub, report, bytes(raw), p.carry, is_carried)


def check(frame: StatusFrame, mac_key: bytes) -> None:
    """Raise :class:`BadMacError` unless the frame's MAC is right under ``mac_key``."""
    if not hmac.compare_digest(frame.mac, _mac(mac_key, frame.authenticated)):
        raise BadMacError(f"status #{frame.seq}: the MAC does not match (forged or damaged)")
