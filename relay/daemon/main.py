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
from relay.daemon.national_api import make_national_app
from relay.daemon.node import Node
from relay.engine.hub import HubEngine
from relay.engine.outputs import Output
from relay.errors import FederationError, RadioError
from relay.federation.hub import HubFederation
from relay.federation.national import NationalNode
from relay.radio.loopback import LoopbackRegistry
from relay.radio.url import open_transport
from relay.store.store import Store
from relay.web import add_screens
from relay.wire import hubtime
from relay.wire.issuer import Issuer
from relay.wire.trust import Keyring

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
    if config.is_national:
        await serve_national(config, stop)
        return
    store = Store(config.store)
    try:
        # loop:// in a daemon is a radio alone on its own air (a hub that only federates,
        # in tests and demos); every other scheme ignores the registry.
        transport = open_transport(config.radio_url, loopback=LoopbackRegistry())
        engine = build_engine(config, store, time.monotonic(), random.SystemRandom())
        node = Node(config, store, transport, engine)
        app = make_app(node, ensure_token(config.token_file))
        add_screens(app, node)
        runner = await _listen(app, config, RadioError)
        log.info(
            "%s %s on %s, screens at http://%s:%d/",
            config.role,
            config.name,
            config.radio_url,
            config.listen_host,
            config.listen_port,
        )
        federation = attach_federation(config, node)
        try:
            if federation is None:
                await node.run(stop)
            else:
                await asyncio.gather(node.run(stop), federation.run(stop))
        finally:
            await runner.cleanup()
    finally:
        store.close()


async def serve_national(config: DaemonConfig, stop: asyncio.Event) -> None:
    """The national node: no radio; the broker, the store and the national API."""
    assert config.federation is not None  # the config requires it for this role
    store = Store(config.store)
    try:
        issuer = Issuer.from_files(config.key, config.cert, lambda: hubtime.from_unix(time.time()))
        keyring = Keyring.load_dir(config.keyring)
        national = NationalNode(config.federation, store, keyring, issuer)
        app = make_national_app(config, national, ensure_token(config.token_file))
        runner = await _listen(app, config, FederationError)
        log.info(
            "national %s: broker %s:%d, API at http://%s:%d/api/national",
            config.name,
            config.federation.host,
            config.federation.port,
            config.listen_host,
            config.listen_port,
        )
        try:
            await national.run(stop)
        finally:
            await runner.cleanup()
    finally:
        store.close()


async def _listen(
    app: web.Application, config: DaemonConfig, error: type[RadioError | FederationError]
) -> web.AppRunner:
    """Serve ``app`` on the configured address; a taken port is one clear line (``error``
    is the exception the role's start-up already reports with its exit code)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, config.listen_host, config.listen_port)
    try:
        await site.start()
    except OSError as err:
        await runner.cleanup()
        raise error(
            f"cannot listen on {config.listen_host}:{config.listen_port}: {err.strerror}"
        ) from err
    return runner


def attach_federation(config: DaemonConfig, node: Node) -> HubFederation | None:
    """A hub's federation over MQTT, if configured; it runs beside the node."""
    engine = node.engine
    if config.federation is None or not isinstance(engine, HubEngine):
        return None

    def relay(raw: bytes) -> list[Output]:
        outputs = engine.relay_national(raw, node.mono())
        node.apply(outputs)
        return outputs

    fed = HubFederation(
        config.federation, node.store, engine.issuer, engine.keyring, relay, node.wall
    )
    node.federation = fed
    return fed


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
