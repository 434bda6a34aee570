"""From radio frames to verified messages: reassembly, dedup, the trust rules.

Shared by hub and point engines. Messages from a key we have no certificate for yet
are kept aside (a few, for a while) so that they can be accepted the moment the
certificate arrives instead of waiting for a repair round.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections import OrderedDict

from relay.engine.outputs import Rejected
from relay.errors import DuplicateError, RelayError, UnknownKeyError
from relay.link import Frame
from relay.wire import envelope
from relay.wire.describe import reason_code
from relay.wire.fragments import Reassembler
from relay.wire.model import Kind
from relay.wire.trust import Verified, Verifier

log = logging.getLogger(__name__)

RECENT = 512
QUARANTINE = 32
#: Kinds whose every arrival is answered, repeats included: the hub answers a repeated
#: help request with the request's state, a point acknowledges a repeated help update
#: (the answer to the first copy may have been lost). Other repeats are dropped quietly.
ANSWERED_REPEATS = frozenset({Kind.HELP_REQUEST, Kind.HELP_UPDATE})


class Receiver:
    def __init__(self, verifier: Verifier, fragment_ttl_s: float) -> None:
        self.verifier = verifier
        self.reassembler = Reassembler(ttl=fragment_ttl_s)
        self._recent: OrderedDict[bytes, None] = OrderedDict()
        #: raw message -> (sender node, key id) for messages from unknown keys.
        self._quarantine: OrderedDict[bytes, tuple[int, int]] = OrderedDict()

    def receive(
        self, frame: Frame, now: float, hub_now: int | None
    ) -> tuple[Verified | None, Rejected | None]:
        """One frame in; a verified message out when one is complete and valid."""
        try:
            if envelope.is_fragment(frame.payload):
                raw = self.reassembler.feed(frame.payload, now)
                if raw is None:
                    return None, None
            else:
                raw = frame.payload
        except RelayError as err:
            return None, Rejected(reason_code(err), str(err), frame.sender)
        return self._verify(raw, frame.sender, hub_now)

    def _verify(
        self, raw: bytes, node: int, hub_now: int | None
    ) -> tuple[Verified | None, Rejected | None]:
        digest = hashlib.sha256(raw).digest()[:12]
        if digest in self._recent:
            return self._repeat(raw, hub_now), None  # a repair or a second route
        try:
            verified = self.verifier.verify(raw, now=hub_now)
        except DuplicateError:
            self._remember(digest)
            return self._repeat(raw, hub_now), None
        except UnknownKeyError as err:
            self._quarantine[raw] = (node, err.key_id or 0)
            while len(self._quarantine) > QUARANTINE:
                self._quarantine.popitem(last=False)
            return None, Rejected("unknown_key", str(err), node)
        except RelayError as err:
            return None, Rejected(reason_code(err), str(err), node)
        self._remember(digest)
        return verified, None

    def verify_carried(self, raw: bytes, hub_now: int | None) -> Verified:
        """A whole message that came by hand, not over the air: the same checks as
        :meth:`receive` (trust chain, role, validity window, replay guard), but a refusal
        is raised, for the person who carried it, and a copy already held is one."""
        digest = hashlib.sha256(raw).digest()[:12]
        if digest in self._recent:
            raise DuplicateError("already held: this exact message was received before")
        verified = self.verifier.verify(raw, now=hub_now)
        self._remember(digest)
        return verified

    def _repeat(self, raw: bytes, hub_now: int | None) -> Verified | None:
        """A message accepted before, passed on again only if its kind is answered."""
        try:
            if envelope.parse(raw).kind not in ANSWERED_REPEATS:
                return None
            verified = self.verifier.verify(raw, now=hub_now, replay=False)
        except RelayError as err:
            log.info("repeated message no longer accepted: %s", err)
            return None
        return dataclasses.replace(verified, repeat=True)

    def forget(self, raw: bytes) -> None:
        """Take a message back (its write to the store failed): its next copy is new."""
        self._recent.pop(hashlib.sha256(raw).digest()[:12], None)

    def _remember(self, digest: bytes) -> None:
        self._recent[digest] = None
        while len(self._recent) > RECENT:
            self._recent.popitem(last=False)

    def unknown_keys(self) -> dict[int, int]:
        """Key id -> node that sent us a message signed by it (to ask for the certificate)."""
        return {key_id: node for node, key_id in self._quarantine.values()}

    def release(self, key_id: int, hub_now: int | None) -> list[tuple[Verified, int]]:
        """Verify again what waited for ``key_id``'s certificate."""
        waiting = [(raw, node) for raw, (node, k) in self._quarantine.items() if k == key_id]
        out = []
        for raw, node in waiting:
            del self._quarantine[raw]
            verified, rejected = self._verify(raw, node, hub_now)
            if verified is not None:
                out.append((verified, node))
            elif rejected is not None:
                log.info("held message still refused: %s", rejected.detail)
        return out

    def missing_fragments(self) -> dict[bytes, int]:
        return self.reassembler.missing()
