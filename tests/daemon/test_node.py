"""Whole nodes: bulletins stored once, receipts, restarts, the HTTP API and CLI views."""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp.test_utils import TestClient, TestServer

from relay.daemon import ops
from relay.daemon.api import make_app
from relay.engine.hub import HubEngine
from relay.engine.outputs import BulletinState
from relay.engine.point import PointEngine
from relay.errors import StoreError
from relay.store.db import transaction
from relay.store.store import Store
from relay.wire import model as m
from tests.daemon.conftest import Cluster, wait_for


def text(body: str, **kw: object) -> m.Bulletin:
    return m.Bulletin(texts=(m.LocalizedText("nl", "", body),), **kw)  # type: ignore[arg-type]


async def test_bulletin_reaches_points_and_receipts_reach_the_hub(cluster: Cluster) -> None:
    hub = await cluster.start("hub-utrecht", "hub")
    p1 = await cluster.start("np-001", "point", 1)
    p2 = await cluster.start("np-002", "point", 2)
    result = ops.issue(hub, text("Drinkwater bij sporthal De Vliert", expires_in_min=60))
    seq = result["seq"]
    await wait_for(
        lambda: all(p.store.bulletin(hub.engine.issuer.key.key_id, seq) for p in (p1, p2))
    )
    await wait_for(
        lambda: all(r["holds"] == 1 for r in ops.points(hub)) and len(ops.points(hub)) == 2
    )
    [view] = ops.inbox(p1)
    assert view["texts"][0]["body"] == "Drinkwater bij sporthal De Vliert"
    ops.mark_displayed(p1, hub.engine.issuer.key.key_id, seq)
    await wait_for(lambda: ops.bulletins(hub)[0]["displayed_at_points"] == 1)


async def test_status_set_at_point_shows_at_hub(cluster: Cluster) -> None:
    hub = await cluster.start("hub-utrecht", "hub")
    p1 = await cluster.start("np-001", "point", 1)
    ops.set_status(
        p1,
        m.StatusReport(
            point_id=1,
            open=m.OpenState.OPEN,
            power=m.PowerSource.GENERATOR,
            visitors=42,
            needs=m.Need.FUEL,
        ),
    )
    await wait_for(lambda: any(r["visitors"] == 42 for r in ops.points(hub)))
    row = ops.points(hub)[0]
    assert row["power"] == "generator" and row["needs"] == ["fuel"]


async def test_restart_keeps_bulletins_and_never_shows_one_twice(cluster: Cluster) -> None:
    hub = await cluster.start("hub-utrecht", "hub")
    p1 = await cluster.start("np-001", "point", 1)
    seq = ops.issue(hub, text("Kookadvies Houten"))["seq"]
    key = hub.engine.issuer.key.key_id
    await wait_for(lambda: p1.store.bulletin(key, seq) is not None)
    await cluster.kill("np-001")
    p1 = await cluster.start("np-001", "point", 1)
    engine = p1.engine
    assert isinstance(engine, PointEngine)
    await wait_for(lambda: engine.hub is not None and engine.hub.active == (seq,), 5)
    assert len(ops.inbox(p1)) == 1
    assert [b.message.envelope.seq for b in p1.store.bulletins()] == [seq]


async def test_hub_restart_resends_what_was_never_broadcast(cluster: Cluster) -> None:
    hub = await cluster.start("hub-utrecht", "hub")
    cluster.registry.channel("air").drop = lambda s, r, p: True  # the radio is dead
    seq = ops.issue(hub, text("Evacuatie Vianen", urgency=m.Urgency.IMMEDIATE))["seq"]
    await cluster.kill("hub-utrecht")
    cluster.registry.channel("air").drop = lambda s, r, p: False
    p1 = await cluster.start("np-001", "point", 1)
    hub = await cluster.start("hub-utrecht", "hub")
    key = hub.engine.issuer.key.key_id
    await wait_for(lambda: p1.store.bulletin(key, seq) is not None)


async def test_cancel_takes_the_bulletin_off_the_inbox(cluster: Cluster) -> None:
    hub = await cluster.start("hub-utrecht", "hub")
    p1 = await cluster.start("np-001", "point", 1)
    seq = ops.issue(hub, text("Kookadvies"))["seq"]
    await wait_for(lambda: len(ops.inbox(p1)) == 1)
    ops.issue(hub, text("Kookadvies ingetrokken", type=m.MsgType.CANCEL, references=(seq,)))
    await wait_for(
        lambda: (
            [b["seq"] for b in ops.inbox(p1)] == [seq + 1]
            or all(b["seq"] != seq for b in ops.inbox(p1))
        )
    )
    stored = p1.store.bulletin(hub.engine.issuer.key.key_id, seq)
    assert stored is not None and stored.state is BulletinState.CANCELLED


