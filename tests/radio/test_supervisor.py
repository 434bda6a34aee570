"""The reconnect supervisor, with fake links and a fake sleep (no waiting)."""

from __future__ import annotations

import asyncio
import contextlib
import random

from relay.errors import RadioConnectError, RadioError, SlotTakenError
from relay.radio.supervisor import Backoff, LossReason, Supervisor
from relay.radio.transport import LinkState


class FakeLink:
    def __init__(self, name: str) -> None:
        self.name = name
        self.lost: asyncio.Future[LossReason] = asyncio.get_running_loop().create_future()

    async def wait_lost(self) -> LossReason:
        return await self.lost


def test_backoff_grows_and_caps() -> None:
    policy = Backoff(initial_s=1.0, factor=2.0, cap_s=10.0, jitter=0.0)
    rng = random.Random(0)
    assert [policy.delay(n, rng) for n in range(6)] == [1, 2, 4, 8, 10, 10]


def test_backoff_jitter_stays_in_band() -> None:
    policy = Backoff(initial_s=4.0, jitter=0.25)
    rng = random.Random(1)
    assert all(3.0 <= policy.delay(0, rng) <= 5.0 for _ in range(200))


async def test_reconnects_with_growing_delays_and_reports_states() -> None:
    sleeps: list[float] = []
    reports: list[tuple[LinkState, type[RadioError] | None]] = []
    links: list[FakeLink] = []
    failures = 2

    async def connect() -> FakeLink:
        nonlocal failures
        if failures:
            failures -= 1
            raise RadioConnectError("refused")
        links.append(FakeLink(f"link{len(links)}"))
        return links[-1]

    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    supervisor = Supervisor(
        connect,
        lambda state, err: reports.append((state, type(err) if err else None)),
        rng=random.Random(0),
        backoff=Backoff(initial_s=1.0, cap_s=3.0, jitter=0.0),
        sleep=sleep,
    )
    first = FakeLink("first")
    task = asyncio.create_task(supervisor.run(first))
    first.lost.set_result(LossReason.LINK_FAILED)
    while not links:
        await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert sleeps == [1.0, 2.0, 3.0]
    assert reports == [
        (LinkState.DISCONNECTED, RadioConnectError),
        (LinkState.DISCONNECTED, RadioConnectError),
        (LinkState.DISCONNECTED, RadioConnectError),
        (LinkState.CONNECTED, None),
    ]
    links[0].lost.set_result(LossReason.CLOSED)
    await task  # a deliberate close ends the supervision


async def test_closed_by_device_means_slot_taken_and_longer_wait() -> None:
    sleeps: list[float] = []
    errors: list[RadioError | None] = []

    async def connect() -> FakeLink:
        return FakeLink("again")

    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    supervisor = Supervisor(
        connect,
        lambda state, err: errors.append(err),
        rng=random.Random(0),
        backoff=Backoff(initial_s=1.0, jitter=0.0),
        slot_backoff=Backoff(initial_s=20.0, jitter=0.0),
        sleep=sleep,
        slot_error=lambda: SlotTakenError("another client"),
    )
    first = FakeLink("first")
    task = asyncio.create_task(supervisor.run(first))
    first.lost.set_result(LossReason.CLOSED_BY_DEVICE)
    while len(errors) < 2:
        await asyncio.sleep(0)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert sleeps == [20.0]
    assert isinstance(errors[0], SlotTakenError)
