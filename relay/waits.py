"""Waiting with a time limit, without losing a cancellation.

Python 3.11's ``asyncio.wait_for`` returns the awaited result, and drops the caller's
cancellation, when both happen in the same turn of the event loop (CPython gh-86296,
fixed in 3.12 by building it on ``asyncio.timeout``). A loop written as "wait for a
wake-up or a timeout, then go round again" then never stops: the federation link's
outbox loop hung a stopping node that way whenever a compose woke it at the moment of
the stop. ``asyncio.timeout`` keeps the cancellation, so every limited wait in the
project goes through it (ruff bans ``asyncio.wait_for``, see pyproject.toml).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def within(awaitable: Awaitable[T], timeout_s: float | None) -> T:
    """``await awaitable`` for at most ``timeout_s`` seconds (None: no limit); raises
    ``TimeoutError`` after that, and a cancellation always goes through."""
    async with asyncio.timeout(timeout_s):
        return await awaitable


async def wait_event(event: asyncio.Event, timeout_s: float | None) -> bool:
    """Wait until ``event`` is set or ``timeout_s`` passed; True if it is set."""
    try:
        async with asyncio.timeout(timeout_s):
            await event.wait()
    except TimeoutError:
        pass
    return event.is_set()
