"""Replay protection from per-key sequence numbers (no clock needed).

Two kinds of stream share one key's numbers:

* *State* messages (heartbeats, status reports, receipts): only the newest matters, so a
  number at or below the last accepted one is a replay (or, if equal, a duplicate).
* *Log* messages (bulletins, certificates, revocations): each one counts, and the hub
  re-sends old ones to points that missed them. Any unseen number is accepted, unless
  it is older than ``window`` below the newest number seen from that key.

The guard is pure and in memory; the daemon's store persists :meth:`snapshot`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from relay.errors import DuplicateError, ReplayError
from relay.wire.model import Kind

STATE_KINDS = frozenset({Kind.HEARTBEAT, Kind.STATUS, Kind.RECEIPT, Kind.REPAIR})


@dataclass
class _KeyState:
    high: int = 0
    state_high: int = 0
    seen: set[int] = field(default_factory=set)


class ReplayGuard:
    def __init__(self, window: int = 1 << 20) -> None:
        self._window = window
        self._keys: dict[int, _KeyState] = {}

    def check(self, key_id: int, seq: int, kind: Kind) -> None:
        """Raise :class:`ReplayError` (or :class:`DuplicateError`) if ``seq`` must be refused."""
        if seq <= 0:
            raise ReplayError("sequence number 0 is never used by a sender")
        st = self._keys.get(key_id)
        if st is None:
            return
        if kind in STATE_KINDS:
            if seq == st.state_high or seq in st.seen:
                raise DuplicateError(f"{kind.value} #{seq} was already received")
            if seq < st.state_high:
                raise ReplayError(
                    f"replayed or out-of-date {kind.value}: #{seq}, newest is #{st.state_high}"
                )
            return
        if seq in st.seen:
            raise DuplicateError(f"{kind.value} #{seq} was already received")
        if seq + self._window < st.high:
            raise ReplayError(f"{kind.value} #{seq} is too old (newest #{st.high})")

    def record(self, key_id: int, seq: int, kind: Kind) -> None:
        st = self._keys.setdefault(key_id, _KeyState())
        st.high = max(st.high, seq)
        if kind in STATE_KINDS:
            st.state_high = max(st.state_high, seq)
        else:
            st.seen.add(seq)
            floor = st.high - self._window
            if len(st.seen) > 4096:
                st.seen = {s for s in st.seen if s >= floor}

    def forget(self, key_id: int, seq: int) -> None:
        """Un-see a log message (it could not be stored): its next copy is accepted."""
        st = self._keys.get(key_id)
        if st is not None:
            st.seen.discard(seq)

    def accept(self, key_id: int, seq: int, kind: Kind) -> None:
        """:meth:`check` then :meth:`record`."""
        self.check(key_id, seq, kind)
        self.record(key_id, seq, kind)

    def highest(self, key_id: int) -> int:
        st = self._keys.get(key_id)
        return st.high if st else 0

    def snapshot(self) -> dict[str, dict[str, object]]:
        """JSON-ready state (for the CLI's --state file and the daemon's store)."""
        return {
            f"{k:08x}": {"high": s.high, "state_high": s.state_high, "seen": sorted(s.seen)}
            for k, s in self._keys.items()
        }

    @classmethod
    def restore(cls, data: dict[str, dict[str, object]], window: int = 1 << 20) -> ReplayGuard:
        guard = cls(window)
        for key_hex, s in data.items():
            seen = s.get("seen", [])
            assert isinstance(seen, list)
            guard._keys[int(key_hex, 16)] = _KeyState(
                high=int(str(s.get("high", 0))),
                state_high=int(str(s.get("state_high", 0))),
                seen={int(x) for x in seen},
            )
        return guard
