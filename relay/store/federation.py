"""The hub's federation outbox: signed messages waiting for the broker's PUBACK.

A row is written in the same transaction as what it publishes (a bulletin, a summary's
mark), and deleted only once the broker acknowledged it: after a broker outage, a
restart or a ``kill -9`` the hub sends what is left, in order. Receivers drop the
copies by (key id, sequence number), so a resend is never shown twice.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from relay.store.db import query, transaction
from relay.wire.model import SignedMessage


@dataclass(frozen=True, slots=True)
class Outgoing:
    id: int
    topic: str
    payload: bytes
    retain: bool


def insert(c: sqlite3.Connection, topic: str, msg: SignedMessage, at: float) -> None:
    """Queue ``msg`` inside the caller's transaction (kept once per key id and number)."""
    env = msg.envelope
    c.execute(
        "INSERT OR IGNORE INTO federation_outbox (topic, payload, key_id, seq, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (topic, msg.raw, env.key_id, env.seq, at),
    )


class FederationOutbox:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._path = path

    def add(self, topic: str, msg: SignedMessage, at: float) -> None:
        with transaction(self._conn, self._path) as c:
            insert(c, topic, msg, at)

    def add_with_mark(
        self, topic: str, msgs: list[SignedMessage], at: float, mark: tuple[str, str]
    ) -> None:
        """Queue ``msgs`` and set the meta ``mark`` (key, value) in one transaction: what
        a summary covered is marked done only together with the summary itself."""
        with transaction(self._conn, self._path) as c:
            for msg in msgs:
                insert(c, topic, msg, at)
            c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", mark)

    def pending(self, limit: int = 100) -> list[Outgoing]:
        rows = query(
            self._conn,
            self._path,
            "SELECT id, topic, payload, retain FROM federation_outbox ORDER BY id LIMIT ?",
            (limit,),
        )
        return [Outgoing(r["id"], r["topic"], bytes(r["payload"]), bool(r["retain"])) for r in rows]

    def count(self) -> int:
        rows = query(self._conn, self._path, "SELECT count(*) AS n FROM federation_outbox")
        return int(rows[0]["n"])

    def acknowledged(self, outgoing_id: int) -> None:
        """The broker's PUBACK came: the message is the broker's to keep now."""
        with transaction(self._conn, self._path) as c:
            c.execute("DELETE FROM federation_outbox WHERE id = ?", (outgoing_id,))
