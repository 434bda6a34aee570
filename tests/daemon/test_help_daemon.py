"""Help requests through whole nodes: store, engine, radio, API; restarts and privacy."""

from __future__ import annotations

import random
import shutil
import sqlite3
import string
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

import relay.engine.help as engine_help
from relay.daemon import help_ops
from relay.daemon.api import make_app
from relay.daemon.node import Node
from relay.store.db import latest_version
from relay.store.store import Store
from relay.wire.help import HelpInputError
from relay.wire.model import HelpState
from tests.daemon.conftest import Cluster, wait_for

FIXTURES = Path(__file__).parent.parent / "data" / "store-v1"

REQUEST = {
    "type": "vulnerable_person",
    "urgency": "life_threatening",
    "people": 1,
    "location": "Dorpsstraat 12, bovenwoning",
    "text": "Mevrouw met zuurstofapparaat, accu nog 2 uur",
    "handler": "Jan de Vries",
}

#: Text that does not compress (the limit on characters alone would let it through).
NOISE = "".join(random.Random(7).choices(string.ascii_letters + string.digits, k=300))


def state_of(node: Node, rid: str) -> str:
    views = [v for v in help_ops.requests(node, personal=True) if v["id"] == rid]
    return str(views[0]["state"]) if views else ""


async def test_request_reaches_the_hub_and_every_step_comes_back(cluster: Cluster) -> None:
    hub = await cluster.start("hub-utrecht", "hub")
    p1 = await cluster.start("np-001", "point", 1)
    p2 = await cluster.start("np-002", "point", 2)
    sent = help_ops.send(p1, REQUEST)
    rid = sent["id"]
    assert sent["state"] in ("queued", "sent") and sent["size"] <= 231
    await wait_for(lambda: state_of(hub, rid) == "received")
    [at_hub] = help_ops.requests(hub, personal=True)
    assert at_hub["point"] == "np-001" and at_hub["type"] == "vulnerable_person"
    assert at_hub["location"] == REQUEST["location"] and at_hub["text"] == REQUEST["text"]
    assert at_hub["handler"] == "Jan de Vries" and at_hub["details_error"] == ""
    await wait_for(lambda: state_of(p1, rid) == "received")

    help_ops.update(hub, rid, "ack", operator="Meldkamer Petra")
    await wait_for(lambda: state_of(p1, rid) == "acknowledged")
    help_ops.update(hub, rid, "reply", "Ambulance onderweg, 20 min", "Meldkamer Petra")
    await wait_for(lambda: state_of(p1, rid) == "answered")
    [at_point] = help_ops.requests(p1, personal=True)
    assert at_point["reply"] == "Ambulance onderweg, 20 min"
    assert at_point["operator"] == "Meldkamer Petra"
    await wait_for(lambda: help_ops.requests(hub, personal=False)[0]["delivered"])
    help_ops.update(hub, rid, "close")
    await wait_for(lambda: state_of(p1, rid) == "closed")
    # The other point heard the frames but keeps nothing and can read nothing.
    assert p2.store.help.all() == []
    with pytest.raises(HelpInputError, match="closed"):
        help_ops.update(hub, rid, "ack")


async def test_bad_operator_input_is_refused_clearly(cluster: Cluster) -> None:
    hub = await cluster.start("hub-utrecht", "hub")
    p1 = await cluster.start("np-001", "point", 1)
    with pytest.raises(HelpInputError, match="not a help request id"):
        help_ops.update(hub, "junk", "ack")
    with pytest.raises(HelpInputError, match="no help request"):
        help_ops.update(hub, "0badf00d-3", "ack")
    with pytest.raises(HelpInputError, match="type: 'flood' is not one of"):
        help_ops.send(p1, {**REQUEST, "type": "flood"})
    with pytest.raises(HelpInputError, match="one radio frame holds"):
        help_ops.send(p1, {**REQUEST, "location": NOISE[:100], "text": NOISE[100:300]})
    with pytest.raises(HelpInputError, match="location or a description"):
        help_ops.send(p1, {"type": "fire"})
    assert p1.store.help.all() == []  # nothing half-sent


