"""Hub -> broker -> national node and back, on a real mosquitto (issue 13): the national
view of a region, a national bulletin relayed by the hub to its points, and every kind
of refusal counted with its reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiomqtt

from relay.daemon import ops
from relay.demo.inprocess import InProcessRegion
from relay.wire import envelope, hubtime
from relay.wire.model import Bulletin, LocalizedText, Need, OpenState, StatusReport
from tests.federation.broker import Broker
from tests.federation.national_world import (
    federate,
    national_keys,
    ncc,
    second_region,
    start_national,
)
from tests.helpers import eventually

PREFIX = "noodrelay/test"


def text(body: str) -> Bulletin:
    return Bulletin(texts=(LocalizedText("nl", "", body),))


def region_view(view: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in view["regions"] if r["region"] == name)


async def publish(broker: Broker, topic: str, payload: bytes) -> None:
    async with aiomqtt.Client("127.0.0.1", broker.port, identifier="intruder") as c:
        await c.publish(topic, payload, qos=1)


async def test_region_status_and_reach_reach_the_national_node(
    cluster: InProcessRegion, broker: Broker, tmp_path: Path
) -> None:
    national_keys(tmp_path)
    nat = start_national(tmp_path, broker, {"utrecht": tmp_path / "keys" / "root.pub"})
    try:
        federate(cluster, broker, "hub-utrecht", "utrecht")
        hub = await cluster.start("hub-utrecht", "hub")
        point = await cluster.start("np-001", "point", 1)
        ops.set_status(
            point, StatusReport(1, open=OpenState.LIMITED, needs=Need.DRINKING_WATER | Need.FOOD)
        )
        sent = ops.issue(hub, text("Drinkwater bij sporthal De Vliert"))

        def reached() -> bool:
            view = region_view(nat.node.overview(), "utrecht")
            return view["points"]["limited"] == 1 and any(
                b["seq"] == sent["seq"] and b["held"] == 1 for b in view["bulletins"]
            )

        await eventually(reached, 60, "status and receipt at the national node")
        view = region_view(nat.node.overview(), "utrecht")
        assert view["hub"] == "hub-utrecht"
        assert {n["need"] for n in view["top_needs"]} == {"drinking_water", "food"}
        drill = nat.node.region("utrecht")
        assert drill is not None and drill["points"][0]["name"] == "np-001"
        assert nat.node.refusals.by_reason == {}
    finally:
        await nat.close()


async def test_national_bulletin_is_relayed_to_the_points(
    cluster: InProcessRegion, broker: Broker, tmp_path: Path
) -> None:
    national_keys(tmp_path)
    nat = start_national(tmp_path, broker, {"utrecht": tmp_path / "keys" / "root.pub"})
    try:
        federate(cluster, broker, "hub-utrecht", "utrecht")
        await cluster.start("hub-utrecht", "hub")
        point = await cluster.start("np-001", "point", 1)
        msg = nat.node.compose(text("Landelijk: blijf binnen, ramen dicht"))
        await eventually(lambda: point.store.bulletin(msg.envelope.key_id, msg.envelope.seq), 60)
        stored = point.store.bulletin(msg.envelope.key_id, msg.envelope.seq)
        assert stored is not None and stored.message.raw == msg.raw  # unchanged end to end

        def relayed() -> bool:
            bulletins = nat.node.overview()["national_bulletins"]
            return bool(bulletins) and bulletins[0]["regions_relayed"] == ["utrecht"]

        await eventually(relayed, 60, "the hub's summary names the relayed bulletin")

        def reached_point() -> bool:
            reach = nat.node.overview()["national_bulletins"][0]["reach"]
            return bool(reach.get("utrecht") == {"held": 1, "points": 1})

        await eventually(reached_point, 60, "the point's receipt names it (reach per point)")
    finally:
        await nat.close()


async def test_forged_replayed_and_misplaced_messages_are_refused_with_reasons(
    cluster: InProcessRegion, broker: Broker, tmp_path: Path
) -> None:
    national_keys(tmp_path)
    keys2 = second_region(tmp_path)
    regions = {"utrecht": tmp_path / "keys" / "root.pub", "gelderland": keys2 / "root.pub"}
    nat = start_national(tmp_path, broker, regions)
    try:
        federate(cluster, broker, "hub-utrecht", "utrecht")
        hub = await cluster.start("hub-utrecht", "hub")
        fed = hub.federation
        assert fed is not None
        await eventually(lambda: fed.link.health.connects and nat.node.link.health.connects)
        ops.issue(hub, text("Regionaal bericht"))
        await eventually(lambda: nat.node.overview()["regions"][1]["bulletins"], 60)
        hub_raw = nat.node.data.bulletins()[0].message.raw
        key = ncc(tmp_path)
        now = hubtime.from_unix(1_800_000_000)
        genuine = envelope.sign(key, 50, now, text("Landelijk, echt"))
        forged = genuine.raw[:-1] + bytes([genuine.raw[-1] ^ 1])
        other_bytes = envelope.sign(key, 50, now, text("Landelijk, vervalst"))

        await publish(broker, f"{PREFIX}/national/bulletin", forged)
        await publish(broker, f"{PREFIX}/national/bulletin", genuine.raw)
        await publish(broker, f"{PREFIX}/national/bulletin", genuine.raw)  # a duplicate
        await publish(broker, f"{PREFIX}/national/bulletin", other_bytes.raw)  # replayed number
        await publish(broker, f"{PREFIX}/national/bulletin", hub_raw)  # a hub is not national
        await publish(broker, f"{PREFIX}/gelderland/bulletin", hub_raw)  # another region's
        await publish(broker, f"{PREFIX}/utrecht/status", hub_raw)  # wrong kind for topic
        await publish(broker, f"{PREFIX}/utrecht/junk", hub_raw)  # no such channel

        hub_expected = {"bad_signature": 1, "replay": 1, "not_national": 1}
        nat_expected = {
            "bad_signature": 1,
            "replay": 1,
            "not_national": 1,
            "wrong_region": 1,
            "wrong_topic": 2,
        }
        await eventually(lambda: dict(fed.refusals.by_reason) == hub_expected, 60, "hub")
        await eventually(
            lambda: dict(nat.node.refusals.by_reason) == nat_expected,
            60,
            f"nat {nat.node.refusals.view()}",
        )
        assert fed.refusals.duplicates >= 1 and nat.node.refusals.duplicates >= 1
        relayed = ops.hub_engine(hub).catalogue.get((key.key_id, 50))
        assert relayed is not None and relayed.message.raw == genuine.raw
        assert hub.state()["federation"]["refused"] == hub_expected  # visible in /api/state
    finally:
        await nat.close()
