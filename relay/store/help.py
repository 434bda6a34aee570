"""Help requests in the store (schema version 2), for the point and for the hub.

A point keeps its own requests, personal parts included, until the request is closed plus
a retention period; then :meth:`HelpTable.erase_closed` blanks every personal field and
drops the signed messages (their sealed parts could still be opened with the point's key).
The hub keeps what it received for the control room's export.

Each change is one transaction and keyed by the request's (key id, sequence number), so a
``kill -9`` never loses an accepted request and a repeat is never stored twice. An update
is written only when it is newer than the one held (updates carry the whole state).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from relay.store.db import query, transaction
from relay.wire import envelope
from relay.wire.help import HelpDetails, HelpReply
from relay.wire.model import HelpRequest, HelpState, HelpUrgency, Kind, SignedMessage


@dataclass(frozen=True, slots=True)
class StoredHelp:
    key_id: int
    seq: int
    point_id: int
    point_name: str
    node: int
    type_code: int
    urgency: HelpUrgency
    people: int
    message: SignedMessage | None
    details: HelpDetails
    details_error: str
    sent: bool
    state: HelpState
    update_seq: int
    update: SignedMessage | None
    update_acked: int
    reply: HelpReply
    created_at: float
    updated_at: float
    closed_at: float | None
    erased_at: float | None

    @property
    def delivered(self) -> bool:
        """Hub: the point holds the newest state (a bare "received" needs no ack)."""
        return self.state is HelpState.RECEIVED or self.update_acked >= self.update_seq > 0


#: Columns holding signed messages, and the kind each must be.
SIGNED_COLUMNS = {"raw": "raw", "update_raw": "update_raw"}
_KIND = {"raw": Kind.HELP_REQUEST.value, "update_raw": Kind.HELP_UPDATE.value}


@dataclass(frozen=True, slots=True)
class SignedColumn:
    """One signed message of a help request's row, as it is on disk."""

    key_id: int
    seq: int
    column: str
    raw: bytes

    @property
    def kind(self) -> str:
        return _KIND[self.column]

    def __str__(self) -> str:
        return f"help_requests row {self.key_id:08x}-{self.seq} ({self.column})"


