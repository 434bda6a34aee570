from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from relay.emulator.mesh import EmulatedMesh
from relay.radio.meshtastic_adapter import AdapterOptions
from relay.radio.meshtastic_link import LinkTimeouts
from relay.radio.supervisor import Backoff
from tests.emulator.scenarios import trio
from tests.leaks import no_leaks

__all__ = ["no_leaks"]

SPEED = 10.0

#: Quick reconnects and short waits, so the tests do not idle.
FAST = AdapterOptions(
    timeouts=LinkTimeouts(connect_s=3.0, config_s=5.0, heartbeat_s=3.0, call_s=5.0),
    queue_status_s=3.0,
    ack_s=60.0,
    backoff=Backoff(initial_s=0.1, cap_s=0.5, jitter=0.0),
    slot_backoff=Backoff(initial_s=0.3, cap_s=0.5, jitter=0.0),
)


@pytest.fixture
async def mesh(no_leaks: None) -> AsyncIterator[EmulatedMesh]:
    async with EmulatedMesh(trio(), seed=3, serial=["alpha", "charlie"], speed=SPEED) as m:
        yield m
