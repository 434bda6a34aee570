"""The trust chain: a pinned region root certifies hub and point keys.

Rules (issue 2, "Trust without a clock"):

* Only the region root signs certificates and revocations; points pin its public key.
* A key may only send the kinds of message its certified role allows: a point key can
  never sign a valid bulletin, a hub key never a status report.
* A certificate is valid in a window of *hub time*; "now" is the receiver's estimate of
  hub time (from signed hub messages), never the Pi's own clock.
* A revoked key's messages are refused from the revocation on (except numbers at or
  below the revocation's ``last_good_seq``).
* Replays are refused by sequence number (:mod:`relay.wire.replay`).
* A keyring may pin a *national root* beside the region root (issue 13). It certifies
  national keys only, and a region root never does: a national bulletin verifies at
  every point that pins the national root, and no region's hub can pass for national.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from relay.errors import (
    CertificateError,
    ExpiredError,
    KeyFileError,
    NotYetValidError,
    RevokedKeyError,
    RoleError,
    UnknownKeyError,
    WronglyAddressedError,
)
from relay.wire import envelope, statusframe
from relay.wire.keys import PrivateKey, PublicKey, format_key_id, load_public
from relay.wire.model import (
    ROOT_ROLES,
    Bulletin,
    Certificate,
    Kind,
    Revocation,
    RevokedKey,
    Role,
    SignedMessage,
)
from relay.wire.replay import ReplayGuard

#: Which certified roles may sign which kinds.
ALLOWED: dict[Kind, frozenset[Role]] = {
    Kind.BULLETIN: frozenset({Role.HUB, Role.NATIONAL}),
    Kind.HEARTBEAT: frozenset({Role.HUB}),
    Kind.STATUS: frozenset({Role.POINT}),
    Kind.RECEIPT: frozenset({Role.POINT}),
    Kind.REPAIR: frozenset({Role.POINT, Role.HUB}),
    Kind.CERTIFICATE: frozenset(ROOT_ROLES),
    Kind.REVOCATION: frozenset(ROOT_ROLES),
    Kind.HELP_REQUEST: frozenset({Role.POINT}),
    Kind.HELP_UPDATE: frozenset({Role.HUB}),
    Kind.HELP_ACK: frozenset({Role.POINT}),
    Kind.STATUS_SUMMARY: frozenset({Role.HUB}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """A key we know, with what its certificate (or pinning, for a root) says about it."""

    key: PublicKey
    role: Role
    name: str
    point_id: int = 0
    groups: tuple[str, ...] = ()
    valid_from: int = 0
    valid_until: int = 0  # 0: no end (pinned roots)
    #: Key id of the root that certified this key (0 for a pinned root): a national
    #: node tells the regions' hubs apart by it.
    certified_by: int = 0

    @property
    def key_id(self) -> int:
        return self.key.key_id

    def check_window(self, when: int) -> None:
        if when < self.valid_from:
            raise NotYetValidError(f"certificate of {self.name} is not valid yet")
        if self.valid_until and when > self.valid_until:
            raise ExpiredError(f"certificate of {self.name} has expired")


#: Which roles each kind of root may certify.
CERTIFIES: dict[Role, frozenset[Role]] = {
    Role.ROOT: frozenset({Role.HUB, Role.POINT}),
    Role.NATIONAL_ROOT: frozenset({Role.NATIONAL}),
}


def _pinned(root: PublicKey) -> Principal:
    default = "national root" if root.role is Role.NATIONAL_ROOT else "root"
    role = root.role if root.role in ROOT_ROLES else Role.ROOT
    return Principal(root, role, root.name or default)


@dataclass(frozen=True, slots=True)
class Verified:
    """A message that passed every rule, with who sent it."""

    message: SignedMessage
    sender: Principal
    #: The exact message was accepted before (a retransmission): only kinds that must be
    #: answered every time they arrive are passed on again (see relay.engine.receiver).
    repeat: bool = False


class Keyring:
    """Pinned roots, certificates and revocations known so far."""

    def __init__(self, roots: Iterable[PublicKey]) -> None:
        self._roots = {r.key_id: _pinned(r) for r in roots}
        self._certified: dict[int, Principal] = {}
        self._certificates: dict[int, SignedMessage] = {}
        self._revoked: dict[int, RevokedKey] = {}

    def copy(self) -> Keyring:
        """An independent keyring with what this one knows, without checking every
        certificate again (a simulated region gives 150 engines the same start)."""
        twin = Keyring(())
        twin._roots = dict(self._roots)
        twin._certified = dict(self._certified)
        twin._certificates = dict(self._certificates)
        twin._revoked = dict(self._revoked)
        return twin

    # --- building -------------------------------------------------------------------

    def pin(self, root: PublicKey) -> None:
        """Pin one more root (the national root beside the region's, at provisioning)."""
        self._roots[root.key_id] = _pinned(root)

    def add_certificate(self, raw: bytes | SignedMessage) -> Principal:
        """Check a certificate message against the pinned roots and remember its key."""
        msg = raw if isinstance(raw, SignedMessage) else envelope.parse(raw)
        cert = msg.envelope.body
        if not isinstance(cert, Certificate):
            raise CertificateError(f"expected a certificate, got a {msg.kind.value}")
        root = self._roots.get(msg.envelope.key_id)
        if root is None:
            raise CertificateError(
                f"certificate for {cert.name!r} is signed by key "
                f"{format_key_id(msg.envelope.key_id)}, which is not a pinned region root"
            )
        root.key.verify(msg.signature, msg.signed)
        if cert.role not in CERTIFIES[root.role]:
            raise CertificateError(
                f"certificate for {cert.name!r} has role {cert.role.name.lower()}, which "
                f"{root.name} ({root.role.name.lower().replace('_', ' ')}) may not certify"
            )
        if cert.valid_until <= cert.valid_from:
            raise CertificateError(f"certificate for {cert.name!r} has an empty validity window")
        principal = Principal(
            key=PublicKey(cert.public_key, cert.name, cert.role),
            role=cert.role,
            name=cert.name,
            point_id=cert.point_id,
            groups=cert.groups,
            valid_from=cert.valid_from,
            valid_until=cert.valid_until,
            certified_by=root.key_id,
        )
        known = self._certified.get(principal.key_id)
        # A renewed certificate (later end) replaces the old one; an older one is ignored.
        if known is None or principal.valid_until >= known.valid_until:
            self._certified[principal.key_id] = principal
            self._certificates[principal.key_id] = msg
        return principal

    def add_revocation(self, raw: bytes | SignedMessage) -> Revocation:
        msg = raw if isinstance(raw, SignedMessage) else envelope.parse(raw)
        rev = msg.envelope.body
        if not isinstance(rev, Revocation):
            raise CertificateError(f"expected a revocation, got a {msg.kind.value}")
        root = self._roots.get(msg.envelope.key_id)
        if root is None:
            raise CertificateError("revocation not signed by a pinned region root")
        root.key.verify(msg.signature, msg.signed)
        for k in rev.keys:
            if k.key_id in self._roots:
                continue  # a root is replaced by re-provisioning, never revoked over the air
            known = self._certified.get(k.key_id)
            if known is not None and known.certified_by != root.key_id:
                continue  # a root revokes only what it certified (no region revokes the NCC)
            old = self._revoked.get(k.key_id)
            if old is None or k.last_good_seq < old.last_good_seq:
                self._revoked[k.key_id] = k
        return rev

    @classmethod
    def load_dir(cls, directory: Path) -> Keyring:
        """A keyring directory: root ``*.pub`` files, ``*.cert`` and ``*.rev`` messages."""
        if not directory.is_dir():
            raise KeyFileError(f"keyring {directory} is not a directory")
        pubs = [load_public(p) for p in sorted(directory.glob("*.pub"))]
        roots = [p for p in pubs if p.role in ROOT_ROLES]
        if not roots:
            raise KeyFileError(f"keyring {directory} has no region root public key (root .pub)")
        ring = cls(roots)
        for path in sorted(directory.glob("*.cert")):
            try:
                ring.add_certificate(path.read_bytes())
            except (OSError, ValueError) as err:
                raise KeyFileError(f"cannot read certificate {path}: {err}") from err
        for path in sorted(directory.glob("*.rev")):
            ring.add_revocation(path.read_bytes())
        return ring

    # --- lookups --------------------------------------------------------------------

    @property
    def roots(self) -> list[Principal]:
        return list(self._roots.values())

    def principal(self, key_id: int) -> Principal | None:
        return self._roots.get(key_id) or self._certified.get(key_id)

    def certificate_message(self, key_id: int) -> SignedMessage | None:
        """The signed certificate of a key (for sending it to a point that lacks it)."""
        return self._certificates.get(key_id)

    def principals(self) -> list[Principal]:
        return [*self._roots.values(), *self._certified.values()]

    def revocation_of(self, key_id: int) -> RevokedKey | None:
        return self._revoked.get(key_id)


class Verifier:
    """Applies every trust rule to a received message."""

    def __init__(self, keyring: Keyring, replay: ReplayGuard | None = None) -> None:
        self.keyring = keyring
        self.replay = replay

    def verify(
        self, raw: bytes | SignedMessage, now: int | None = None, *, replay: bool = True
    ) -> Verified:
        """Decode and check ``raw``; ``now`` is the receiver's hub time, if it knows one.

        On success the sequence number is recorded in the replay guard (``replay=False``:
        every other rule, but no replay check, for a message known to be a repeat).
        """
        msg = raw if isinstance(raw, SignedMessage) else envelope.parse(raw)
        env = msg.envelope
        sender = self.keyring.principal(env.key_id)
        if sender is None:
            raise UnknownKeyError(
                f"{env.kind.value} #{env.seq} is signed by unknown key "
                f"{format_key_id(env.key_id)} (no certificate for it yet)",
                key_id=env.key_id,
            )
        sender.key.verify(msg.signature, msg.signed)
        self._check_revocation(sender, env.seq)
        if sender.role not in ALLOWED[env.kind]:
            raise RoleError(
                f"{sender.name} is certified as {sender.role.name.lower()} and may not send "
                f"a {env.kind.value}"
            )
        if sender.role not in ROOT_ROLES:
            sender.check_window(now if now is not None else env.time)
        self._check_expiry(msg, now)
        if self.replay is not None and replay:
            self.replay.accept(env.key_id, env.seq, env.kind)
        return Verified(msg, sender)

    def verify_status(
        self,
        frame: statusframe.StatusFrame,
        hub: PrivateKey,
        now: int | None,
        mac_keys: dict[int, bytes],
    ) -> Principal:
        """The trust rules for a compact status frame at its hub: a certified, unrevoked
        point key in its validity window, addressed to ``hub``, with a MAC under the pair
        key (derived once per point into ``mac_keys``). Replays are the caller's check:
        a status frame's number must exceed the point's last report."""
        sender = self.keyring.principal(frame.key_id)
        if sender is None:
            raise UnknownKeyError(
                f"status #{frame.seq} from unknown key {format_key_id(frame.key_id)} "
                "(no certificate for it yet)",
                key_id=frame.key_id,
            )
        if sender.role is not Role.POINT:
            raise RoleError(
                f"{sender.name} is certified as {sender.role.name.lower()} and may not send "
                "a status"
            )
        if frame.hub != hub.key_id:
            raise WronglyAddressedError(
                f"status from {sender.name} is for hub key {format_key_id(frame.hub)}, "
                f"not ours ({format_key_id(hub.key_id)})"
            )
        key = mac_keys.get(sender.key_id)
        if key is None:
            key = mac_keys[sender.key_id] = statusframe.hub_mac_key(hub, sender.key)
        statusframe.check(frame, key)
        self._check_revocation(sender, frame.seq)
        if now is not None:
            sender.check_window(now)
        return sender

    def _check_revocation(self, sender: Principal, seq: int) -> None:
        revoked = self.keyring.revocation_of(sender.key_id)
        if revoked is not None and (revoked.last_good_seq == 0 or seq > revoked.last_good_seq):
            raise RevokedKeyError(f"the key of {sender.name} has been revoked by the region root")

    @staticmethod
    def _check_expiry(msg: SignedMessage, now: int | None) -> None:
        body = msg.envelope.body
        if now is None or not isinstance(body, Bulletin):
            return
        expires = body.expires_at(msg.envelope.time)
        if expires is not None and now > expires:
            raise ExpiredError(f"bulletin #{msg.envelope.seq} expired")
