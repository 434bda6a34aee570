"""Screens on whole nodes: the Cluster of tests/daemon (real keys, SQLite, loop:// radio)
with each node's HTTP application and the screens mounted on a real socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from relay.daemon.config import User
from relay.demo.inprocess import InProcessRegion
from relay.web.auth import hash_password
from tests.daemon.conftest import make_keys

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


class WebCluster(InProcessRegion):
    """Nodes that also serve their screens (``stale`` sets ``[screen] stale_after_s``)."""

    @property
    def runners(self) -> dict[str, web.AppRunner]:
        return self._runners

    async def start_served(self, name: str, role: str, point_id: int = 0) -> str:
        await self.start(name, role, point_id)
        return await self.serve(name)

    async def shut(self, name: str) -> None:
        """Stop a node and its server, as a daemon stops on SIGTERM."""
        await self.stop(name)


@pytest.fixture
async def web_cluster(tmp_path: Path) -> AsyncIterator[WebCluster]:
    make_keys(tmp_path / "keys", 3)
    c = WebCluster(tmp_path, users=USERS, token=TOKEN)
    yield c
    await c.close()


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
