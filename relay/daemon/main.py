"""``relay run``: build every component from the config, serve, stop cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import sys
import time
from pathlib import Path

from aiohttp import web

from relay.daemon import heap
from relay.daemon.api import ensure_token, make_app
from relay.daemon.build import build_engine
from relay.daemon.config import DaemonConfig, load_config
from relay.daemon.node import Node
from relay.errors import RadioError
from relay.radio.url import open_transport
from relay.store.store import Store
from relay.web import add_screens

log = logging.getLogger(__name__)


def setup_logging() -> None:
    """Plain lines on stdout: journald adds the time stamps and keeps them."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = os.environ.get("RELAY_LOG", "info").upper()
    root.setLevel(getattr(logging, level, logging.INFO))


async def serve(config: DaemonConfig, stop: asyncio.Event) -> None:
    store = Store(config.store)
    try:
        transport = open_transport(config.radio_url)
        engine = build_engine(config, store, time.monotonic(), random.SystemRandom())
        node = Node(config, store, transport, engine)
        app = make_app(node, ensure_token(config.token_file))
        add_screens(app, node)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, config.listen_host, config.listen_port)
        try:
            await site.start()
        except OSError as err:
            raise RadioError(
                f"cannot listen on {config.listen_host}:{config.listen_port}: {err.strerror}"
            ) from err
        log.info(
            "%s %s on %s, screens at http://%s:%d/",
            config.role,
            config.name,
            config.radio_url,
            config.listen_host,
            config.listen_port,
        )
        try:
            await node.run(stop)
        finally:
            await runner.cleanup()
    finally:
        store.close()


def run_daemon(config_path: Path) -> None:
    setup_logging()
    config = load_config(config_path)
    heap.return_large_blocks()  # no lasting growth from scrypt's 16 MiB per login check

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(config, stop)

    asyncio.run(main())
    log.info("stopped")
