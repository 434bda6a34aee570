"""``make demo-national``: three region hubs and a national node on a broker of their own.

Each region is a hub with two support points in one process over the ``loop://`` radio
(:class:`InProcessRegion`: real keys, SQLite, engine and federation; only the radio is
the instant loopback). The national node runs in this process too, with the same API
and dashboard ``relay run`` serves for ``role = "national"``. The hubs reach it only
through the demo's mosquitto, as they would across the country. The script signs one
national bulletin and prints its reach per region as the receipts come back.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from relay.daemon import ops
from relay.daemon.config import DaemonConfig, User
from relay.daemon.national_api import make_national_app
from relay.demo.broker import DemoBroker
from relay.demo.inprocess import FAST, InProcessRegion, make_keys, make_national_keys
from relay.demo.region import DEMO_PASSWORD, DEMO_USER
from relay.federation.config import NATIONAL, FederationConfig
from relay.federation.national import NationalNode
from relay.store.store import Store
from relay.web.auth import hash_password
from relay.wire import hubtime
from relay.wire import model as m
from relay.wire.issuer import Issuer
from relay.wire.trust import Keyring

Say = Callable[[str], None]
PREFIX = "noodrelay/demo"
#: Region name -> its points' statuses (names match the dashboard's map of safety regions).
REGIONS: dict[str, tuple[m.StatusReport, ...]] = {
    "utrecht": (
        m.StatusReport(1, open=m.OpenState.OPEN, needs=m.Need.DRINKING_WATER, visitors=40),
        m.StatusReport(2, open=m.OpenState.LIMITED, needs=m.Need.FOOD | m.Need.HEATING),
    ),
    "flevoland": (
        m.StatusReport(1, open=m.OpenState.OPEN, visitors=12),
        m.StatusReport(2, open=m.OpenState.CLOSED, text="Geen stroom"),
    ),
    "gelderland-midden": (
        m.StatusReport(1, open=m.OpenState.OPEN, needs=m.Need.FUEL),
        m.StatusReport(2, open=m.OpenState.OPEN, needs=m.Need.FUEL | m.Need.FIRST_AID),
    ),
}
REACH_TIMEOUT_S = 120.0


@dataclass
class NationalDemo:
    directory: Path
    say: Say
    listen_port: int = 0
    broker: DemoBroker | None = None
    regions: dict[str, InProcessRegion] = field(default_factory=dict)
    national: NationalNode | None = None
    url: str = ""
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    _runner: web.AppRunner | None = None
    _store: Store | None = None

    async def start(self) -> None:
        self.broker = DemoBroker(self.directory / "broker")  # no mosquitto: stop here
        if self.directory.exists():
            shutil.rmtree(self.directory)
        await self.broker.start()
        self.say(f"broker: mosquitto at {self.broker.url} (config in {self.broker.directory})")
        make_national_keys(self.directory / "nat")
        for name, statuses in REGIONS.items():
            await self._start_region(name, statuses)
        await self._start_national()

    async def _start_region(self, name: str, statuses: tuple[m.StatusReport, ...]) -> None:
        assert self.broker is not None
        base = self.directory / name
        keys = base / "keys"
        hub = f"hub-{name}"
        points = [f"{name[:3]}-{i:03d}" for i in range(1, len(statuses) + 1)]
        make_keys(keys, hub, points)
        for pinned in ("national-root.pub", "NCC.cert"):
            shutil.copy(self.directory / "nat" / pinned, keys)
        region = InProcessRegion(base)
        region.federations[hub] = self._federation(name, hub, summary_every_s=2.0)
        self.regions[name] = region
        await region.start(hub, "hub")
        for i, (point, status) in enumerate(zip(points, statuses, strict=True), start=1):
            node = await region.start(point, "point", i)
            ops.set_status(node, status)
        self.say(f"region {name}: {hub} and points {', '.join(points)} (loop:// radio)")

    def _federation(self, region: str, client: str, **kw: Any) -> FederationConfig:
        assert self.broker is not None
        return FederationConfig(
            host="127.0.0.1",
            port=self.broker.port,
            tls=False,
            client_id=client,
            topic_prefix=PREFIX,
            region=region,
            **kw,
        )

    async def _start_national(self) -> None:
        ring = self.directory / "national-ring"
        ring.mkdir()
        shutil.copy(self.directory / "nat" / "national-root.pub", ring)
        roots = {}
        for name in REGIONS:
            roots[name] = ring / f"{name}-root.pub"
            shutil.copy(self.directory / name / "keys" / "root.pub", roots[name])
        self._store = Store(self.directory / "national.db")
        nat = self.directory / "nat"
        issuer = Issuer.from_files(
            nat / "NCC.key", nat / "NCC.cert", lambda: hubtime.from_unix(time.time())
        )
        config = self._federation(NATIONAL, "ncc", regions=roots)
        self.national = NationalNode(config, self._store, Keyring.load_dir(ring), issuer)
        self._task = asyncio.create_task(self.national.run(self._stop))
        daemon = DaemonConfig(
            role="national", name="ncc", radio_url="", key=nat / "NCC.key",
            cert=nat / "NCC.cert", keyring=ring, store=self.directory / "national.db",
            listen_host="127.0.0.1", listen_port=self.listen_port,
            token_file=self.directory / "national.token", engine=FAST,
            users=(User(DEMO_USER, hash_password(DEMO_PASSWORD)),),
        )  # fmt: skip
        app = make_national_app(daemon, self.national, "national-demo-token")
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.listen_port).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/"
        self.say(f"national dashboard: {self.url}  (login {DEMO_USER} / {DEMO_PASSWORD})")

    # --- what the demo shows ----------------------------------------------------------

    def regions_heard(self) -> list[str]:
        assert self.national is not None
        return [r["region"] for r in self.national.overview()["regions"] if r["hub"]]

    async def wait_for_regions(self, timeout: float = REACH_TIMEOUT_S) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(self.regions_heard()) < len(REGIONS) and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        return self.regions_heard()

    async def national_bulletin(self) -> m.SignedMessage:
        assert self.national is not None
        bulletin = m.Bulletin(
            texts=(
                m.LocalizedText("nl", "Landelijk: stroomstoring duurt voort", "Blijf binnen."),
                m.LocalizedText("en", "National: the blackout continues", "Stay indoors."),
            ),
            urgency=m.Urgency.EXPECTED,
            severity=m.Severity.SEVERE,
            certainty=m.Certainty.LIKELY,
        )
        msg = self.national.compose(bulletin)
        self.say(f"national bulletin #{msg.envelope.seq} signed by NCC and sent to the broker")
        return msg

    async def report_reach(self, timeout: float = REACH_TIMEOUT_S) -> dict[str, dict[str, int]]:
        """Print the newest national bulletin's reach per region as it changes."""
        assert self.national is not None
        last: dict[str, dict[str, int]] = {}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            bulletins = self.national.overview()["national_bulletins"]
            reach = bulletins[-1]["reach"] if bulletins else {}
            if reach != last:
                line = ", ".join(f"{r} {v['held']}/{v['points']}" for r, v in reach.items())
                self.say(f"reach: {line}")
                last = reach
            if reach and all(v["held"] == v["points"] for v in reach.values()):
                break
            await asyncio.sleep(0.5)
        return last

    async def close(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
        if self._runner is not None:
            await self._runner.cleanup()
        if self._store is not None:
            self._store.close()
        for region in self.regions.values():
            await region.close()
        if self.broker is not None:
            await self.broker.stop()


async def run_national_demo(directory: Path, port: int, say: Say, stop: asyncio.Event) -> None:
    demo = NationalDemo(directory, say, port)
    try:
        await demo.start()
        heard = await demo.wait_for_regions()
        say(f"national node hears {len(heard)} regions: {', '.join(heard)}")
        await demo.national_bulletin()
        await demo.report_reach()
        say("running; Ctrl-C stops the regions, the national node and the broker")
        await stop.wait()
    finally:
        await demo.close()
