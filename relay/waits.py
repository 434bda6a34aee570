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
from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar

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


async def cancel_all(tasks: Iterable[asyncio.Future[Any]], recancel_s: float = 1.0) -> None:
    """Cancel ``tasks`` and wait until every one is done.

    A task can swallow its cancellation: a library awaiting 3.11's ``wait_for`` returns
    normally when its result arrives in the same turn as the cancel (aiomqtt's publish
    does, when the PUBACK comes with the stop). Such a task is cancelled again every
    ``recancel_s`` instead of being waited on for ever. Outcomes are left to the caller;
    an exception raised while cancelling is taken (as ``gather(return_exceptions=True)``
    would) so that it is not reported as never retrieved.
    """
    every = list(tasks)
    pending = set(every)
    for task in pending:
        task.cancel()
    while pending:
        _, pending = await asyncio.wait(pending, timeout=recancel_s)
        for task in pending:
            task.cancel()
    for task in every:
        if not task.cancelled():
            task.exception()
