"""Issue 14 item 4: the login limiter under real concurrent requests on a real socket.

Attempts are booked before the scrypt work, so parallel guesses cannot slip past the
limit; password checks run at most MAX_CONCURRENT_CHECKS at a time; and a guesser on
one address cannot lock out the operator logging in correctly from another.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

from aiohttp import ClientSession, CookieJar, TCPConnector

from relay.web.app import SCREENS
from relay.web.sessions import MAX_CONCURRENT_CHECKS, MAX_FAILURES
from tests.web.conftest import PASSWORD, WebCluster


def client(source: str = "127.0.0.1", limit: int = 100) -> ClientSession:
    """A client from ``source`` (any 127/8 address reaches our 127.0.0.1 server)."""
    connector = TCPConnector(local_addr=(source, 0), limit=limit, force_close=True)
    return ClientSession(connector=connector, cookie_jar=CookieJar(unsafe=True))


def count_checks(web_cluster: WebCluster) -> dict[str, int]:
    """Wrap the screens' thread runner to see how many checks run, and how many at once."""
    screens = web_cluster.runners["np-001"].app[SCREENS]
    seen = {"checks": 0, "running": 0, "peak": 0}
    inner: Callable[..., Any] = screens.background

    async def counted(fn: Callable[..., Any], *args: Any) -> Any:
        seen["checks"] += 1
        seen["running"] += 1
        seen["peak"] = max(seen["peak"], seen["running"])
        try:
            return await inner(fn, *args)
        finally:
            seen["running"] -= 1

    screens.background = counted
    return seen


async def test_parallel_wrong_passwords_are_checked_at_most_max_failures_times(
    web_cluster: WebCluster,
) -> None:
    base = await web_cluster.start_served("np-001", "point", 1)
    seen = count_checks(web_cluster)
    async with client(limit=200) as http:

        async def attempt(i: int) -> int:
            body = {"user": "anna", "password": f"guess-{i}"}
            async with http.post(f"{base}/web/login", json=body) as r:
                return r.status

        statuses = Counter(await asyncio.gather(*(attempt(i) for i in range(200))))
    assert statuses[401] <= MAX_FAILURES, statuses
    assert seen["checks"] == statuses[401] and seen["peak"] <= MAX_CONCURRENT_CHECKS
    assert statuses[401] + statuses[429] + statuses[503] == 200, statuses


async def test_a_guesser_cannot_lock_out_the_operator_on_another_client(
    web_cluster: WebCluster,
) -> None:
    base = await web_cluster.start_served("np-001", "point", 1)
    async with client("127.0.0.2") as attacker:
        statuses = []
        for i in range(3 * MAX_FAILURES):
            body = {"user": "anna", "password": f"guess-{i}"}
            async with attacker.post(f"{base}/web/login", json=body) as r:
                statuses.append(r.status)
        assert statuses.count(401) == MAX_FAILURES and statuses[-1] == 429
        # Even the right password is refused to the guessing client while it is locked.
        good = {"user": "anna", "password": PASSWORD}
        async with attacker.post(f"{base}/web/login", json=good) as r:
            assert r.status == 429
    async with client("127.0.0.1") as operator, operator.post(f"{base}/web/login", json=good) as r:
        assert r.status == 200, await r.text()
