"""A small in-process event bus: the screens' live updates (server-sent events)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from relay.waits import within

log = logging.getLogger(__name__)

#: A subscriber that falls this far behind is dropped (its browser reconnects).
QUEUE_LIMIT = 100
#: The name of the keep-alive pseudo event (never published).
KEEPALIVE = ""


class EventBus:
    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[tuple[str, dict[str, Any]] | None]] = set()

    def publish(self, name: str, data: dict[str, Any]) -> None:
        for q in list(self._queues):
            if q.qsize() >= QUEUE_LIMIT:
                self._queues.discard(q)
                q.put_nowait(None)
                continue
            q.put_nowait((name, data))

    async def subscribe(
        self, keepalive_s: float | None = None
    ) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """Events as they are published; with ``keepalive_s``, a ``(KEEPALIVE, {})`` after
        that long without one, so the caller writes something and notices a client that
        went away (aiohttp does not cancel a handler whose client disconnected)."""
        q: asyncio.Queue[tuple[str, dict[str, Any]] | None] = asyncio.Queue(QUEUE_LIMIT + 1)
        self._queues.add(q)
        try:
            while True:
                try:
                    item = await within(q.get(), keepalive_s)
                except TimeoutError:
                    yield KEEPALIVE, {}
                    continue
                if item is None:
                    return
                yield item
        finally:
            self._queues.discard(q)

    def close(self) -> None:
        for q in list(self._queues):
            q.put_nowait(None)
        self._queues.clear()

    @property
    def subscribers(self) -> int:
        return len(self._queues)
