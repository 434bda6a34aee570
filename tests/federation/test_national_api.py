"""The national node's HTTP API: views without credentials, compose only with the control
token or a staff session (login and CSRF token, as on a hub's screens)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from relay.daemon.config import DaemonConfig, User
from relay.daemon.national_api import make_national_app
from relay.demo.inprocess import FAST, make_keys
from relay.web.auth import hash_password
from tests.federation.broker import Broker
from tests.federation.national_world import National, national_keys, start_national

FORM = {
    "texts": [{"lang": "nl", "body": "Landelijk: blijf binnen"}],
    "urgency": "immediate",
    "severity": "severe",
    "certainty": "observed",
}


@pytest.fixture
async def api(tmp_path: Path, broker: Broker) -> AsyncIterator[tuple[str, National]]:
    make_keys(tmp_path / "keys", "hub-utrecht", [])
    national_keys(tmp_path)
    nat = start_national(tmp_path, broker, {"utrecht": tmp_path / "keys" / "root.pub"})
    config = DaemonConfig(
        role="national", name="ncc", radio_url="", key=tmp_path / "nat" / "NCC.key",
        cert=tmp_path / "nat" / "NCC.cert", keyring=tmp_path / "national-ring",
        store=tmp_path / "national.db", listen_host="127.0.0.1", listen_port=0,
        token_file=tmp_path / "t", engine=FAST,
        users=(User("ncc-operator", hash_password("geheim")),),
    )  # fmt: skip
    runner = web.AppRunner(make_national_app(config, nat.node, "tok"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", nat
    finally:
        await runner.cleanup()
        await nat.close()


async def test_views_and_compose_need_the_right_credentials(api: tuple[str, National]) -> None:
    url, _ = api
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/api/national") as r:
            assert r.status == 200 and [x["region"] for x in (await r.json())["regions"]] == [
                "utrecht"
            ]
        async with http.get(f"{url}/api/national/region/atlantis") as r:
            assert r.status == 404
        async with http.post(f"{url}/api/national/compose", json=FORM) as r:
            assert r.status == 401  # neither token nor session
        headers = {"Authorization": "Bearer tok"}
        async with http.post(f"{url}/api/national/compose", json=FORM, headers=headers) as r:
            assert r.status == 200, await r.text()
            assert (await r.json())["seq"] == 1
        async with http.post(f"{url}/api/national/compose", json={}, headers=headers) as r:
            assert r.status == 400 and (await r.json())["field"]


async def test_a_staff_session_may_compose(api: tuple[str, National]) -> None:
    url, nat = api
    # unsafe=True: keep cookies for an IP address (the API listens on 127.0.0.1).
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        login = {"user": "ncc-operator", "password": "geheim"}
        async with http.post(f"{url}/web/login", json=login) as r:
            assert r.status == 200
            csrf = (await r.json())["csrf"]
        async with http.post(f"{url}/api/national/compose", json=FORM) as r:
            assert r.status == 401  # a session without its CSRF token is not enough
        headers = {"X-CSRF-Token": csrf}
        async with http.post(f"{url}/api/national/compose", json=FORM, headers=headers) as r:
            assert r.status == 200, await r.text()
    assert len(nat.node.overview()["national_bulletins"]) == 1
    assert nat.store.federation.count() + nat.node.link.health.published >= 1
