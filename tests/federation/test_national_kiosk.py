"""Whole nodes: a national bulletin handed to the hub (as federation does) goes out over
the radio unchanged, and the point's kiosk names the national authority (issue 13)."""

from __future__ import annotations

import shutil
from pathlib import Path

from relay.daemon import ops
from relay.demo.inprocess import InProcessRegion, make_national_keys
from relay.engine.hub import HubEngine
from relay.web import views
from relay.wire import envelope, hubtime
from relay.wire.keys import load_private
from relay.wire.model import Bulletin, LocalizedText
from tests.daemon.conftest import wait_for


async def test_point_kiosk_names_the_national_authority(
    cluster: InProcessRegion, tmp_path: Path
) -> None:
    national_key = make_national_keys(tmp_path / "nat")
    for name in ("national-root.pub", "NCC.cert"):
        shutil.copy(tmp_path / "nat" / name, tmp_path / "keys")
    hub = await cluster.start("hub-utrecht", "hub")
    point = await cluster.start("np-001", "point", 1)
    await wait_for(lambda: not views.kiosk(point, "nl")["hub"]["stale"])
    ncc = load_private(national_key)
    text = (LocalizedText("nl", "Landelijk", "Blijf binnen, ramen dicht"),)
    msg = envelope.sign(ncc, 1, hubtime.from_unix(1_800_000_000), Bulletin(texts=text))
    assert isinstance(hub.engine, HubEngine)
    hub.apply(hub.engine.relay_national(msg.raw, hub.mono()))
    await wait_for(lambda: len(ops.inbox(point)) == 1)
    stored = point.store.bulletin(ncc.key_id, 1)
    assert stored is not None and stored.message.raw == msg.raw  # unchanged bytes
    card = views.kiosk(point, "nl")["bulletins"][0]
    assert card["sender"] == "NCC (nationaal)"
    assert card["trust"] == {"state": "ok", "authority": "NCC (nationaal)", "reason": ""}
    assert views.kiosk(point, "en")["bulletins"][0]["sender"] == "NCC (national)"
