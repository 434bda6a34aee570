"""Bulletin lifecycle: Alert, Update, Cancel and expiry, whatever order they arrive in.

Over a lossy mesh with repair, a Cancel can arrive before the bulletin it cancels.
The catalogue remembers such references as tombstones, so the late bulletin is
inactive the moment it arrives and a screen never shows it. Expiry is by hub time.
"""

from __future__ import annotations

from dataclasses import dataclass

from relay.engine.outputs import BulletinChanged, BulletinState
from relay.wire.model import Bulletin, MsgType, SignedMessage

Key = tuple[int, int]  # (key id, sequence number)


@dataclass
class BulletinRecord:
    message: SignedMessage
    bulletin: Bulletin
    targeted: bool
    state: BulletinState = BulletinState.ACTIVE
    by_seq: int = 0

    @property
    def key(self) -> Key:
        env = self.message.envelope
        return env.key_id, env.seq

    @property
    def issued(self) -> int:
        return self.message.envelope.time

    @property
    def expires(self) -> int | None:
        return self.bulletin.expires_at(self.issued)


class Catalogue:
    def __init__(self) -> None:
        self._records: dict[Key, BulletinRecord] = {}
        self._tombstones: dict[Key, tuple[BulletinState, int]] = {}

    def __contains__(self, key: Key) -> bool:
        return key in self._records

    def get(self, key: Key) -> BulletinRecord | None:
        return self._records.get(key)

    def records(self) -> list[BulletinRecord]:
        return list(self._records.values())

    def add(
        self, message: SignedMessage, targeted: bool, hub_now: int | None
    ) -> list[BulletinChanged]:
        """Take a verified bulletin; returns the state changes it causes (its own included
        when it is born inactive)."""
        bulletin = message.envelope.body
        assert isinstance(bulletin, Bulletin)
        record = BulletinRecord(message, bulletin, targeted)
        key = record.key
        if key in self._records:
            return []
        self._records[key] = record
        changes = []
        if key in self._tombstones:
            record.state, record.by_seq = self._tombstones.pop(key)
            changes.append(BulletinChanged(*key, record.state, record.by_seq))
        elif hub_now is not None and record.expires is not None and record.expires <= hub_now:
            record.state = BulletinState.EXPIRED
            changes.append(BulletinChanged(*key, record.state))
        changes += self._apply_references(record)
        return changes

    def _apply_references(self, record: BulletinRecord) -> list[BulletinChanged]:
        if record.bulletin.type is MsgType.ALERT:
            return []
        new_state = (
            BulletinState.CANCELLED
            if record.bulletin.type is MsgType.CANCEL
            else BulletinState.UPDATED
        )
        key_id, seq = record.key
        changes = []
        for ref in record.bulletin.references:
            target = self._records.get((key_id, ref))
            if target is None:
                self._tombstones[(key_id, ref)] = (new_state, seq)
            elif target.state is BulletinState.ACTIVE:
                target.state, target.by_seq = new_state, seq
                changes.append(BulletinChanged(key_id, ref, new_state, seq))
        return changes

    def expire(self, hub_now: int) -> list[BulletinChanged]:
        changes = []
        for record in self._records.values():
            if (
                record.state is BulletinState.ACTIVE
                and record.expires is not None
                and record.expires <= hub_now
            ):
                record.state = BulletinState.EXPIRED
                changes.append(BulletinChanged(*record.key, BulletinState.EXPIRED))
        return changes

    def next_expiry(self) -> int | None:
        times = [
            r.expires
            for r in self._records.values()
            if r.state is BulletinState.ACTIVE and r.expires is not None
        ]
        return min(times) if times else None

    def active(self, key_id: int) -> list[int]:
        return sorted(
            seq
            for (k, seq), r in self._records.items()
            if k == key_id and r.state is BulletinState.ACTIVE
        )

    def held(self, key_id: int) -> set[int]:
        return {seq for (k, seq) in self._records if k == key_id}

    def restore(self, record: BulletinRecord) -> None:
        """Put back a record from the store (state included) after a restart."""
        self._records[record.key] = record

    def forget(self, key: Key) -> None:
        self._records.pop(key, None)
