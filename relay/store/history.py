"""What the hub kept over time, read back for the evaluation report (``relay report``):
status reports as received, and the radio's channel use sampled once a minute.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from relay.store.db import query, transaction
from relay.wire import envelope
from relay.wire.model import SignedMessage, StatusReport


@dataclass(frozen=True, slots=True)
class ReceivedStatus:
    point_id: int
    received_at: float
    message: SignedMessage

    @property
    def report(self) -> StatusReport:
        body = self.message.envelope.body
        assert isinstance(body, StatusReport)
        return body


@dataclass(frozen=True, slots=True)
class RadioSample:
    at: float
    channel_util_pct: float | None
    airtime_pct: float


class History:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    def statuses(self, since: float, until: float) -> list[ReceivedStatus]:
        """Every status report received in [since, until], oldest first."""
        rows = query(
            self._conn,
            self.path,
            "SELECT point_id, received_at, raw FROM status_history "
            "WHERE received_at BETWEEN ? AND ? ORDER BY received_at",
            (since, until),
        )
        return [
            ReceivedStatus(r["point_id"], r["received_at"], envelope.parse(r["raw"])) for r in rows
        ]

    def log_radio(self, at: float, channel_util_pct: float | None, airtime_pct: float) -> None:
        with transaction(self._conn, self.path) as c:
            c.execute(
                "INSERT INTO radio_log (at, channel_util_pct, airtime_pct) VALUES (?, ?, ?)",
                (at, channel_util_pct, airtime_pct),
            )

    def radio(self, since: float, until: float) -> list[RadioSample]:
        rows = query(
            self._conn,
            self.path,
            "SELECT * FROM radio_log WHERE at BETWEEN ? AND ? ORDER BY at",
            (since, until),
        )
        return [RadioSample(r["at"], r["channel_util_pct"], r["airtime_pct"]) for r in rows]
