"""Fixtures for federation tests: whole in-process regions, and (in test modules that ask
for it) a real mosquitto broker on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.daemon.conftest import cluster
from tests.federation.broker import Broker
from tests.leaks import no_leaks

__all__ = ["broker", "cluster", "no_leaks"]


@pytest.fixture(autouse=True)
def _no_leaks(no_leaks: None) -> None:
    """Every federation test: no MQTT socket, thread or pipe left behind."""


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    """A mosquitto of this test's own, stopped at the end."""
    b = Broker(tmp_path / "broker")
    b.start()
    yield b
    b.stop()
