"""Small tools for tests that drive blocking library code from asyncio."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


async def in_thread(fn: Callable[[], T], name: str = "test-call") -> T:
    """Run a blocking call in a fresh thread (joined when done), keep the loop running.

    Not ``asyncio.to_thread``: its executor threads outlive the test and the leak
    check could not tell them from ours.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def run() -> None:
        try:
            result = fn()
        except BaseException as err:
            loop.call_soon_threadsafe(_set_exc, future, err)
        else:
            loop.call_soon_threadsafe(_set_result, future, result)

    thread = threading.Thread(target=run, name=name)
    thread.start()
    try:
        return await future
    finally:
        while thread.is_alive():
            await asyncio.sleep(0.01)


def _set_result(future: asyncio.Future[T], value: T) -> None:
    if not future.done():
        future.set_result(value)


def _set_exc(future: asyncio.Future[T], err: BaseException) -> None:
    if not future.done():
        future.set_exception(err)


async def eventually(check: Callable[[], object], timeout: float = 20.0, what: str = "") -> None:
    """Wait until ``check()`` holds (polling); fail with ``what`` after ``timeout``.

    A liveness bound, not a timing assertion: it only fails when the thing never happens.
    """
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what or check}")
        await asyncio.sleep(0.02)


def free_port() -> int:
    """A port nobody listens on right now (the machine is shared: never a fixed port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
