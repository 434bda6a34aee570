"""Whole nodes in one process: real keys, real SQLite files, the loopback radio."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from relay.demo.inprocess import FAST, InProcessRegion
from relay.demo.inprocess import make_keys as make_region_keys

__all__ = ["FAST", "Cluster", "make_keys", "wait_for"]


def make_keys(directory: Path, n_points: int) -> None:
    """A region in ``directory``: root, hub-utrecht and np-001.. with certificates."""
    make_region_keys(directory, "hub-utrecht", [f"np-{i:03d}" for i in range(1, n_points + 1)])


#: Whole nodes in one process over the loop:// radio (real keys, SQLite, engine, API).
Cluster = InProcessRegion


async def wait_for(predicate: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[InProcessRegion]:
    make_keys(tmp_path / "keys", 3)
    c = InProcessRegion(tmp_path)
    yield c
    await c.close()
