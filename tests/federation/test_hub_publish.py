"""A hub publishes on a real mosquitto (issue 13): its bulletins' exact signed bytes, its
certificate (retained), and countersigned summaries of its points; a broker outage loses
nothing and duplicates nothing, because the outbox keeps every row until the PUBACK."""

from __future__ import annotations

import asyncio
import signal

from relay.daemon import ops
from relay.demo.inprocess import InProcessRegion
from relay.wire import envelope
from relay.wire.model import Bulletin, LocalizedText, StatusSummary
from relay.wire.trust import Keyring, Verifier
from tests.federation.broker import Broker
from tests.federation.listener import Listener
from tests.helpers import eventually


def text(body: str) -> Bulletin:
    return Bulletin(texts=(LocalizedText("nl", "", body),))


async def test_bulletins_certificate_and_summaries_reach_a_third_party(
    cluster: InProcessRegion, broker: Broker
) -> None:
    cluster.federations["hub-utrecht"] = broker.config(
        "utrecht", "hub-utrecht", summary_every_s=0.3
    )
    async with Listener(broker.config("national", "third"), "noodrelay/test/utrecht/#") as third:
        hub = await cluster.start("hub-utrecht", "hub")
        await cluster.start("np-001", "point", 1)
        sent = ops.issue(hub, text("Drinkwater bij sporthal De Vliert"))
        await eventually(lambda: third.on("/bulletin") and third.on("/cert"), what="bulletin")
        stored = hub.store.bulletin(hub.engine.issuer.key.key_id, sent["seq"])
        assert stored is not None and third.on("/bulletin") == [stored.message.raw]
        await eventually(lambda: third.on("/status"), what="a summary")
    # A third party that pins only the region root verifies all of it.
    ring = Keyring.load_dir(cluster.base / "keys")
    verifier = Verifier(ring)
    summary = verifier.verify(third.on("/status")[-1])
    assert summary.sender.name == "hub-utrecht"
    body = summary.message.envelope.body
    assert isinstance(body, StatusSummary) and body.region == "utrecht"
    assert [p.point_id for p in body.points] == [1]
    assert hub.store.federation.count() == 0  # every row acknowledged


async def test_broker_killed_and_restarted_nothing_lost_nothing_twice(
    cluster: InProcessRegion, broker: Broker
) -> None:
    cluster.federations["hub-utrecht"] = broker.config("utrecht", "hub-utrecht")
    async with Listener(broker.config("national", "third"), "noodrelay/test/+/bulletin") as third:
        hub = await cluster.start("hub-utrecht", "hub")
        ops.issue(hub, text("Voor de storing"))
        await eventually(lambda: len(third.on("/bulletin")) == 1, what="first bulletin")
        # The broker saves its sessions every second (autosave_interval 1): let it save
        # the third party's before the kill, or its subscription dies with the broker and
        # what the hub re-sends before it subscribes again is not kept for it. The hub's
        # outbox is what this test is about; a broker's own session loss is its config.
        await asyncio.sleep(1.5)
        broker.stop(signal.SIGKILL)
        for i in range(5):
            ops.issue(hub, text(f"Tijdens de storing {i}"))
        assert hub.store.federation.count() == 5  # kept until the broker acknowledges
        broker.start()
        await eventually(lambda: hub.store.federation.count() == 0, 60, "outbox drained")
        await eventually(lambda: len(third.by_number("/bulletin")) == 6, 60, "all six")
        fed = hub.federation
        assert fed is not None and fed.link.health.connects >= 2
    counts = third.by_number("/bulletin")
    assert len(counts) == 6
    # QoS 1 may deliver a copy twice; the receiver's key is (key id, number) and the
    # copies are the same bytes, so what is shown is each bulletin once.
    assert all(len(set(p for p in third.on("/bulletin") if envelope.parse(p).envelope.seq == s))
               == 1 for _, s in counts)  # fmt: skip
