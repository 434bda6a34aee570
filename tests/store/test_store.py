"""The SQLite store on real files: schema, idempotence, bad files, a full disk."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from relay.engine.outputs import BulletinState
from relay.errors import CorruptStoreError, DiskFullError, SchemaVersionError
from relay.store.db import latest_version
from relay.store.store import Store
from relay.wire import envelope
from relay.wire import model as m
from tests.wire.conftest import NOW, fixed_key

HUB = fixed_key(2, "hub-utrecht", m.Role.HUB)
POINT = fixed_key(3, "np-017", m.Role.POINT)


def bulletin(seq: int, body: str = "Drinkwater bij De Vliert") -> m.SignedMessage:
    return envelope.sign(HUB, seq, NOW, m.Bulletin(texts=(m.LocalizedText("nl", "", body),)))


def test_new_store_is_wal_and_latest_schema(tmp_path: Path) -> None:
    store = Store(tmp_path / "relay.db")
    store.close()
    conn = sqlite3.connect(tmp_path / "relay.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()


def test_bulletin_is_stored_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "relay.db")
    msg = bulletin(5)
    assert store.add_bulletin(msg, "hub-utrecht", True, 1.0)
    assert not store.add_bulletin(msg, "hub-utrecht", True, 2.0)
    (stored,) = store.bulletins()
    assert stored.message == msg
    assert stored.state is BulletinState.ACTIVE
    store.set_bulletin_state(HUB.key_id, 5, BulletinState.CANCELLED, 6)
    assert store.bulletins(states=(BulletinState.ACTIVE,)) == []
    assert store.mark_displayed(HUB.key_id, 5, 10.0)
    assert not store.mark_displayed(HUB.key_id, 5, 11.0)
    assert store.bulletin(HUB.key_id, 5).displayed_at == 10.0  # type: ignore[union-attr]


def test_status_keeps_newest_and_history(tmp_path: Path) -> None:
    store = Store(tmp_path / "relay.db")
    for seq, visitors, at in ((9, 40, 5.0), (8, 10, 6.0)):  # the second arrives late
        report = m.StatusReport(point_id=17, visitors=visitors)
        raw = envelope.sign(POINT, seq, NOW, report).raw
        kw = {"key_id": POINT.key_id, "seq": seq, "time": NOW, "report": report}
        store.add_status(raw, **kw, name="np-017", node=0x42, received_at=at)  # type: ignore[arg-type]
    (point,) = store.points()
    assert point.status.visitors == 40 and point.status_seq == 9
    proof = m.Holdings(held=frozenset({10, 12}), displayed=frozenset({12}))
    store.set_receipt(17, proof, 7.0)
    assert store.points()[0].receipt == proof


def test_own_status_round_trip(tmp_path: Path) -> None:
    store = Store(tmp_path / "relay.db")
    assert store.own_status(17) is None
    status = m.StatusReport(
        point_id=17,
        open=m.OpenState.LIMITED,
        power=m.PowerSource.GENERATOR,
        battery_pct=80,
        visitors=12,
        needs=m.Need.FUEL | m.Need.FOOD,
        text="Aggregaat 6 uur",
    )
    store.set_own_status(status, 1.0)
    assert store.own_status(17) == status


def test_outbox_survives_reopen(tmp_path: Path) -> None:
    store = Store(tmp_path / "relay.db")
    qid = store.queue("help", b"\xa1abc", 0x1234, 1.0)
    store.close()
    again = Store(tmp_path / "relay.db")
    assert again.queued() == [(qid, "help", b"\xa1abc", 0x1234)]
    again.dequeue(qid)
    assert again.queued() == []


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    Store(tmp_path / "relay.db").close()
    conn = sqlite3.connect(tmp_path / "relay.db")
    conn.execute(f"PRAGMA user_version = {latest_version() + 5}")
    conn.close()
    with pytest.raises(SchemaVersionError, match="newer noodrelay"):
        Store(tmp_path / "relay.db")


def test_garbage_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "relay.db"
    path.write_bytes(b"this is a shopping list, not a database" * 100)
    with pytest.raises(CorruptStoreError, match="move it aside"):
        Store(path)


def test_damaged_pages_are_detected(tmp_path: Path) -> None:
    path = tmp_path / "relay.db"
    store = Store(path)
    for seq in range(1, 200):
        store.add_bulletin(bulletin(seq, "tekst " * 30), "hub", True, 1.0)
    store.close()
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 3, 4096 * 6, 7):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptStoreError):
        store = Store(path)
        store.bulletins()


def test_full_disk_writes_nothing_and_reads_still_work(tmp_path: Path) -> None:
    path = tmp_path / "relay.db"
    store = Store(path)
    store.add_bulletin(bulletin(1), "hub", True, 1.0)
    # SQLite's own page limit produces the very error a full disk does (SQLITE_FULL).
    store._conn.execute("PRAGMA max_page_count = 1")
    with pytest.raises(DiskFullError, match="full"):
        for seq in range(2, 500):
            store.add_bulletin(bulletin(seq, "lange tekst " * 15), "hub", True, 1.0)
    held = store.bulletins()
    assert held and held[0].message.envelope.seq == 1
    assert all(b.message.envelope.body for b in held)  # complete rows only
