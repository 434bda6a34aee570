"""Issue 14 item 13: what a probe can open is bounded (live event streams)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from aiohttp import ClientResponse, ClientSession, TCPConnector

from relay.daemon import api
from relay.daemon.api import MAX_EVENT_CLIENTS
from tests.daemon.conftest import wait_for
from tests.web.conftest import WebCluster


async def test_live_event_streams_are_bounded_and_free_again(
    web_cluster: WebCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api, "KEEPALIVE_S", 0.2)  # a quiet stream notices a lost client soon
    base = await web_cluster.start_served("np-001", "point", 1)
    node = web_cluster.nodes["np-001"]
    connector = TCPConnector(limit=0, force_close=True)
    async with ClientSession(connector=connector) as http:
        opened = await asyncio.gather(
            *(http.get(base + "/api/events") for _ in range(MAX_EVENT_CLIENTS + 8))
        )
        statuses = Counter(r.status for r in opened)
        assert statuses == {200: MAX_EVENT_CLIENTS, 503: 8}, statuses
        live: list[ClientResponse] = [r for r in opened if r.status == 200]
        await wait_for(lambda: node.events.subscribers == MAX_EVENT_CLIENTS)
        for r in opened:
            if r.status != 200:
                r.release()
        live.pop().close()  # a browser goes away: its place is free again
        await wait_for(lambda: node.events.subscribers == MAX_EVENT_CLIENTS - 1)
        again = await http.get(base + "/api/events")
        assert again.status == 200
        again.close()
        for r in live:
            r.close()
