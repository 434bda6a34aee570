"""Messages larger than one radio frame, as fragments.

Fragment frame: ``[marker 0xA9][message id: 3 bytes][index << 4 | (count - 1)][slice]``.
The message id is the first three bytes of SHA-256 of the whole message, so

* any node can answer a repair request for a fragment (the id names the content, not
  the sender), and one answer serves every point that lacks it;
* reassembly checks the finished message against its id, catching two messages whose
  fragments got mixed up.

One signature covers the whole message; fragments carry none. Reassembly takes
fragments in any order, ignores duplicates, and forgets incomplete messages after a
while (the delivery engine asks for the missing pieces before that).
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from dataclasses import dataclass, field

from relay.errors import FragmentError, TruncatedError
from relay.wire.envelope import FRAGMENT_MARKER, MAX_MESSAGE_BYTES, check_marker

HEADER_BYTES = 5
MAX_FRAGMENTS = 16


def message_id(raw: bytes) -> bytes:
    return hashlib.sha256(raw).digest()[:3]


def split(raw: bytes, max_payload: int) -> list[bytes]:
    """The frames that carry ``raw``: itself when it fits, else fragments."""
    if len(raw) <= max_payload:
        return [raw]
    chunk = max_payload - HEADER_BYTES
    count = math.ceil(len(raw) / chunk)
    if count > MAX_FRAGMENTS:
        raise FragmentError(
            f"message of {len(raw)} bytes needs {count} fragments; at most {MAX_FRAGMENTS}"
        )
    head = bytes([FRAGMENT_MARKER]) + message_id(raw)
    return [
        head + bytes([i << 4 | (count - 1)]) + raw[i * chunk : (i + 1) * chunk]
        for i in range(count)
    ]


def frame_count(size: int, max_payload: int) -> int:
    return 1 if size <= max_payload else math.ceil(size / (max_payload - HEADER_BYTES))


@dataclass(frozen=True, slots=True)
class Fragment:
    message_id: bytes
    index: int
    count: int
    data: bytes


def parse_fragment(frame: bytes) -> Fragment:
    if len(frame) < HEADER_BYTES + 1:
        raise TruncatedError(f"fragment of {len(frame)} bytes")
    check_marker(frame[0], fragment=True)
    index, count = frame[4] >> 4, (frame[4] & 0x0F) + 1
    if count < 2 or index >= count:
        raise FragmentError(f"fragment {index} of {count}")
    return Fragment(bytes(frame[1:4]), index, count, bytes(frame[HEADER_BYTES:]))


@dataclass
class _Partial:
    count: int
    first_seen: float
    parts: dict[int, bytes] = field(default_factory=dict)

    @property
    def missing_mask(self) -> int:
        return sum(1 << i for i in range(self.count) if i not in self.parts)


class Reassembler:
    """Collects fragments into messages. Pure: the caller passes the clock value.

    Bounded: at most ``max_pending`` incomplete messages are kept (the oldest is dropped
    first), each at most ``ttl`` seconds after its first fragment.
    """

    def __init__(self, ttl: float = 3600.0, max_pending: int = 64) -> None:
        self._ttl = ttl
        self._max_pending = max_pending
        self._pending: OrderedDict[bytes, _Partial] = OrderedDict()
        #: Ids of messages completed recently, so late duplicates are not re-collected.
        self._done: OrderedDict[bytes, None] = OrderedDict()

    def feed(self, frame: bytes, now: float) -> bytes | None:
        """Take one fragment frame; return the whole message when it is complete."""
        frag = parse_fragment(frame)
        if frag.message_id in self._done:
            return None
        self.expire(now)
        partial = self._pending.get(frag.message_id)
        if partial is None:
            partial = _Partial(frag.count, now)
            self._pending[frag.message_id] = partial
            while len(self._pending) > self._max_pending:
                self._pending.popitem(last=False)
        elif partial.count != frag.count:
            raise FragmentError("fragments of one message disagree on their count")
        partial.parts.setdefault(frag.index, frag.data)
        if len(partial.parts) < partial.count:
            return None
        del self._pending[frag.message_id]
        raw = b"".join(partial.parts[i] for i in range(partial.count))
        if message_id(raw) != frag.message_id or len(raw) > MAX_MESSAGE_BYTES:
            raise FragmentError("reassembled message does not match its id (mixed fragments)")
        self._done[frag.message_id] = None
        while len(self._done) > 4 * self._max_pending:
            self._done.popitem(last=False)
        return raw

    def expire(self, now: float) -> None:
        for mid in [k for k, p in self._pending.items() if now - p.first_seen > self._ttl]:
            del self._pending[mid]

    def missing(self) -> dict[bytes, int]:
        """Message id -> bit mask of missing fragment indices, for repair requests."""
        return {mid: p.missing_mask for mid, p in self._pending.items()}
