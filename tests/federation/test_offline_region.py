"""A region offline for an hour of virtual time, then catching up (issue 13).

The hub's IP path to the broker is cut (a forwarder the test closes). For an hour of
virtual time the points report every 30 minutes and the hub issues bulletins; its
summaries and bulletins wait in the outbox. The national node (its clock virtual too)
shows the region's points as silent. When the path comes back the hub sends what waited:
every bulletin arrives, each point shows its newest report, nothing is lost or doubled.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from relay.demo.inprocess import make_keys, make_national_keys
from relay.federation.hub import HubFederation
from relay.store.store import Store
from relay.wire import hubtime
from relay.wire.issuer import Issuer
from relay.wire.keys import load_private
from relay.wire.model import Bulletin, LocalizedText, OpenState, StatusReport
from relay.wire.trust import Keyring
from tests.federation.broker import Broker
from tests.federation.national_world import National, start_national
from tests.federation.proxy import Path as IpPath
from tests.helpers import eventually

HOUR = 3600.0
START = 1_800_000_000.0  # virtual wall clock (unix seconds)


class VirtualClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def report(store: Store, keys: Path, point_id: int, seq: int, state: OpenState, at: float) -> None:
    """A point's verified report as the hub's node stores it (hub time = virtual time)."""
    key = load_private(keys / f"np-{point_id:03d}.key")
    store.add_status(
        b"frame",
        key_id=key.key_id,
        seq=seq,
        time=hubtime.from_unix(at),
        report=StatusReport(point_id, open=state),
        name=key.name,
        node=0x1000 + point_id,
        received_at=at,
    )


async def test_offline_region_catches_up(tmp_path: Path, broker: Broker) -> None:
    keys = tmp_path / "keys"
    make_keys(keys, "hub-utrecht", [f"np-{i:03d}" for i in range(1, 6)])
    make_national_keys(tmp_path / "nat")
    clock = VirtualClock()
    nat = start_national(tmp_path, broker, {"utrecht": keys / "root.pub"})
    nat.node.wall = clock
    path = IpPath(broker.port)
    await path.up()
    store = Store(tmp_path / "hub.db")
    issuer = Issuer.from_files(
        keys / "hub-utrecht.key", keys / "hub-utrecht.cert", lambda: hubtime.from_unix(clock())
    )
    config = dataclasses.replace(broker.config("utrecht", "hub-utrecht"), port=path.port)
    fed = HubFederation(config, store, issuer, Keyring.load_dir(keys), lambda raw: [], clock)
    stop = asyncio.Event()
    link = asyncio.create_task(fed.link.run(stop))
    try:
        for pid in range(1, 6):
            report(store, keys, pid, 10, OpenState.OPEN, clock())
        fed.summarize()
        await eventually(lambda: _counts(nat)["open"] == 5, 30, "region seen before the outage")

        await path.down()  # the region's IP path is gone
        sent = []
        for step in (1, 2):  # an hour: two status intervals of 30 minutes
            clock.now += HOUR / 2
            for pid in range(1, 6):
                state = OpenState.CLOSED if pid == 1 else OpenState.LIMITED
                report(store, keys, pid, 10 + step, state, clock())
            msg = issuer.issue(Bulletin(texts=(LocalizedText("nl", "", f"Uur {step}"),)))
            store.add_bulletin(msg, "hub-utrecht", True, clock(), federate=fed.bulletin_topic)
            sent.append(msg.envelope.seq)
            fed.summarize()
        clock.now += 60
        assert store.federation.count() == 4  # 2 bulletins + 2 summaries waiting
        assert _counts(nat)["silent"] == 5  # the national node sees the region go quiet

        await path.up()  # back: the hub catches up
        await eventually(lambda: store.federation.count() == 0, 60, "outbox drained")
        await eventually(lambda: _counts(nat)["limited"] == 4, 30, "newest reports")
        counts = _counts(nat)
        assert (counts["closed"], counts["silent"], counts["total"]) == (1, 0, 5)
        seen = sorted(b.message.envelope.seq for b in nat.node.data.bulletins())
        assert seen == sent
        drill = nat.node.region("utrecht")
        assert drill is not None
        assert all(p["open"] != "silent" for p in drill["points"])
        assert nat.node.refusals.by_reason == {}
    finally:
        stop.set()
        await link
        await path.down()
        store.close()
        await nat.close()


def _counts(nat: National) -> dict[str, int]:
    view = nat.node.overview()
    region = next(r for r in view["regions"] if r["region"] == "utrecht")
    return dict(region["points"])
