"""Screens on whole nodes: the Cluster of tests/daemon (real keys, SQLite, loop:// radio)
with each node's HTTP application and the screens mounted on a real socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from relay.daemon.api import make_app
from relay.daemon.config import DaemonConfig, User
from relay.web import add_screens
from relay.web.auth import hash_password
from tests.daemon.conftest import Cluster, make_keys

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOKEN = "control-token-for-tests"
PASSWORD = "correct horse battery"
#: One hash for every test (scrypt is slow on purpose).
USERS = (User("anna", hash_password(PASSWORD)),)


@dataclass
class WebCluster(Cluster):
    """Nodes that also serve their screens; ``stale`` sets ``[screen] stale_after_s``."""

    stale: dict[str, float] = field(default_factory=dict)
    runners: dict[str, web.AppRunner] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    def config(self, name: str, role: str, point_id: int = 0) -> DaemonConfig:
        config = super().config(name, role, point_id)
        return replace(config, users=USERS, stale_after_s=self.stale.get(name, 1800.0))

    async def serve(self, name: str) -> str:
        """Serve ``name``'s API and screens (on the port it had before, after a restart)."""
        node = self.nodes[name]
        app = make_app(node, TOKEN)
        add_screens(app, node)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", self.ports.get(name, 0))
        await site.start()
        self.ports[name] = runner.addresses[0][1]
        self.runners[name] = runner
        return self.url(name)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    async def start_served(self, name: str, role: str, point_id: int = 0) -> str:
        await self.start(name, role, point_id)
        return await self.serve(name)

    async def shut(self, name: str) -> None:
        """Stop a node and its server, as a daemon stops on SIGTERM."""
        await self.stop(name)
        await self.runners.pop(name).cleanup()


@pytest.fixture
async def web_cluster(tmp_path: Path) -> AsyncIterator[WebCluster]:
    make_keys(tmp_path / "keys", 3)
    c = WebCluster(tmp_path)
    yield c
    for name in list(c.tasks):
        await c.stop(name)
    for runner in c.runners.values():
        await runner.cleanup()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install -y chromium "
            "(.ci/run installs it)"
        )
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        await b.close()
