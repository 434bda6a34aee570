"""The personal parts of help requests and updates, and sealing them (relay.wire.seal).

A request's personal part (location, free text, who at the point handles it) and an
update's (the operator's reply and name) travel as one compressed text, fields joined by
U+001F like template texts (the text codec is primed on Dutch crisis vocabulary, so an
address or a short description costs about a third of its UTF-8 bytes), then sealed: to
the hub's key for a request, to the requesting point's key for an update.
"""

from __future__ import annotations

from dataclasses import dataclass

from relay.errors import CorruptError, RelayError
from relay.wire.keys import PrivateKey, PublicKey
from relay.wire.seal import seal, unseal
from relay.wire.text import decode_text, encode_text
from relay.wire.textblob import clean

REQUEST_LABEL = b"help-request"
UPDATE_LABEL = b"help-update"
_FIELD = "\x1f"

#: Longest texts staff may enter (characters). With these a request still fits one frame
#: in the common case; :func:`relay.engine.help` refuses one that does not, saying so.
MAX_LOCATION = 100
MAX_TEXT = 200
MAX_NAME = 40
MAX_REPLY = 160
MAX_PEOPLE = 10_000


class HelpInputError(RelayError):
    """A help request or reply that cannot be sent as given (too long, unknown request)."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class HelpDetails:
    """What only the hub may read: where, what happened, who at the point handles it."""

    location: str = ""
    text: str = ""
    handler: str = ""

    def checked(self) -> HelpDetails:
        out = HelpDetails(clean(self.location), clean(self.text), clean(self.handler))
        _check_length("location", out.location, MAX_LOCATION)
        _check_length("text", out.text, MAX_TEXT)
        _check_length("handler", out.handler, MAX_NAME)
        if not (out.location or out.text):
            raise HelpInputError("a help request needs a location or a description")
        return out


@dataclass(frozen=True, slots=True)
class HelpReply:
    """What only the requesting point may read: the operator's reply and name."""

    text: str = ""
    operator: str = ""

    def checked(self) -> HelpReply:
        out = HelpReply(clean(self.text), clean(self.operator))
        _check_length("reply", out.text, MAX_REPLY)
        _check_length("operator", out.operator, MAX_NAME)
        return out

    def __bool__(self) -> bool:
        return bool(self.text or self.operator)


def _check_length(name: str, value: str, most: int) -> None:
    if len(value) > most:
        raise HelpInputError(f"{name}: {len(value)} characters, at most {most} fit")


def _pack(*fields: str) -> bytes:
    return encode_text(_FIELD.join(clean(f) for f in fields))


def _unpack(blob: bytes, count: int) -> list[str]:
    fields = decode_text(blob).split(_FIELD)
    if len(fields) > count:
        raise CorruptError(f"sealed part with {len(fields)} fields, expected {count}")
    return fields + [""] * (count - len(fields))


def seal_details(point: PrivateKey, hub: PublicKey, seq: int, details: HelpDetails) -> bytes:
    """The sealed part of the point's request number ``seq``."""
    blob = _pack(details.location, details.text, details.handler)
    return seal(point, hub, seq, REQUEST_LABEL, blob)


def open_details(
    own: PrivateKey, peer: PublicKey, *, point_id: int, hub_id: int, seq: int, sealed: bytes
) -> HelpDetails:
    """Open a request's sealed part (at the hub; or at the point, reading its own)."""
    blob = unseal(
        own,
        peer,
        sender_id=point_id,
        recipient_id=hub_id,
        seq=seq,
        label=REQUEST_LABEL,
        sealed=sealed,
    )
    location, text, handler = _unpack(blob, 3)
    return HelpDetails(location, text, handler)


def seal_reply(hub: PrivateKey, point: PublicKey, seq: int, reply: HelpReply) -> bytes:
    """The sealed part of the hub's update number ``seq`` (empty when there is no reply)."""
    if not reply:
        return b""
    return seal(hub, point, seq, UPDATE_LABEL, _pack(reply.text, reply.operator))


def open_reply(
    own: PrivateKey, peer: PublicKey, *, hub_id: int, point_id: int, seq: int, sealed: bytes
) -> HelpReply:
    """Open an update's sealed part (at the point; or at the hub, reading its own)."""
    if not sealed:
        return HelpReply()
    blob = unseal(
        own,
        peer,
        sender_id=hub_id,
        recipient_id=point_id,
        seq=seq,
        label=UPDATE_LABEL,
        sealed=sealed,
    )
    text, operator = _unpack(blob, 2)
    return HelpReply(text, operator)