async def test_point_killed_before_sending_sends_after_restart_once(cluster: Cluster) -> None:
    hub = await cluster.start("hub-utrecht", "hub")
    p1 = await cluster.start("np-001", "point", 1)
    air = cluster.registry.channel("air")
    air.drop = lambda s, r, p: True  # the radio is unplugged
    rid = help_ops.send(p1, REQUEST)["id"]
    await cluster.kill("np-001")
    air.drop = lambda s, r, p: False
    p1 = await cluster.start("np-001", "point", 1)
    await wait_for(lambda: state_of(p1, rid) == "received")
    assert [v["id"] for v in help_ops.requests(hub, personal=False)] == [rid]
    assert len(p1.store.help.all()) == 1


async def test_hub_killed_after_an_ack_sends_it_after_restart(cluster: Cluster) -> None:
    hub = await cluster.start("hub-utrecht", "hub")
    p1 = await cluster.start("np-001", "point", 1)
    rid = help_ops.send(p1, REQUEST)["id"]
    await wait_for(lambda: state_of(p1, rid) == "received")
    air = cluster.registry.channel("air")
    air.drop = lambda s, r, p: True
    help_ops.update(hub, rid, "reply", "Brandweer komt", "Petra")
    await cluster.kill("hub-utrecht")
    air.drop = lambda s, r, p: False
    hub = await cluster.start("hub-utrecht", "hub")
    await wait_for(lambda: state_of(p1, rid) == "answered")
    await wait_for(lambda: help_ops.requests(hub, personal=False)[0]["delivered"])
    assert len(hub.store.help.all()) == 1
    assert help_ops.requests(p1, personal=True)[0]["reply"] == "Brandweer komt"


async def test_point_erases_personal_data_after_retention(cluster: Cluster) -> None:
    cluster.help_retention_s = 0.0
    hub = await cluster.start("hub-utrecht", "hub")
    p1 = await cluster.start("np-001", "point", 1)
    rid = help_ops.send(p1, REQUEST)["id"]
    await wait_for(lambda: state_of(hub, rid) == "received")
    assert p1.erase_help() == 0  # open requests are kept whatever the retention
    help_ops.update(hub, rid, "close", "Opgelost", "Petra")
    await wait_for(lambda: state_of(p1, rid) == "closed")
    assert p1.erase_help() == 1
    [view] = help_ops.requests(p1, personal=True)
    assert view["erased"] and view["state"] == "closed"
    assert view["location"] == view["text"] == view["handler"] == view["reply"] == ""
    raw = sqlite3.connect(p1.config.store).execute("SELECT * FROM help_requests").fetchall()
    assert "Dorpsstraat" not in repr(raw) and b"Dorpsstraat" not in repr(raw).encode()
    (row,) = p1.store.help.all()
    assert row.message is None and row.update is None  # no sealed bytes left either
    # The hub keeps its record for the control room's export.
    assert help_ops.requests(hub, personal=True)[0]["location"] == REQUEST["location"]


