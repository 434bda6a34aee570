"""A region of whole nodes in one process, over the in-process ``loop://`` radio.

Real keys and certificates, real SQLite files, the real engine and HTTP API (and the
screens, when served); only the radio is the instant loopback channel. Tests use it for
daemon and screen behaviour, the screen tools for screenshots and page measurements.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from relay.daemon.api import make_app
from relay.daemon.build import build_engine
from relay.daemon.config import DaemonConfig, User
from relay.daemon.main import attach_federation
from relay.daemon.node import Node
from relay.engine.config import EngineConfig
from relay.federation.config import FederationConfig
from relay.radio.loopback import LoopbackRegistry, LoopbackTransport
from relay.store.store import Store
from relay.wire import envelope, hubtime
from relay.wire.keys import PrivateKey, save_keypair
from relay.wire.model import Certificate, Role

YEAR = 365 * 86_400

#: Engine timings for a region that should settle in seconds, not hours.
FAST = EngineConfig(
    preset="SHORT_FAST",  # short airtime, so the engine's pacing suits a fast run
    broadcast_gap_s=0.05,
    dm_gap_s=0.05,
    heartbeat_interval_s=1.0,
    heartbeat_after_bulletin_s=0.3,
    repair_cooldown_s=0.5,
    urgent_repeat_after_s=0.5,
    status_interval_s=4.0,
    status_settle_s=0.3,
    urgent_receipt_spread_s=0.5,
    repair_delay_s=(0.1, 0.3),
    repair_backoff_s=(0.5, 2.0),
    dm_retry_s=(0.3, 1.0),
    help_retry_s=(1.0, 4.0),
    help_failed_retry_s=(0.2, 0.5),
    help_ack_delay_s=0.1,
    help_update_retry_s=(1.0, 4.0),
    help_answer_gap_s=0.3,
)


def make_keys(
    directory: Path, hub: str, points: list[str], labels: dict[str, str] | None = None
) -> None:
    """Root, hub and point keys with certificates in ``directory`` (also the keyring).

    Point ``points[i]`` gets point number i + 1; ``labels`` gives certificate names
    (what the screens show) other than the file names.
    """
    labels = labels or {}
    root = PrivateKey.generate("root", Role.ROOT)
    save_keypair(root, directory)
    now = hubtime.from_unix(time.time())
    keys = [PrivateKey.generate(hub, Role.HUB)]
    keys += [PrivateKey.generate(name, Role.POINT) for name in points]
    for i, key in enumerate(keys):
        save_keypair(key, directory)
        name = labels.get(key.name, key.name)
        cert = Certificate(key.public.raw, key.role, name, now - 86_400, now + YEAR, i)
        (directory / f"{key.name}.cert").write_bytes(envelope.sign(root, i + 1, now, cert).raw)


def make_national_keys(directory: Path, name: str = "NCC") -> Path:
    """The national root and one national key with its certificate, in ``directory``.

    Copy ``national-root.pub`` (and ``NAME.cert``) into every region's keyring: hubs and
    points then verify the national key's bulletins. Returns the national key's path.
    """
    root = PrivateKey.generate("national-root", Role.NATIONAL_ROOT)
    national = PrivateKey.generate(name, Role.NATIONAL)
    save_keypair(root, directory)
    save_keypair(national, directory)
    now = hubtime.from_unix(time.time())
    cert = Certificate(national.public.raw, Role.NATIONAL, name, now - 86_400, now + YEAR)
    (directory / f"{name}.cert").write_bytes(envelope.sign(root, 1, now, cert).raw)
    return directory / f"{name}.key"


async def _both(a: Coroutine[Any, Any, None], b: Coroutine[Any, Any, None]) -> None:
    await asyncio.gather(a, b)


@dataclass
class InProcessRegion:
    """Nodes started and stopped by name; ``serve`` adds a node's HTTP server."""

    base: Path
    engine: EngineConfig = FAST
    users: tuple[User, ...] = ()
    help_retention_s: float = 7 * 86400.0
    token: str = "region-token"  # noqa: S105 - a test region's control token
    #: The hub's region file (coordinates for the dashboard's map), if any.
    region_file: Path | None = None
    registry: LoopbackRegistry = field(default_factory=LoopbackRegistry)
    nodes: dict[str, Node] = field(default_factory=dict)
    stale: dict[str, float] = field(default_factory=dict)
    #: Hubs that federate over MQTT: name -> their ``[federation]``.
    federations: dict[str, FederationConfig] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    _tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _stops: dict[str, asyncio.Event] = field(default_factory=dict)
    _runners: dict[str, web.AppRunner] = field(default_factory=dict)

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
            engine=self.engine,
            point_id=point_id,
            stale_after_s=self.stale.get(name, 1800.0),
            users=self.users,
            help_retention_s=self.help_retention_s,
            region_file=self.region_file if role == "hub" else None,
            federation=self.federations.get(name),
        )

    async def start(self, name: str, role: str, point_id: int = 0) -> Node:
        config = self.config(name, role, point_id)
        store = Store(config.store)
        rng = random.Random(point_id)  # noqa: S311 - reproducible jitter in a test region
        engine = build_engine(config, store, time.monotonic(), rng)
        transport = LoopbackTransport(self.registry.channel("air"), 0x1000 + point_id)
        node = Node(config, store, transport, engine)
        stop = asyncio.Event()
        self.nodes[name], self._stops[name] = node, stop
        federation = attach_federation(config, node)
        if federation is None:
            self._tasks[name] = asyncio.create_task(node.run(stop))
        else:
            self._tasks[name] = asyncio.create_task(_both(node.run(stop), federation.run(stop)))
        await asyncio.sleep(0.05)
        return node

    async def serve(self, name: str) -> str:
        """Serve ``name``'s API and screens (on the port it had before, after a restart)."""
        from relay.web import add_screens

        node = self.nodes[name]
        app = make_app(node, self.token)
        add_screens(app, node)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", self.ports.get(name, 0))
        await site.start()
        self.ports[name] = runner.addresses[0][1]
        self._runners[name] = runner
        return self.url(name)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    async def stop(self, name: str) -> None:
        """Stop a node (and its server), as the daemon stops on SIGTERM."""
        self._stops[name].set()
        await self._tasks.pop(name)
        runner = self._runners.pop(name, None)
        if runner is not None:
            await runner.cleanup()
        self.nodes.pop(name).store.close()

    async def kill(self, name: str) -> None:
        """Stop without the clean shutdown path (what is on disk is all that survives)."""
        self._tasks.pop(name).cancel()
        runner = self._runners.pop(name, None)
        if runner is not None:
            await runner.cleanup()
        node = self.nodes.pop(name)
        await node.transport.close()
        node.store.close()

    async def close(self) -> None:
        for name in list(self._tasks):
            await self.stop(name)
