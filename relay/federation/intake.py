"""Checking what arrives from the broker at the national node (pure; the broker is never
trusted): the signature and trust rules as for a radio frame, then the topic.

* the kind must be the one its channel carries (:mod:`.topics`);
* a region's topic carries only what that region's hub signed (its certificate comes
  from that region's root), a summary names its own region, and the national topic
  carries only what the national key (or root) signed;
* after those checks, the same (key id, number) with the same bytes is a duplicate
  (QoS 1 delivers at least once; a hub re-sends its outbox after a reconnect): dropped
  quietly, never shown twice; with other bytes it is a replay, refused.

A message signed by a key whose certificate has not come yet waits (bounded) and is
checked again when it comes: retained certificates and queued messages may arrive in
any order after a reconnect.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from relay.errors import (
    NotNationalError,
    ReplayError,
    UnknownKeyError,
    WrongRegionError,
)
from relay.federation.config import NATIONAL
from relay.federation.topics import CERT, Topic, Topics
from relay.wire import envelope
from relay.wire.keys import format_key_id
from relay.wire.model import Certificate, Role, SignedMessage, StatusSummary
from relay.wire.trust import Keyring, Principal, Verifier

#: Messages waiting for their signer's certificate.
WAITING = 1000


@dataclass(frozen=True, slots=True)
class Arrived:
    """A message that passed every check, from ``region`` ('national' for the NCC)."""

    region: str
    message: SignedMessage
    sender: Principal


class Intake:
    def __init__(
        self,
        topics: Topics,
        keyring: Keyring,
        region_roots: dict[str, int],
        seen: Callable[[int, int], bytes | None],
    ) -> None:
        """``region_roots``: region name -> key id of its pinned root; ``seen``: the raw
        bytes kept for (key id, number), if any (the store's messages table)."""
        self.topics = topics
        self.keyring = keyring
        self.region_roots = region_roots
        self._seen = seen
        self.waiting: OrderedDict[bytes, str] = OrderedDict()

    def take(self, topic: str, payload: bytes, now: int | None) -> Arrived | None:
        """Check one message; ``None`` for a duplicate. Raises a :class:`RelayError` with
        the reason for anything refused (and keeps messages from unknown keys waiting)."""
        where = self.topics.parse(topic)
        msg = envelope.parse(payload)
        self.topics.check_kind(where, msg.kind)
        try:
            verified = Verifier(self.keyring).verify(msg, now)
        except UnknownKeyError:
            self.waiting[payload] = topic
            while len(self.waiting) > WAITING:
                self.waiting.popitem(last=False)
            raise
        # A copy of a genuine message on the wrong region's topic is refused, not taken
        # for a harmless duplicate: the region check comes first.
        self._check_region(where, msg, verified.sender)
        if self._duplicate(msg):
            return None
        if isinstance(msg.envelope.body, Certificate):
            self.keyring.add_certificate(msg)
        return Arrived(where.region, msg, verified.sender)

    def released(self, key_id: int) -> list[tuple[str, bytes]]:
        """(topic, payload) of what waited for ``key_id``'s certificate, to take again."""
        out = []
        for payload, topic in list(self.waiting.items()):
            if envelope.parse(payload).envelope.key_id == key_id:
                del self.waiting[payload]
                out.append((topic, payload))
        return out

    def _duplicate(self, msg: SignedMessage) -> bool:
        """Kept before (the store is the one record: a message not kept is new again)."""
        env = msg.envelope
        kept = self._seen(env.key_id, env.seq)
        if kept is None:
            return False
        if kept == msg.raw:
            return True
        raise ReplayError(
            f"{env.kind.value} #{env.seq} of key {format_key_id(env.key_id)} was already "
            "received with other content"
        )

    def _check_region(self, where: Topic, msg: SignedMessage, sender: Principal) -> None:
        body = msg.envelope.body
        if where.region == NATIONAL:
            national = sender.role is Role.NATIONAL or (
                where.channel == CERT and sender.role is Role.NATIONAL_ROOT
            )
            if not national:
                raise NotNationalError(
                    f"{msg.kind.value} #{msg.envelope.seq} from {sender.name} "
                    f"({sender.role.name.lower()}) on the national topic"
                )
            return
        root = self.region_roots.get(where.region)
        if root is None:
            raise WrongRegionError(f"region {where.region!r} is not one this node trusts")
        signer_root = sender.key_id if sender.role is Role.ROOT else sender.certified_by
        if signer_root != root or sender.role not in (Role.HUB, Role.ROOT):
            raise WrongRegionError(
                f"{msg.kind.value} #{msg.envelope.seq} from {sender.name} is not from "
                f"region {where.region}'s hub (replayed from another region?)"
            )
        if isinstance(body, StatusSummary) and body.region != where.region:
            raise WrongRegionError(
                f"summary for region {body.region!r} published as {where.region!r}"
            )
