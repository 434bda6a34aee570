"""Two regions' keys, a national authority, and a national node run in-process against a
real broker: the pieces the federation tests put together."""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from relay.demo.inprocess import InProcessRegion, make_keys, make_national_keys
from relay.federation.national import NationalNode
from relay.store.store import Store
from relay.wire import hubtime
from relay.wire.issuer import Issuer
from relay.wire.keys import PrivateKey, load_private
from relay.wire.trust import Keyring
from tests.federation.broker import Broker


def national_keys(base: Path) -> Path:
    """NCC keys in base/nat; the region's keyring (base/keys) pins the national root and
    holds the NCC certificate, as provisioning would put them there."""
    key = make_national_keys(base / "nat")
    for name in ("national-root.pub", "NCC.cert"):
        shutil.copy(base / "nat" / name, base / "keys")
    return key


def second_region(base: Path) -> Path:
    make_keys(base / "keys2", "hub-gelderland", ["gl-001"])
    return base / "keys2"


@dataclass
class National:
    """The national node, in-process, and how to stop it."""

    node: NationalNode
    store: Store
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    async def close(self) -> None:
        self.stop.set()
        if self.task is not None:
            await self.task
        self.store.close()


def start_national(base: Path, broker: Broker, regions: dict[str, Path]) -> National:
    ring = base / "national-ring"
    ring.mkdir(exist_ok=True)
    shutil.copy(base / "nat" / "national-root.pub", ring)
    for name, pub in regions.items():
        shutil.copy(pub, ring / f"{name}-root.pub")
    config = broker.config("national", "national-node", regions=regions)
    store = Store(base / "national.db")
    issuer = Issuer.from_files(
        base / "nat" / "NCC.key", base / "nat" / "NCC.cert", lambda: hubtime.from_unix(time.time())
    )
    node = NationalNode(config, store, Keyring.load_dir(ring), issuer)
    national = National(node, store)
    national.task = asyncio.create_task(node.run(national.stop))
    return national


def ncc(base: Path) -> PrivateKey:
    return load_private(base / "nat" / "NCC.key")


def federate(cluster: InProcessRegion, broker: Broker, hub: str, region: str) -> None:
    cluster.federations[hub] = broker.config(region, hub, summary_every_s=0.3)
