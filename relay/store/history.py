"""What the hub kept over time, read back for the evaluation report (``relay report``):
status reports as received, and the radio's channel use sampled once a minute.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from relay.errors import RelayError
from relay.store.db import query, transaction
from relay.wire import envelope, statusframe
from relay.wire.model import Holdings, StatusReport


@dataclass(frozen=True, slots=True)
class ReceivedStatus:
    point_id: int
    received_at: float
    report: StatusReport
    #: What the report's receipt proved when it arrived (None: no receipt).
    holdings: Holdings | None


def _report(raw: bytes) -> StatusReport | None:
    """The report in a kept frame: compact (MAC) or signed; None if it no longer parses."""
    try:
        if statusframe.is_status_frame(raw):
            return statusframe.parse(raw).report
        body = envelope.parse(raw).envelope.body
    except RelayError:
        return None
    return body if isinstance(body, StatusReport) else None


def _holdings(held: str | None, displayed: str | None) -> Holdings | None:
    if held is None:
        return None
    return Holdings(frozenset(json.loads(held)), frozenset(json.loads(displayed or "[]")))


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
            "SELECT point_id, received_at, raw, held, displayed FROM status_history "
            "WHERE received_at BETWEEN ? AND ? ORDER BY received_at",
            (since, until),
        )
        out = []
        for r in rows:
            report = _report(r["raw"])
            if report is not None:
                holdings = _holdings(r["held"], r["displayed"])
                out.append(ReceivedStatus(r["point_id"], r["received_at"], report, holdings))
        return out

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
