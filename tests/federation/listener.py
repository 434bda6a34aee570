"""A third party on the broker: the federation's own link with an empty outbox, keeping
every (topic, payload) it receives (persistent session: it misses nothing while away)."""

from __future__ import annotations

import asyncio
from collections import Counter

from relay.federation.config import FederationConfig
from relay.federation.link import MqttLink
from relay.store.federation import Outgoing
from relay.wire import envelope


class _Empty:
    def pending(self, limit: int = 100) -> list[Outgoing]:
        return []

    def acknowledged(self, outgoing_id: int) -> None:
        raise AssertionError("nothing to acknowledge")


class Listener:
    def __init__(self, config: FederationConfig, topic: str) -> None:
        self.got: list[tuple[str, bytes]] = []
        self.link = MqttLink(config, _Empty(), [topic], self._on_message)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def _on_message(self, topic: str, payload: bytes) -> None:
        self.got.append((topic, payload))

    async def __aenter__(self) -> Listener:
        self._task = asyncio.create_task(self.link.run(self._stop))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    def on(self, suffix: str) -> list[bytes]:
        return [p for t, p in self.got if t.endswith(suffix)]

    def by_number(self, suffix: str) -> Counter[tuple[int, int]]:
        """How often each (key id, number) arrived on topics ending in ``suffix``."""
        keys = [envelope.parse(p).envelope for p in self.on(suffix)]
        return Counter((e.key_id, e.seq) for e in keys)