async def test_api_shows_personal_data_only_when_authorised(cluster: Cluster) -> None:
    hub = await cluster.start("hub-utrecht", "hub")
    p1 = await cluster.start("np-001", "point", 1)
    auth = {"Authorization": "Bearer t"}
    async with TestClient(TestServer(make_app(p1, "t"))) as point:
        denied = await point.post("/api/help", json=REQUEST)
        assert denied.status == 401
        ok = await point.post("/api/help", json=REQUEST, headers=auth)
        assert ok.status == 200, await ok.text()
        rid = (await ok.json())["id"]
        too_long = await point.post("/api/help", json={**REQUEST, "text": "x" * 300}, headers=auth)
        assert too_long.status == 400 and "at most 200" in (await too_long.json())["error"]
        public = await point.get("/api/help")  # a point says nothing without login
        assert public.status == 401 and "Dorpsstraat" not in await public.text()
        private = await (await point.get("/api/help", headers=auth)).json()
        assert private[0]["location"] == REQUEST["location"]
    await wait_for(lambda: state_of(hub, rid) == "received")
    async with TestClient(TestServer(make_app(hub, "h"))) as client:
        hub_auth = {"Authorization": "Bearer h"}
        assert (await client.post(f"/api/help/{rid}", json={"action": "ack"})).status == 401
        bad = await client.post(f"/api/help/{rid}", json={"action": "shrug"}, headers=hub_auth)
        assert bad.status == 400 and "unknown action" in (await bad.json())["error"]
        ack = await client.post(f"/api/help/{rid}", json={"action": "ack"}, headers=hub_auth)
        assert (await ack.json())["state"] == "acknowledged"
        assert (await client.get("/api/help/export?format=csv")).status == 401
        csv_text = await (await client.get("/api/help/export?format=csv", headers=hub_auth)).text()
        header, row = csv_text.splitlines()[:2]
        assert header.startswith("id,point_id,point,type") and rid in row
        assert "Dorpsstraat 12" in row
        rows = await (await client.get("/api/help/export?format=json", headers=hub_auth)).json()
        assert rows[0]["state"] == "acknowledged" and rows[0]["created"].endswith("+00:00")
        on_point = await client.post("/api/help", json=REQUEST, headers=hub_auth)
        assert on_point.status == 404  # asking for help is for support points


@pytest.mark.parametrize("name", ["hub-v1.db", "point-v1.db"])
def test_version_1_store_migrates_with_data_intact(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    shutil.copy(FIXTURES / name, path)
    before = sqlite3.connect(path)
    assert before.execute("PRAGMA user_version").fetchone()[0] == 1
    counts = {
        t: before.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("messages", "bulletins", "points", "status_history", "own_status", "meta")
    }
    before.close()
    store = Store(path)
    try:
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version() >= 2
        for table, n in counts.items():
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == n
        conn.close()
        texts = [b.message.envelope.body.texts[0].body for b in store.bulletins()]  # type: ignore[union-attr]
        assert texts[0] == "Drinkwater bij sporthal De Vliert" and len(texts) == 3
        if name == "hub-v1.db":
            [point] = store.points()
            # A format-1 receipt ("all up to N but ...") could claim too much: migration 0003
            # drops it, and the point's next report brings a true one.
            assert point.status.visitors == 42 and point.receipt is None
        else:
            own = store.own_status(17)
            assert own is not None and own.text == "Vol"
            assert store.bulletin(store.bulletins()[0].message.envelope.key_id, 1).displayed_at  # type: ignore[union-attr]
        assert store.help.all() == []
    finally:
        store.close()


async def test_unreadable_sealed_part_still_reaches_the_operator(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request whose personal part does not open (damaged on the way, or a bug) is
    shown with its public fields and the reason: the operator can still act on type,
    urgency and point. The damage is injected where the point seals (signed after it,
    so only the sealed part is bad)."""
    hub = await cluster.start("hub-utrecht", "hub")
    p1 = await cluster.start("np-001", "point", 1)
    monkeypatch.setattr(engine_help, "seal_details", lambda *a: bytes(40))
    rid = help_ops.send(p1, REQUEST)["id"]
    await wait_for(lambda: state_of(hub, rid) == "received")
    [view] = help_ops.requests(hub, personal=True)
    assert view["location"] == "" and "does not open" in view["details_error"]
    assert view["type"] == "vulnerable_person" and view["urgency"] == "life_threatening"
    assert view["point"] == "np-001"
    await wait_for(lambda: state_of(p1, rid) == HelpState.RECEIVED.name.lower())
