"""The national node's data (issue 13): one module, one class, the only place that reads
or writes the national tables (migration 0007).

What it keeps came through :mod:`relay.federation.intake` (verified, topic checked):

* per region: its hub, when it was last heard, how many summaries it sent;
* per point: the newest report its hub countersigned (a higher sequence number wins, so
  a late or repeated summary never takes a point back in time);
* bulletins seen on the federation (the signed bytes in ``messages``), by region, and
  which region's hub says it broadcast which national bulletin.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from relay.store import federation
from relay.store.db import query, transaction
from relay.wire import envelope
from relay.wire.model import (
    BulletinRef,
    Need,
    OpenState,
    PointSummary,
    PowerSource,
    SignedMessage,
    StatusReport,
    StatusSummary,
)


@dataclass(frozen=True, slots=True)
class RegionRow:
    region: str
    hub_key_id: int
    hub_name: str
    last_heard: float
    summaries: int


@dataclass(frozen=True, slots=True)
class NationalPoint:
    region: str
    summary: PointSummary
    received_at: float


@dataclass(frozen=True, slots=True)
class SeenBulletin:
    region: str
    message: SignedMessage
    received_at: float


def _enum_open(value: int) -> OpenState:
    try:
        return OpenState(value)
    except ValueError:
        return OpenState.UNKNOWN


def _enum_power(value: int) -> PowerSource:
    try:
        return PowerSource(value)
    except ValueError:
        return PowerSource.UNKNOWN


class NationalData:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._path = path

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        return query(self._conn, self._path, sql, args)

    # --- writing (one transaction each) ---------------------------------------------

    def seen(self, key_id: int, seq: int) -> bytes | None:
        """The bytes kept for (key id, number), if any: the receivers' duplicate check."""
        rows = self._query("SELECT raw FROM messages WHERE key_id = ? AND seq = ?", (key_id, seq))
        return bytes(rows[0]["raw"]) if rows else None

    def add_summary(self, region: str, msg: SignedMessage, hub_name: str, at: float) -> bool:
        """Keep a verified summary and what it says; False if it was kept before."""
        body = msg.envelope.body
        assert isinstance(body, StatusSummary)
        with transaction(self._conn, self._path) as c:
            if not _keep(c, msg, at):
                return False
            c.execute(
                "INSERT INTO national_regions "
                "(region, hub_key_id, hub_name, last_heard, summaries) "
                "VALUES (?, ?, ?, ?, 1) ON CONFLICT (region) DO UPDATE SET "
                "hub_key_id = excluded.hub_key_id, hub_name = excluded.hub_name, "
                "last_heard = excluded.last_heard, summaries = summaries + 1",
                (region, msg.envelope.key_id, hub_name, at),
            )
            for p in body.points:
                _upsert_point(c, region, p, at)
            for r in body.relayed:
                c.execute(
                    "INSERT OR IGNORE INTO national_relayed (region, key_id, seq) VALUES (?, ?, ?)",
                    (region, r.key_id, r.seq),
                )
            return True

    def add_bulletin(
        self, region: str, msg: SignedMessage, at: float, *, publish: str | None = None
    ) -> bool:
        """Keep a verified bulletin seen on (or, ``publish``: sent to) the federation."""
        env = msg.envelope
        with transaction(self._conn, self._path) as c:
            if not _keep(c, msg, at):
                return False
            c.execute(
                "INSERT OR IGNORE INTO national_bulletins (key_id, seq, region, received_at) "
                "VALUES (?, ?, ?, ?)",
                (env.key_id, env.seq, region, at),
            )
            if publish is not None:
                federation.insert(c, publish, msg, at)
            return True

    def add_certificate(self, msg: SignedMessage, at: float) -> bool:
        with transaction(self._conn, self._path) as c:
            return _keep(c, msg, at)

    # --- reading ----------------------------------------------------------------------

    def regions(self) -> list[RegionRow]:
        rows = self._query("SELECT * FROM national_regions ORDER BY region")
        return [
            RegionRow(r["region"], r["hub_key_id"], r["hub_name"], r["last_heard"], r["summaries"])
            for r in rows
        ]

    def points(self, region: str | None = None) -> list[NationalPoint]:
        sql = "SELECT * FROM national_points"
        args: tuple[object, ...] = ()
        if region is not None:
            sql += " WHERE region = ?"
            args = (region,)
        return [_point(r) for r in self._query(sql + " ORDER BY region, point_id", args)]

    def bulletins(self) -> list[SeenBulletin]:
        rows = self._query(
            "SELECT n.region, n.received_at, m.raw FROM national_bulletins n "
            "JOIN messages m USING (key_id, seq) ORDER BY n.received_at"
        )
        return [SeenBulletin(r["region"], _parse(bytes(r["raw"])), r["received_at"]) for r in rows]

    def relayed(self) -> dict[tuple[int, int], set[str]]:
        """(key id, number) of a national bulletin -> regions whose hub broadcast it."""
        out: dict[tuple[int, int], set[str]] = {}
        for r in self._query("SELECT region, key_id, seq FROM national_relayed"):
            out.setdefault((r["key_id"], r["seq"]), set()).add(r["region"])
        return out

    def certificates(self) -> list[bytes]:
        rows = self._query(
            "SELECT raw FROM messages WHERE kind = 'certificate' ORDER BY received_at"
        )
        return [bytes(r["raw"]) for r in rows]


