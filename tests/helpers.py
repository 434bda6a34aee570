"""Small tools for tests that drive blocking library code from asyncio."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
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


def point_toml(
    base: Path, port: int, name: str = "np-001", point_id: int = 1, token: str = "region-token"
) -> Path:
    """A ``relay.toml`` (``point.toml`` in ``base``) for a point of an InProcessRegion in
    ``base``, so the real ``relay`` command finds its store, keys and control API (the
    region's control ``token``, in a 0600 file)."""
    path = base / ("point.toml" if name == "np-001" else f"{name}.toml")
    path.write_text(
        f'role = "point"\nname = "{name}"\n'
        f'[radio]\nurl = "loop://air/{name}"\n'
        f'[keys]\nkey = "keys/{name}.key"\ncert = "keys/{name}.cert"\nkeyring = "keys"\n'
        f'[store]\npath = "{name}.db"\n'
        f'[screen]\nlisten = "127.0.0.1:{port}"\ntoken_file = "{name}.token"\n'
        f"[point]\nid = {point_id}\n",
        encoding="utf-8",
    )
    token_file = base / f"{name}.token"
    token_file.write_text(token + "\n", encoding="ascii")
    os.chmod(token_file, 0o600)
    return path
