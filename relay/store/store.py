"""The store's operations, grouped by what they hold.

Every write is one transaction, so that a ``kill -9`` or a power cut leaves either the
whole change or none of it: a bulletin is never half-stored and, keyed by
(key id, sequence number), never stored twice.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import TypeVar

from relay.engine.outputs import BulletinState
from relay.store import federation
from relay.store.db import connect, query, transaction
from relay.store.exercises import ExerciseTable
from relay.store.help import HelpTable
from relay.store.history import History
from relay.store.national import NationalData
from relay.wire import envelope
from relay.wire.model import (
    BulletinRef,
    Holdings,
    Need,
    OpenState,
    PowerSource,
    SignedMessage,
    StatusReport,
)

E = TypeVar("E", bound=IntEnum)


def _enum(cls: type[E], value: int) -> E:
    """A stored enum value, or UNKNOWN for one this version does not know (never a crash)."""
    try:
        return cls(value)
    except ValueError:
        return cls(0)


@dataclass(frozen=True, slots=True)
class StoredRow:
    """A row of the messages table as it is on disk, before anything trusts it."""

    key_id: int
    seq: int
    kind: str
    raw: bytes

    def __str__(self) -> str:
        return f"messages row key {self.key_id:08x} seq {self.seq} ({self.kind})"


@dataclass(frozen=True, slots=True)
class StoredBulletin:
    message: SignedMessage
    sender: str
    state: BulletinState
    by_seq: int
    targeted: bool
    broadcast_done: bool
    displayed_at: float | None
    received_at: float


@dataclass(frozen=True, slots=True)
class StoredPoint:
    point_id: int
    name: str
    key_id: int
    node: int
    last_heard: float
    status: StatusReport
    status_seq: int
    status_time: int
    receipt: Holdings | None
    receipt_at: float | None


def refs_json(refs: Iterable[BulletinRef]) -> str:
    return json.dumps(sorted([r.key_id, r.seq] for r in refs))


def refs_from_json(text: str | None) -> tuple[BulletinRef, ...]:
    return tuple(BulletinRef(int(k), int(s)) for k, s in json.loads(text or "[]"))


@functools.lru_cache(maxsize=2048)
def parse_kept(raw: bytes) -> SignedMessage:
    """A kept message, parsed once per process: signed bytes never change, and parsing a
    bulletin (text decompression) costs ~6 ms, which the dashboard paid 50 times a view."""
    return envelope.parse(raw)


class Store:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn = connect(self.path)
        self.help = HelpTable(self._conn, self.path)
        self.exercises = ExerciseTable(self._conn, self.path)
        self.history = History(self._conn, self.path)
        self.federation = federation.FederationOutbox(self._conn, self.path)
        self.national = NationalData(self._conn, self.path)

    def close(self) -> None:
        self._conn.close()

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        return query(self._conn, self.path, sql, args)

    # --- meta -----------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0]["value"]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with transaction(self._conn, self.path) as c:
            c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # --- messages and bulletins -----------------------------------------------------

    def add_message(self, msg: SignedMessage, received_at: float) -> bool:
        """Keep a signed message (certificate, revocation...); False if already kept."""
        with transaction(self._conn, self.path) as c:
            return self._insert_message(c, msg, received_at)

    @staticmethod
    def _insert_message(c: sqlite3.Connection, msg: SignedMessage, received_at: float) -> bool:
        env = msg.envelope
        cur = c.execute(
            "INSERT OR IGNORE INTO messages (key_id, seq, kind, time, raw, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (env.key_id, env.seq, env.kind.value, env.time, msg.raw, received_at),
        )
        return cur.rowcount == 1

    def add_bulletin(
        self,
        msg: SignedMessage,
        sender: str,
        targeted: bool,
        received_at: float,
        *,
        federate: str | None = None,
    ) -> bool:
        """Keep an accepted bulletin; False (and no change) if it was kept already.

        ``federate``: also queue its exact bytes for this MQTT topic, in the same
        transaction (so no crash can keep the bulletin but lose its publication)."""
        env = msg.envelope
        with transaction(self._conn, self.path) as c:
            if not self._insert_message(c, msg, received_at):
                return False
            c.execute(
                "INSERT INTO bulletins (key_id, seq, sender, targeted) VALUES (?, ?, ?, ?)",
                (env.key_id, env.seq, sender, int(targeted)),
            )
            if federate is not None:
                federation.insert(c, federate, msg, received_at)
            return True

    def set_bulletin_state(self, key_id: int, seq: int, state: BulletinState, by: int) -> None:
        with transaction(self._conn, self.path) as c:
            c.execute(
                "UPDATE bulletins SET state = ?, by_seq = ? WHERE key_id = ? AND seq = ?",
                (state.value, by, key_id, seq),
            )

    def mark_broadcast(self, key_id: int, seq: int) -> None:
        with transaction(self._conn, self.path) as c:
            c.execute(
                "UPDATE bulletins SET broadcast_done = 1 WHERE key_id = ? AND seq = ?",
                (key_id, seq),
            )

    def mark_displayed(self, key_id: int, seq: int, at: float) -> bool:
        with transaction(self._conn, self.path) as c:
            cur = c.execute(
                "UPDATE bulletins SET displayed_at = ? "
                "WHERE key_id = ? AND seq = ? AND displayed_at IS NULL",
                (at, key_id, seq),
            )
            return cur.rowcount == 1

    def bulletins(self, *, states: tuple[BulletinState, ...] = ()) -> list[StoredBulletin]:
        sql = (
            "SELECT m.raw, m.received_at, b.* FROM bulletins b JOIN messages m USING (key_id, seq)"
        )
        args: tuple[object, ...] = ()
        if states:
            sql += f" WHERE b.state IN ({','.join('?' * len(states))})"
            args = tuple(s.value for s in states)
        return [self._bulletin(r) for r in self._query(sql + " ORDER BY b.key_id, b.seq", args)]

    def bulletin(self, key_id: int, seq: int) -> StoredBulletin | None:
        rows = self._query(
            "SELECT m.raw, m.received_at, b.* FROM bulletins b JOIN messages m USING (key_id, seq) "
            "WHERE b.key_id = ? AND b.seq = ?",
            (key_id, seq),
        )
        return self._bulletin(rows[0]) if rows else None

    @staticmethod
    def _bulletin(r: sqlite3.Row) -> StoredBulletin:
        return StoredBulletin(
            message=parse_kept(r["raw"]),
            sender=r["sender"],
            state=BulletinState(r["state"]),
            by_seq=r["by_seq"],
            targeted=bool(r["targeted"]),
            broadcast_done=bool(r["broadcast_done"]),
            displayed_at=r["displayed_at"],
            received_at=r["received_at"],
        )

    def message_rows(self) -> list[StoredRow]:
        """Every kept message as stored, unparsed (for the check on load)."""
        rows = self._query("SELECT key_id, seq, kind, raw FROM messages ORDER BY key_id, seq")
        return [StoredRow(r["key_id"], r["seq"], r["kind"], bytes(r["raw"])) for r in rows]

    def quarantine(self, row: StoredRow, reason: str, at: float) -> None:
        """Move a damaged message (and its bulletin row) out of use, keeping its bytes."""
        with transaction(self._conn, self.path) as c:
            c.execute(
                "INSERT INTO quarantine (from_table, key_id, seq, kind, raw, reason, at) "
                "VALUES ('messages', ?, ?, ?, ?, ?, ?)",
                (row.key_id, row.seq, row.kind, row.raw, reason, at),
            )
            args = (row.key_id, row.seq)
            c.execute("DELETE FROM bulletins WHERE key_id = ? AND seq = ?", args)
            c.execute("DELETE FROM messages WHERE key_id = ? AND seq = ?", args)

    def quarantined(self) -> list[tuple[StoredRow, str]]:
        rows = self._query("SELECT * FROM quarantine ORDER BY id")
        return [
            (StoredRow(r["key_id"], r["seq"], r["kind"], bytes(r["raw"] or b"")), r["reason"])
            for r in rows
        ]

    def messages(self, kind: str) -> list[SignedMessage]:
        rows = self._query("SELECT raw FROM messages WHERE kind = ? ORDER BY received_at", (kind,))
        return [parse_kept(r["raw"]) for r in rows]

    # --- hub: points, status, receipts ----------------------------------------------

    def add_status(
        self,
        raw: bytes,
        *,
        key_id: int,
        seq: int,
        time: int,
        report: StatusReport,
        name: str,
        node: int,
        received_at: float,
        holdings: Holdings | None = None,
    ) -> None:
        """Keep a point's status report (history: the frame as received and what its
        receipt proved) and make it the point's current state unless a newer one is
        there already."""
        held = None if holdings is None else json.dumps(sorted(holdings.held))
        shown = None if holdings is None else json.dumps(sorted(holdings.displayed))
        with transaction(self._conn, self.path) as c:
            c.execute(
                "INSERT OR IGNORE INTO status_history (key_id, seq, point_id, time, "
                "received_at, raw, held, displayed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key_id, seq, report.point_id, time, received_at, raw, held, shown),
            )
            c.execute(
                "INSERT INTO points (point_id, name, key_id, node, last_heard) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (point_id) DO UPDATE SET "
                "name = excluded.name, key_id = excluded.key_id, node = excluded.node, "
                "last_heard = excluded.last_heard",
                (report.point_id, name, key_id, node, received_at),
            )
            c.execute(
                "UPDATE points SET status_seq = ?, status_time = ?, open = ?, power = ?, "
                "battery_pct = ?, visitors = ?, needs = ?, text = ? "
                "WHERE point_id = ? AND status_seq < ?",
                (
                    seq,
                    time,
                    int(report.open),
                    int(report.power),
                    report.battery_pct,
                    report.visitors,
                    int(report.needs),
                    report.text,
                    report.point_id,
                    seq,
                ),
            )

    def set_receipt(self, point_id: int, receipt: Holdings, at: float) -> None:
        with transaction(self._conn, self.path) as c:
            c.execute(
                "UPDATE points SET receipt_held = ?, receipt_displayed = ?, receipt_others = ?, "
                "receipt_at = ? WHERE point_id = ?",
                (
                    json.dumps(sorted(receipt.held)),
                    json.dumps(sorted(receipt.displayed)),
                    refs_json(receipt.others),
                    at,
                    point_id,
                ),
            )

    def touch_point(self, point_id: int, node: int, at: float) -> None:
        with transaction(self._conn, self.path) as c:
            c.execute(
                "UPDATE points SET node = ?, last_heard = ? WHERE point_id = ?",
                (node, at, point_id),
            )

    def points(self) -> list[StoredPoint]:
        return [self._point(r) for r in self._query("SELECT * FROM points ORDER BY point_id")]

    @staticmethod
    def _point(r: sqlite3.Row) -> StoredPoint:
        receipt = None
        if r["receipt_held"] is not None:
            receipt = Holdings(
                held=frozenset(json.loads(r["receipt_held"])),
                displayed=frozenset(json.loads(r["receipt_displayed"] or "[]")),
                others=frozenset(refs_from_json(r["receipt_others"])),
            )
        status = StatusReport(
            point_id=r["point_id"],
            open=_enum(OpenState, r["open"]),
            power=_enum(PowerSource, r["power"]),
            battery_pct=r["battery_pct"],
            visitors=r["visitors"],
            needs=Need(r["needs"]),
            text=r["text"],
        )
        return StoredPoint(
            point_id=r["point_id"],
            name=r["name"],
            key_id=r["key_id"],
            node=r["node"],
            last_heard=r["last_heard"],
            status=status,
            status_seq=r["status_seq"],
            status_time=r["status_time"],
            receipt=receipt,
            receipt_at=r["receipt_at"],
        )

    # --- point: own status ------------------------------------------------------------

    def set_own_status(self, status: StatusReport, at: float) -> None:
        with transaction(self._conn, self.path) as c:
            c.execute(
                "INSERT OR REPLACE INTO own_status "
                "(id, open, power, battery_pct, visitors, needs, text, updated_at) "
                "VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                (
                    int(status.open),
                    int(status.power),
                    status.battery_pct,
                    status.visitors,
                    int(status.needs),
                    status.text,
                    at,
                ),
            )

    def own_status(self, point_id: int) -> StatusReport | None:
        rows = self._query("SELECT * FROM own_status WHERE id = 1")
        if not rows:
            return None
        r = rows[0]
        return StatusReport(
            point_id=point_id,
            open=_enum(OpenState, r["open"]),
            power=_enum(PowerSource, r["power"]),
            battery_pct=r["battery_pct"],
            visitors=r["visitors"],
            needs=Need(r["needs"]),
            text=r["text"],
        )

    # --- outbox ---------------------------------------------------------------------

    def queue(self, purpose: str, raw: bytes, destination: int, at: float) -> int:
        with transaction(self._conn, self.path) as c:
            cur = c.execute(
                "INSERT INTO outbox (purpose, raw, destination, created_at) VALUES (?, ?, ?, ?)",
                (purpose, raw, destination, at),
            )
            return int(cur.lastrowid or 0)

    def dequeue(self, outbox_id: int) -> None:
        with transaction(self._conn, self.path) as c:
            c.execute("DELETE FROM outbox WHERE id = ?", (outbox_id,))

    def queued(self) -> list[tuple[int, str, bytes, int]]:
        rows = self._query("SELECT id, purpose, raw, destination FROM outbox ORDER BY id")
        return [(r["id"], r["purpose"], r["raw"], r["destination"]) for r in rows]
