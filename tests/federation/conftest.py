"""Fixtures for federation tests: whole in-process regions, and (in test modules that ask
for it) a real mosquitto broker on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.daemon.conftest import cluster
from tests.federation.broker import Broker

__all__ = ["broker", "cluster"]


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    """A mosquitto of this test's own, stopped at the end."""
    b = Broker(tmp_path / "broker")
    b.start()
    yield b
    b.stop()
