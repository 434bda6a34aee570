"""Fixtures for federation tests: whole in-process regions, and (in test modules that ask
for it) a real mosquitto broker on a free loopback port."""

from __future__ import annotations

from tests.daemon.conftest import cluster

__all__ = ["cluster"]
