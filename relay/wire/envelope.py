"""Signed messages: ``[marker][Envelope protobuf][64-byte Ed25519 signature]``.

The marker byte says "noodrelay" (high nibble ``0xA``), whole message or fragment
(bit 3) and the format version (low 3 bits), so a reader can tell in one byte whether
it holds our message, someone else's bytes, or a format from the future. The signature
covers exactly the bytes in front of it, marker included: what is verified is what was
transmitted, byte for byte.
"""

from __future__ import annotations

from relay.errors import NotNoodrelayError, OversizeError, TruncatedError, UnsupportedVersionError
from relay.wire import schema
from relay.wire.keys import PrivateKey, format_key_id
from relay.wire.model import Body, Envelope, SignedMessage

FORMAT_VERSION = 1
MARKER_FAMILY = 0xA0
FRAGMENT_FLAG = 0x08
#: Bit 2 marks a MAC-authenticated compact frame (relay.wire.statusframe), not a signed one.
MAC_FLAG = 0x04
VERSION_MASK = 0x03
WHOLE_MARKER = MARKER_FAMILY | FORMAT_VERSION  # 0xA1
FRAGMENT_MARKER = MARKER_FAMILY | FRAGMENT_FLAG | FORMAT_VERSION  # 0xA9
SIGNATURE_BYTES = 64
#: Largest message: 16 fragments (see relay.wire.fragments).
MAX_MESSAGE_BYTES = 16 * 226


def check_marker(first: int, *, fragment: bool) -> None:
    """Raise unless ``first`` is our marker of the current version (of the right type)."""
    if first & 0xF0 != MARKER_FAMILY:
        raise NotNoodrelayError(f"not a noodrelay message (first byte 0x{first:02x})")
    if first & MAC_FLAG:
        raise NotNoodrelayError("a compact status frame (MAC), not a signed message")
    version = first & VERSION_MASK
    if version != FORMAT_VERSION:
        raise UnsupportedVersionError(
            f"noodrelay format version {version}; this reader knows {FORMAT_VERSION}"
        )
    if bool(first & FRAGMENT_FLAG) != fragment:
        what = "a fragment" if first & FRAGMENT_FLAG else "a whole message"
        raise NotNoodrelayError(f"expected {'a fragment' if fragment else 'a message'}, got {what}")


def is_fragment(frame: bytes) -> bool:
    return bool(frame) and frame[0] & 0xF0 == MARKER_FAMILY and bool(frame[0] & FRAGMENT_FLAG)


def sign(key: PrivateKey, seq: int, time: int, body: Body) -> SignedMessage:
    """Seal ``body`` as message number ``seq`` of ``key`` at hub time ``time``."""
    if seq <= 0:
        raise ValueError("sequence numbers start at 1")
    env = Envelope(key_id=key.key_id, seq=seq, time=time, body=body)
    signed = bytes([WHOLE_MARKER]) + schema.envelope_to_bytes(env)
    raw = signed + key.sign(signed)
    if len(raw) > MAX_MESSAGE_BYTES:
        raise OversizeError(f"message of {len(raw)} bytes; the limit is {MAX_MESSAGE_BYTES}")
    return SignedMessage(envelope=env, raw=raw)


def parse(raw: bytes) -> SignedMessage:
    """Decode a whole message *without* checking its signature (see relay.wire.trust)."""
    if not raw:
        raise TruncatedError("empty message")
    check_marker(raw[0], fragment=False)
    if len(raw) > MAX_MESSAGE_BYTES:
        raise OversizeError(f"message of {len(raw)} bytes; the limit is {MAX_MESSAGE_BYTES}")
    if len(raw) < 1 + SIGNATURE_BYTES + 2:
        raise TruncatedError(f"message of {len(raw)} bytes is too short to carry a signature")
    env = schema.envelope_from_bytes(raw[1:-SIGNATURE_BYTES])
    return SignedMessage(envelope=env, raw=bytes(raw))


def describe(msg: SignedMessage) -> str:
    env = msg.envelope
    return f"{env.kind.value} #{env.seq} from key {format_key_id(env.key_id)}"
