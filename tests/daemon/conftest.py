"""Whole nodes in one process: real keys, real SQLite files, the loopback radio."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from relay.daemon.build import build_engine
from relay.daemon.config import DaemonConfig
from relay.daemon.node import Node
from relay.engine.config import EngineConfig
from relay.radio.loopback import LoopbackRegistry, LoopbackTransport
from relay.store.store import Store
from relay.wire import envelope, hubtime
from relay.wire.keys import PrivateKey, save_keypair
from relay.wire.model import Certificate, Role

FAST = EngineConfig(
    preset="SHORT_FAST",  # short airtime, so the engine's pacing suits a fast test
    broadcast_gap_s=0.05,
    dm_gap_s=0.05,
    heartbeat_interval_s=1.0,
    heartbeat_after_bulletin_s=0.3,
    repair_cooldown_s=0.5,
    urgent_repeat_after_s=0.5,
    status_batch_s=0.2,
    status_interval_s=2.0,
    receipt_min_gap_s=0.3,
    receipt_delay_s=(0.05, 0.2),
    first_report_delay_s=(0.05, 0.2),
    repair_delay_s=(0.1, 0.3),
    repair_backoff_s=(0.5, 2.0),
    dm_retry_s=(0.3, 1.0),
)


def make_keys(directory: Path, n_points: int) -> None:
    """A region in ``directory``: root, hub and points, with certificates (the keyring)."""
    root = PrivateKey.generate("root", Role.ROOT)
    save_keypair(root, directory)
    now = hubtime.from_unix(time.time())
    keys = [PrivateKey.generate("hub-utrecht", Role.HUB)] + [
        PrivateKey.generate(f"np-{i:03d}", Role.POINT) for i in range(1, n_points + 1)
    ]
    for i, key in enumerate(keys):
        save_keypair(key, directory)
        seq = i + 1
        cert = Certificate(key.public.raw, key.role, key.name, now - 86400, now + 86400 * 365, i)
        (directory / f"{key.name}.cert").write_bytes(envelope.sign(root, seq, now, cert).raw)


@dataclass
class Cluster:
    base: Path
    registry: LoopbackRegistry = field(default_factory=LoopbackRegistry)
    nodes: dict[str, Node] = field(default_factory=dict)
    tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    stops: dict[str, asyncio.Event] = field(default_factory=dict)

    def config(self, name: str, role: str, point_id: int = 0) -> DaemonConfig:
        keys = self.base / "keys"
        return DaemonConfig(
            role=role,
            name=name,
            radio_url=f"loop://air/{name}",
            key=keys / f"{name}.key",
            cert=keys / f"{name}.cert",
            keyring=keys,
            store=self.base / f"{name}.db",
            listen_host="127.0.0.1",
            listen_port=0,
            token_file=self.base / f"{name}.token",
            engine=FAST,
            point_id=point_id,
        )

    async def start(self, name: str, role: str, point_id: int = 0, node_num: int = 0) -> Node:
        config = self.config(name, role, point_id)
        store = Store(config.store)
        engine = build_engine(config, store, time.monotonic(), random.Random(point_id))
        transport = LoopbackTransport(self.registry.channel("air"), node_num or 0x1000 + point_id)
        node = Node(config, store, transport, engine)
        stop = asyncio.Event()
        self.nodes[name], self.stops[name] = node, stop
        self.tasks[name] = asyncio.create_task(node.run(stop))
        await asyncio.sleep(0.05)
        return node

    async def stop(self, name: str) -> None:
        self.stops[name].set()
        await self.tasks.pop(name)
        self.nodes.pop(name).store.close()

    async def kill(self, name: str) -> None:
        """Stop without the clean shutdown path (what is on disk is all that survives)."""
        self.tasks.pop(name).cancel()
        node = self.nodes.pop(name)
        await node.transport.close()
        node.store.close()


async def wait_for(predicate: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    make_keys(tmp_path / "keys", 3)
    c = Cluster(tmp_path)
    yield c
    for name in list(c.tasks):
        await c.stop(name)
