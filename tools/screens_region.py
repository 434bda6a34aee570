"""A small region in one process for the screen tools: a hub and support points on the
in-process ``loop://`` radio, real keys and SQLite files, each node's HTTP server with
the screens mounted, and a realistic set of bulletins and statuses.

Used by ``tools/screenshots.py`` and ``tools/bench_screens.py``.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from relay.daemon import ops
from relay.daemon.api import make_app
from relay.daemon.build import build_engine
from relay.daemon.config import DaemonConfig, User
from relay.daemon.node import Node
from relay.engine.config import EngineConfig
from relay.radio.loopback import LoopbackRegistry, LoopbackTransport
from relay.store.store import Store
from relay.web import add_screens
from relay.web.auth import hash_password
from relay.wire import envelope, hubtime
from relay.wire import model as m
from relay.wire.keys import PrivateKey, save_keypair

FAST = EngineConfig(
    preset="LONG_FAST",
    broadcast_gap_s=0.05,
    dm_gap_s=0.05,
    heartbeat_interval_s=15.0,  # a LONG_FAST heartbeat takes ~1 s of air: leave room
    heartbeat_after_bulletin_s=0.3,
    repair_cooldown_s=0.5,
    urgent_repeat_after_s=0.5,
    status_batch_s=0.2,
    status_interval_s=1.0,
    receipt_min_gap_s=0.3,
    first_report_delay_s=(0.05, 0.2),
    repair_delay_s=(0.1, 0.3),
    repair_backoff_s=(0.5, 2.0),
    dm_retry_s=(0.3, 1.0),
)
POINT_NAMES = [
    "Sporthal De Vliert",
    "Dorpshuis Schalkwijk",
    "Bibliotheek Houten",
    "Gemeentehuis Vianen",
    "Kerk Tull en 't Waal",
    "School De Regenboog",
]
PASSWORD = "demo-password"


def make_keys(directory: Path, names: list[str]) -> None:
    root = PrivateKey.generate("root", m.Role.ROOT)
    save_keypair(root, directory)
    now = hubtime.from_unix(time.time())
    keys = [PrivateKey.generate("hub-utrecht", m.Role.HUB)] + [
        PrivateKey.generate(f"np-{i:03d}", m.Role.POINT) for i in range(1, len(names) + 1)
    ]
    labels = ["Hub Veiligheidsregio Utrecht", *names]
    for i, (key, label) in enumerate(zip(keys, labels, strict=True)):
        save_keypair(key, directory)
        cert = m.Certificate(key.public.raw, key.role, label, now - 86400, now + 86400 * 365, i)
        (directory / f"{key.name}.cert").write_bytes(envelope.sign(root, i + 1, now, cert).raw)


@dataclass
class Region:
    base: Path
    registry: LoopbackRegistry = field(default_factory=LoopbackRegistry)
    nodes: dict[str, Node] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    _tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _stops: dict[str, asyncio.Event] = field(default_factory=dict)
    _runners: dict[str, web.AppRunner] = field(default_factory=dict)

    def config(self, name: str, role: str, point_id: int, stale_after_s: float) -> DaemonConfig:
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
            stale_after_s=stale_after_s,
            users=(User("staff", hash_password(PASSWORD)),),
        )

    async def start(self, name: str, role: str, point_id: int = 0, stale: float = 1800) -> Node:
        config = self.config(name, role, point_id, stale)
        store = Store(config.store)
        engine = build_engine(config, store, time.monotonic(), random.Random(point_id))
        transport = LoopbackTransport(self.registry.channel("air"), 0x1000 + point_id)
        node = Node(config, store, transport, engine)
        app = make_app(node, "demo-token")
        add_screens(app, node)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        self.urls[name] = f"http://{host}:{port}"
        stop = asyncio.Event()
        self.nodes[name], self._stops[name], self._runners[name] = node, stop, runner
        self._tasks[name] = asyncio.create_task(node.run(stop))
        await asyncio.sleep(0.05)
        return node

    async def stop(self, name: str) -> None:
        self._stops[name].set()
        await self._tasks.pop(name)
        await self._runners.pop(name).cleanup()
        self.nodes.pop(name).store.close()

    async def close(self) -> None:
        for name in list(self._tasks):
            await self.stop(name)


def _text(nl: tuple[str, str], en: tuple[str, str] | None = None, **kw: object) -> m.Bulletin:
    texts = [m.LocalizedText("nl", *nl)]
    if en:
        texts.append(m.LocalizedText("en", *en))
    return m.Bulletin(texts=tuple(texts), **kw)  # type: ignore[arg-type]


async def _until(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the demo region did not settle")
        await asyncio.sleep(0.05)


async def start_region(base: Path, n_points: int = 5) -> Region:
    """A hub and ``n_points`` points with bulletins, statuses, receipts; one point silent."""
    names = POINT_NAMES[:n_points]
    make_keys(base / "keys", names)
    region = Region(base)
    hub = await region.start("hub-utrecht", "hub", stale=3.0)
    for i in range(1, n_points + 1):
        await region.start(f"np-{i:03d}", "point", i)
    statuses = [
        (m.OpenState.OPEN, m.PowerSource.GENERATOR, 80, 112, m.Need.FUEL | m.Need.DRINKING_WATER),
        (m.OpenState.OPEN, m.PowerSource.BATTERY, 35, 40, m.Need.MEDICATION),
        (m.OpenState.LIMITED, m.PowerSource.GRID, None, 12, m.NO_NEEDS),
        (m.OpenState.OPEN, m.PowerSource.GENERATOR, 60, 230, m.Need.FOOD | m.Need.VOLUNTEERS),
        (m.OpenState.CLOSED, m.PowerSource.NONE, 5, 0, m.Need.COMMUNICATIONS),
        (m.OpenState.OPEN, m.PowerSource.BATTERY, 90, 18, m.Need.HEATING),
    ]
    for i, (open_, power, battery, visitors, needs) in enumerate(statuses[:n_points], start=1):
        report = m.StatusReport(i, open_, power, battery, visitors, needs)
        ops.set_status(region.nodes[f"np-{i:03d}"], report)
    water = _text(
        ("Drinkwater", "Drinkwater verkrijgbaar bij sporthal De Vliert, dagelijks 9-17 uur."),
        ("Drinking water", "Drinking water available at sports hall De Vliert, daily 9-17."),
        urgency=m.Urgency.EXPECTED,
        severity=m.Severity.MODERATE,
        expires_in_min=24 * 60,
    )
    boil = _text(
        ("Kookadvies Houten", "Kook kraanwater minstens 1 minuut voor gebruik."),
        ("Boil water advice Houten", "Boil tap water for at least 1 minute before use."),
        urgency=m.Urgency.EXPECTED,
        severity=m.Severity.SEVERE,
    )
    seq_water = ops.issue(hub, water)["seq"]
    seq_boil = ops.issue(hub, boil)["seq"]
    ops.issue(
        hub,
        _text(
            (
                "Evacuatie Vianen-Noord",
                "Verlaat de wijk Vianen-Noord via de A2. Neem medicijnen mee.",
            ),
            ("Evacuation Vianen-Noord", "Leave Vianen-Noord via the A2. Take your medication."),
            urgency=m.Urgency.IMMEDIATE,
            severity=m.Severity.EXTREME,
            expires_in_min=6 * 60,
        ),
    )
    ops.issue(
        hub,
        _text(
            ("Kookadvies Houten verlengd", "Het kookadvies geldt tot en met vrijdag."),
            ("Boil water advice extended", "The boil water advice applies until Friday."),
            type=m.MsgType.UPDATE,
            references=(seq_boil,),
            urgency=m.Urgency.EXPECTED,
            severity=m.Severity.SEVERE,
        ),
    )
    key = hub.engine.issuer.key.key_id
    points = [region.nodes[f"np-{i:03d}"] for i in range(1, n_points + 1)]
    # Settled: three active bulletins at every point, the update in place of the original.
    await _until(
        lambda: all(
            sorted(b["seq"] for b in ops.inbox(p)) == [seq_water, seq_boil + 1, seq_boil + 2]
            for p in points
        )
    )
    ops.mark_displayed(points[0], key, seq_water)
    if n_points > 1:
        ops.mark_displayed(points[1], key, seq_water + 2)
    await _until(lambda: any(b["displayed_at_points"] for b in ops.bulletins(hub)))
    if n_points > 2:
        await region.stop(f"np-{n_points:03d}")  # a point that goes silent
        await asyncio.sleep(3.5)
    return region
