from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from relay.emulator.mesh import EmulatedMesh
from tests.emulator.scenarios import trio
from tests.leaks import no_leaks

__all__ = ["no_leaks"]

#: Virtual seconds per wall second in end-to-end tests: LoRa airtime and relay delays
#: shrink, the library's own (wall-clock) behaviour does not.
SPEED = 10.0


@pytest.fixture
async def mesh(no_leaks: None) -> AsyncIterator[EmulatedMesh]:
    """alpha - bravo - charlie as emulated devices; bravo also on a serial pty."""
    async with EmulatedMesh(trio(), seed=7, serial=["bravo"], speed=SPEED) as emulated:
        yield emulated