class HelpTable:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        return query(self._conn, self.path, sql, args)

    def add(
        self,
        msg: SignedMessage,
        *,
        point_id: int,
        point_name: str,
        node: int,
        details: HelpDetails | None,
        details_error: str,
        at: float,
    ) -> bool:
        """Keep a request (sent by us, or received); False if it was kept already."""
        env = msg.envelope
        body = env.body
        assert isinstance(body, HelpRequest)
        d = details or HelpDetails()
        with transaction(self._conn, self.path) as c:
            cur = c.execute(
                "INSERT OR IGNORE INTO help_requests (key_id, seq, point_id, point_name, node, "
                "type_code, urgency, people, raw, location, text, handler, details_error, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    env.key_id,
                    env.seq,
                    point_id,
                    point_name,
                    node,
                    body.type_code,
                    int(body.urgency),
                    body.people,
                    msg.raw,
                    d.location,
                    d.text,
                    d.handler,
                    details_error,
                    at,
                    at,
                ),
            )
            return cur.rowcount == 1

    def mark_sent(self, key_id: int, seq: int, at: float) -> bool:
        with transaction(self._conn, self.path) as c:
            cur = c.execute(
                "UPDATE help_requests SET sent = 1, updated_at = ? "
                "WHERE key_id = ? AND seq = ? AND sent = 0",
                (at, key_id, seq),
            )
            return cur.rowcount == 1

    def set_update(
        self, key_id: int, seq: int, update: SignedMessage, reply: HelpReply | None, at: float
    ) -> bool:
        """Make ``update`` the request's state if it is newer than the one held.

        ``reply`` None: the sealed reply did not open; the one held is kept.
        """
        body = update.envelope.body
        state = HelpState(getattr(body, "state", 0))
        closed = at if state is HelpState.CLOSED else None
        with transaction(self._conn, self.path) as c:
            cur = c.execute(
                "UPDATE help_requests SET state = ?, update_seq = ?, update_raw = ?, sent = 1, "
                "reply = COALESCE(?, reply), operator = COALESCE(?, operator), "
                "updated_at = ?, closed_at = COALESCE(closed_at, ?) "
                "WHERE key_id = ? AND seq = ? AND update_seq < ? AND erased_at IS NULL",
                (
                    int(state),
                    update.envelope.seq,
                    update.raw,
                    None if reply is None else reply.text,
                    None if reply is None else reply.operator,
                    at,
                    closed,
                    key_id,
                    seq,
                    update.envelope.seq,
                ),
            )
            return cur.rowcount == 1

    def set_acked(self, key_id: int, seq: int, update_seq: int) -> bool:
        with transaction(self._conn, self.path) as c:
            cur = c.execute(
                "UPDATE help_requests SET update_acked = ? "
                "WHERE key_id = ? AND seq = ? AND update_acked < ?",
                (update_seq, key_id, seq, update_seq),
            )
            return cur.rowcount == 1

    def touch(self, key_id: int, seq: int, node: int) -> None:
        with transaction(self._conn, self.path) as c:
            c.execute(
                "UPDATE help_requests SET node = ? WHERE key_id = ? AND seq = ?",
                (node, key_id, seq),
            )

    def erase_closed(self, before: float, at: float) -> int:
        """Blank the personal data of requests closed before ``before``; how many."""
        with transaction(self._conn, self.path) as c:
            cur = c.execute(
                "UPDATE help_requests SET raw = NULL, update_raw = NULL, location = '', "
                "text = '', handler = '', reply = '', operator = '', details_error = '', "
                "erased_at = ? WHERE closed_at IS NOT NULL AND closed_at < ? "
                "AND erased_at IS NULL",
                (at, before),
            )
            return cur.rowcount

    def get(self, key_id: int, seq: int) -> StoredHelp | None:
        rows = self._query(
            "SELECT * FROM help_requests WHERE key_id = ? AND seq = ?", (key_id, seq)
        )
        return _row(rows[0]) if rows else None

    def signed_columns(self) -> list[SignedColumn]:
        """Every signed message kept with a request, unparsed (for the check on load)."""
        rows = self._query("SELECT key_id, seq, raw, update_raw FROM help_requests")
        return [
            SignedColumn(r["key_id"], r["seq"], column, bytes(r[column]))
            for r in rows
            for column in SIGNED_COLUMNS
            if r[column] is not None
        ]

    def set_aside(self, found: SignedColumn, reason: str, at: float) -> None:
        """Move a damaged signed message to the quarantine table; the request keeps its
        other fields, as after erasure (the engine restores only what it can trust)."""
        column = SIGNED_COLUMNS[found.column]  # a fixed name, never from the data
        with transaction(self._conn, self.path) as c:
            c.execute(
                "INSERT INTO quarantine (from_table, key_id, seq, kind, raw, reason, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (f"help_requests.{column}", found.key_id, found.seq, found.kind, found.raw,
                 reason, at),
            )  # fmt: skip
            c.execute(
                f"UPDATE help_requests SET {column} = NULL WHERE key_id = ? AND seq = ?",  # noqa: S608
                (found.key_id, found.seq),
            )

    def all(self) -> list[StoredHelp]:
        """Every request kept, newest first."""
        rows = self._query("SELECT * FROM help_requests ORDER BY created_at DESC, seq DESC")
        return [_row(r) for r in rows]


def _row(r: sqlite3.Row) -> StoredHelp:
    return StoredHelp(
        key_id=r["key_id"],
        seq=r["seq"],
        point_id=r["point_id"],
        point_name=r["point_name"],
        node=r["node"],
        type_code=r["type_code"],
        urgency=_urgency(r["urgency"]),
        people=r["people"],
        message=envelope.parse(r["raw"]) if r["raw"] is not None else None,
        details=HelpDetails(r["location"], r["text"], r["handler"]),
        details_error=r["details_error"],
        sent=bool(r["sent"]),
        state=HelpState(r["state"]),
        update_seq=r["update_seq"],
        update=envelope.parse(r["update_raw"]) if r["update_raw"] is not None else None,
        update_acked=r["update_acked"],
        reply=HelpReply(r["reply"], r["operator"]),
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        closed_at=r["closed_at"],
        erased_at=r["erased_at"],
    )


def _urgency(value: int) -> HelpUrgency:
    try:
        return HelpUrgency(value)
    except ValueError:  # a newer version's urgency
        return HelpUrgency.UNKNOWN