async def test_http_api_needs_the_token_to_change_things(cluster: Cluster) -> None:
    p1 = await cluster.start("np-001", "point", 1)
    app = make_app(p1, "s3cret")
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/api/state")).status == 200
        denied = await client.post("/api/status", json={"visitors": 3})
        assert denied.status == 401
        ok = await client.post(
            "/api/status",
            json={"visitors": 3, "open": "open"},
            headers={"Authorization": "Bearer s3cret"},
        )
        assert ok.status == 200 and (await ok.json())["visitors"] == 3
        bad = await client.post(
            "/api/status", json={"open": "ajar"}, headers={"Authorization": "Bearer s3cret"}
        )
        assert bad.status == 400 and "bad status" in (await bad.json())["error"]
        hub_only = await client.get("/api/points")
        assert hub_only.status == 404


async def test_send_refuses_foreign_and_repeated_files(cluster: Cluster) -> None:
    hub = await cluster.start("hub-utrecht", "hub")
    msg = hub.engine.issuer.issue(text("Test"), at=hub.hub_time())
    app = make_app(hub, "t")
    auth = {"Authorization": "Bearer t"}
    async with TestClient(TestServer(app)) as client:
        first = await client.post("/api/send", data=msg.raw, headers=auth)
        assert first.status == 200, await first.text()
        body = await first.json()
        assert body["frames"] == 1 and body["position"] >= 1
        again = await client.post("/api/send", data=msg.raw, headers=auth)
        assert again.status == 409
        junk = await client.post("/api/send", data=b"\x00junk", headers=auth)
        assert junk.status == 400 and (await junk.json())["reason"] == "not_noodrelay"


async def test_a_full_disk_never_gives_a_false_receipt_and_heals(cluster: Cluster) -> None:
    """Issue 14, item 2: a bulletin the point's store could not write is not held: no
    receipt claims it, repair brings it again once there is room, the error clears."""
    hub = await cluster.start("hub-utrecht", "hub")
    p1 = await cluster.start("np-001", "point", 1)
    key = hub.engine.issuer.key.key_id
    first = ops.issue(hub, text("Drinkwater bij sporthal De Vliert"))["seq"]
    await wait_for(lambda: p1.store.bulletin(key, first) is not None)
    fill_up(p1.store)  # the disk is full from now on (SQLITE_FULL)
    second = ops.issue(hub, text("Kookadvies voor Houten, Bunnik en Nieuwegein " * 3))["seq"]
    await wait_for(lambda: p1.health.store_error is not None)
    assert p1.store.bulletin(key, second) is None
    assert isinstance(p1.engine, PointEngine)
    assert second not in p1.engine.catalogue.held(key)
    await wait_for(lambda: [r["holds"] for r in ops.points(hub)] == [1])  # only the first
    assert isinstance(hub.engine, HubEngine)
    for _ in range(20):  # reports keep coming: none claims the second
        await asyncio.sleep(0.1)
        assert not hub.engine.receipt_matrix()[1].get(second, (False, False))[0]
    p1.store._conn.execute("DELETE FROM meta WHERE key LIKE 'filler-%'")  # room again
    p1.store._conn.execute("DELETE FROM messages WHERE kind = 'filler'")
    await wait_for(lambda: p1.store.bulletin(key, second) is not None)
    await wait_for(lambda: p1.health.store_error is None)
    await wait_for(lambda: [r["holds"] for r in ops.points(hub)] == [2])


def fill_up(store: Store) -> None:
    """Fill the store's file to its page limit with filler rows: what a full disk does."""
    store._conn.execute("PRAGMA max_page_count = 1")  # becomes the current page count
    for table in ("meta", "messages"):  # every table's leaf pages, not only the free ones
        for size in (2000, 200, 40, 8):  # big rows first, then whatever space is left
            with contextlib.suppress(StoreError):
                for i in range(10_000):
                    _filler(store, table, f"filler-{size}-{i}", "x" * size)


def _filler(store: Store, table: str, name: str, value: str) -> None:
    if table == "meta":
        store.set_meta(name, value)
        return
    with transaction(store._conn, store.path) as c:
        c.execute(
            "INSERT INTO messages (key_id, seq, kind, time, raw, received_at) "
            "VALUES (0, ?, 'filler', 0, ?, 0)",
            (abs(hash(name)) % 2**31 + 1, value.encode()),
        )
