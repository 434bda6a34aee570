"""Accepting certificates from the stick: every one is checked against the region root.

Provisioning takes the region root's public key from the stick (that is the moment a
node *pins* it) and from then on believes only what that key signed. A certificate
that is for another key, another role or point number, or outside its validity
window is refused with the command that fixes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from relay.errors import CertificateError, ExpiredError, NotYetValidError, RelayError
from relay.wire import hubtime
from relay.wire.keys import PublicKey, format_key_id
from relay.wire.model import Certificate, Role, SignedMessage
from relay.wire.trust import Keyring

#: Warn when a certificate runs out within this many days.
EXPIRY_WARNING_DAYS = 30
DAY = 86_400


@dataclass(frozen=True, slots=True)
class Accepted:
    message: SignedMessage
    body: Certificate

    @property
    def until(self) -> str:
        return hubtime.to_datetime(self.body.valid_until).date().isoformat()

    def days_left(self, now: int) -> int:
        return (self.body.valid_until - now) // DAY


def check_window(body: Certificate, now: int, source: Path | str) -> None:
    """Refuse a certificate outside its window; ``now`` is hub time from a trusted clock."""
    if now > body.valid_until:
        until = hubtime.to_datetime(body.valid_until).date().isoformat()
        raise ExpiredError(
            f"{source}: the certificate of {body.name} expired on {until}; certify the key "
            "again on the region laptop (relay keys certify)"
        )
    if now < body.valid_from:
        start = hubtime.to_datetime(body.valid_from).date().isoformat()
        raise NotYetValidError(
            f"{source}: the certificate of {body.name} is valid from {start} only; is this "
            "computer's clock right (date)?"
        )


def verify(root: PublicKey, msg: SignedMessage, source: Path | str) -> Certificate:
    """The certificate in ``msg`` if the root signed it (signature, role, window shape)."""
    try:
        Keyring([root]).add_certificate(msg)
    except RelayError as err:
        raise CertificateError(f"{source}: {err}") from err
    body = msg.envelope.body
    assert isinstance(body, Certificate)
    return body


def accept_own(
    root: PublicKey,
    msg: SignedMessage,
    source: Path,
    *,
    key: PublicKey,
    role: Role,
    point_id: int,
    now: int,
) -> Accepted:
    """This node's certificate: signed by the root, for our key, role and number, in date."""
    body = verify(root, msg, source)
    if body.public_key != key.raw:
        theirs = format_key_id(PublicKey(body.public_key).key_id)
        raise CertificateError(
            f"{source} certifies key {theirs}, not this node's key {format_key_id(key.key_id)}: "
            "the request was certified from another node's .pub; certify this node's again"
        )
    if body.role is not role:
        raise CertificateError(
            f"{source} certifies a {body.role.name.lower()}, but this node is a "
            f"{role.name.lower()}; certify it with --role {role.name.lower()}"
        )
    if role is Role.POINT and body.point_id != point_id:
        raise CertificateError(
            f"{source} is for point {body.point_id}, but this is point {point_id}; certify it "
            f"again with --point-id {point_id}"
        )
    check_window(body, now, source)
    return Accepted(msg, body)


def usable_others(
    root: PublicKey, certs: list[tuple[Path, SignedMessage]], own_name: str, now: int
) -> tuple[list[Accepted], list[str]]:
    """Other nodes' certificates from the stick that a keyring can hold, and why the rest
    were left out (they would only be refused later)."""
    kept, skipped = [], []
    for path, msg in certs:
        try:
            body = verify(root, msg, path)
            check_window(body, now, path)
        except RelayError as err:
            skipped.append(str(err))
            continue
        if body.name != own_name:
            kept.append(Accepted(msg, body))
    return kept, skipped