@functools.lru_cache(maxsize=4096)
def _parse(raw: bytes) -> SignedMessage:
    """Signed bytes never change: parse each bulletin once (text decompression is slow),
    not on every view of 25 regions."""
    return envelope.parse(raw)


def _keep(c: sqlite3.Connection, msg: SignedMessage, at: float) -> bool:
    env = msg.envelope
    cur = c.execute(
        "INSERT OR IGNORE INTO messages (key_id, seq, kind, time, raw, received_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (env.key_id, env.seq, env.kind.value, env.time, msg.raw, at),
    )
    return cur.rowcount == 1


def _upsert_point(c: sqlite3.Connection, region: str, p: PointSummary, at: float) -> None:
    s = p.status
    c.execute(
        "INSERT INTO national_points (region, point_id, name, key_id, seq, time, open, power, "
        "battery_pct, visitors, needs, text, held, shown, others, received_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (region, point_id) DO UPDATE SET name = excluded.name, "
        "key_id = excluded.key_id, seq = excluded.seq, time = excluded.time, "
        "open = excluded.open, power = excluded.power, battery_pct = excluded.battery_pct, "
        "visitors = excluded.visitors, needs = excluded.needs, text = excluded.text, "
        "held = excluded.held, shown = excluded.shown, others = excluded.others, "
        "received_at = excluded.received_at "
        "WHERE excluded.seq > national_points.seq OR excluded.key_id != national_points.key_id",
        (
            region,
            p.point_id,
            p.name,
            p.key_id,
            p.seq,
            p.time,
            int(s.open),
            int(s.power),
            s.battery_pct,
            s.visitors,
            int(s.needs),
            s.text,
            json.dumps(list(p.held)),
            json.dumps(list(p.shown)),
            json.dumps(sorted([r.key_id, r.seq] for r in p.others)),
            at,
        ),
    )


def _point(r: sqlite3.Row) -> NationalPoint:
    status = StatusReport(
        point_id=r["point_id"],
        open=_enum_open(r["open"]),
        power=_enum_power(r["power"]),
        battery_pct=r["battery_pct"],
        visitors=r["visitors"],
        needs=Need(r["needs"]),
        text=r["text"],
    )
    summary = PointSummary(
        point_id=r["point_id"],
        key_id=r["key_id"],
        seq=r["seq"],
        time=r["time"],
        name=r["name"],
        status=status,
        held=tuple(json.loads(r["held"])),
        shown=tuple(json.loads(r["shown"])),
        others=tuple(BulletinRef(int(k), int(q)) for k, q in json.loads(r["others"])),
    )
    return NationalPoint(r["region"], summary, r["received_at"])
