"""Issue 14 item 3: what a daemon reads back from its store is verified again.

A bulletin edited in ``relay.db`` while the daemon was stopped, or a row whose bytes no
longer parse, is quarantined at start-up with a log line naming the store and the row;
the daemon serves the rest and fetches a good copy from the hub.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from relay.daemon import help_ops, ops
from relay.store.store import Store
from relay.wire import envelope, schema
from relay.wire import model as m
from tests.daemon.conftest import Cluster, wait_for

ORIGINAL = "Drinkwater bij sporthal De Vliert"
FORGED = "Drinkwater bij het gemeentehuis"


def text(body: str) -> m.Bulletin:
    return m.Bulletin(texts=(m.LocalizedText("nl", "", body),), expires_in_min=120)


def forge(raw: bytes, body: str) -> bytes:
    """The same envelope with another text, keeping the old signature (an edit on disk)."""
    msg = envelope.parse(raw)
    bulletin = msg.envelope.body
    assert isinstance(bulletin, m.Bulletin)
    env = replace(msg.envelope, body=replace(bulletin, texts=text(body).texts))
    return bytes([envelope.WHOLE_MARKER]) + schema.envelope_to_bytes(env) + msg.signature


def edit_raw(db: Path, key_id: int, seq: int, change: bytes) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "UPDATE messages SET raw = ? WHERE key_id = ? AND seq = ?", (change, key_id, seq)
        )
    conn.close()


def raw_of(db: Path, key_id: int, seq: int) -> bytes:
    conn = sqlite3.connect(db)
    [(raw,)] = conn.execute("SELECT raw FROM messages WHERE key_id = ? AND seq = ?", (key_id, seq))
    conn.close()
    return bytes(raw)


def quarantined(db: Path) -> list[int]:
    store = Store(db)
    try:
        return [row.seq for row, _reason in store.quarantined()]
    finally:
        store.close()


async def kept_at_the_point(cluster: Cluster, *bodies: str) -> tuple[int, list[int]]:
    """The hub issues ``bodies``; once np-001 holds them it is stopped. Hub key, seqs."""
    hub = await cluster.start("hub-utrecht", "hub")
    p1 = await cluster.start("np-001", "point", 1)
    seqs = [ops.issue(hub, text(body))["seq"] for body in bodies]
    await wait_for(lambda: len(ops.inbox(p1)) == len(bodies))
    await cluster.stop("np-001")
    return hub.engine.issuer.key.key_id, seqs


async def test_an_edited_bulletin_is_quarantined_and_fetched_again(
    cluster: Cluster, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key, (first, second) = await kept_at_the_point(cluster, ORIGINAL, "Kookadvies Houten")
    db = tmp_path / "np-001.db"
    edit_raw(db, key, first, forge(raw_of(db, key, first), FORGED))

    with caplog.at_level(logging.ERROR, logger="relay.daemon.integrity"):
        p1 = await cluster.start("np-001", "point", 1)
    [line] = [r.getMessage() for r in caplog.records if r.name == "relay.daemon.integrity"]
    assert str(db) in line and f"seq {first}" in line and "bad signature" in line
    assert quarantined(db) == [first]
    bodies = [v["texts"][0]["body"] for v in ops.inbox(p1)]
    assert FORGED not in bodies
    # The rest is served, and the hub's heartbeat brings the good copy back.
    await wait_for(lambda: len(ops.inbox(p1)) == 2, timeout=15)
    assert sorted(v["texts"][0]["body"] for v in ops.inbox(p1)) == sorted(
        [ORIGINAL, "Kookadvies Houten"]
    )
    assert [v["seq"] for v in ops.inbox(p1)] == [first, second]


async def test_a_row_with_a_wrong_first_byte_does_not_stop_start_up(
    cluster: Cluster, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key, (seq,) = await kept_at_the_point(cluster, ORIGINAL)
    await cluster.stop("hub-utrecht")
    db = tmp_path / "np-001.db"
    edit_raw(db, key, seq, b"\x00" + raw_of(db, key, seq)[1:])

    with caplog.at_level(logging.ERROR, logger="relay.daemon.integrity"):
        p1 = await cluster.start("np-001", "point", 1)
    assert not cluster._tasks["np-001"].done()
    [line] = [r.getMessage() for r in caplog.records if r.name == "relay.daemon.integrity"]
    assert str(db) in line and "first byte 0x00" in line and f"seq {seq}" in line
    assert ops.inbox(p1) == [] and quarantined(db) == [seq]


async def test_a_damaged_help_request_does_not_stop_start_up(
    cluster: Cluster, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    p1 = await cluster.start("np-001", "point", 1)
    request = {"type": "medical", "people": 1, "location": "Kerkplein 3", "text": "Val"}
    rid = help_ops.send(p1, request)["id"]
    await cluster.stop("np-001")
    db = tmp_path / "np-001.db"
    conn = sqlite3.connect(db)
    with conn:
        [(raw,)] = conn.execute("SELECT raw FROM help_requests")
        conn.execute("UPDATE help_requests SET raw = ?", (b"\x00" + bytes(raw)[1:],))
    conn.close()

    with caplog.at_level(logging.ERROR, logger="relay.daemon.integrity"):
        p1 = await cluster.start("np-001", "point", 1)
    assert not cluster._tasks["np-001"].done()
    [line] = [r.getMessage() for r in caplog.records if r.name == "relay.daemon.integrity"]
    assert str(db) in line and "help_requests row" in line and "first byte 0x00" in line
    [kept] = help_ops.requests(p1, personal=True)  # the request's record is still there
    assert kept["id"] == rid and kept["location"] == "Kerkplein 3"
