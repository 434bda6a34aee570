"""Stopping the broker link while new outbox rows wake it: the stop must win.

Python 3.11's ``asyncio.wait_for`` swallows a cancellation that arrives in the same
loop turn as the awaited event; the link's outbox loop then ran on, "cancelling" for
ever, and a daemon (or the national node in a test) never finished stopping. This
happened when an operator's compose woke the outbox just as the node was stopped.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from relay.federation.config import FederationConfig
from relay.federation.link import MqttLink
from relay.store.federation import Outgoing
from relay.waits import within


class EmptyOutbox:
    def pending(self, limit: int = 100) -> list[Outgoing]:
        return []

    def acknowledged(self, outgoing_id: int) -> None:
        raise AssertionError("nothing was sent")


def _link() -> MqttLink:
    """Never connected: only the outbox loop runs."""
    config = FederationConfig(
        host="127.0.0.1", port=1, tls=False, client_id="hub-utrecht",
        topic_prefix="noodrelay", region="utrecht",
    )  # fmt: skip
    return MqttLink(config, EmptyOutbox(), [], lambda topic, payload: None)


@pytest.mark.parametrize("turns", [0, 1, 2])
async def test_a_wake_up_in_the_same_turn_as_the_stop_does_not_keep_the_outbox_loop(
    turns: int,
) -> None:
    link = _link()
    client: Any = None  # the loop touches the client only when there are rows
    drain = asyncio.ensure_future(link._drain(client))
    for _ in range(3):
        await asyncio.sleep(0)  # the loop now waits for a wake-up
    link.wake()
    for _ in range(turns):
        await asyncio.sleep(0)
    drain.cancel()
    done, _ = await asyncio.wait({drain}, timeout=10)
    assert done == {drain} and drain.cancelled()


class SwallowingClient:
    """A broker client whose publish returns normally when cancelled, as aiomqtt's does
    (through 3.11's ``wait_for``) when the PUBACK arrives in the same turn as the stop."""

    def __init__(self) -> None:
        self.publishing = asyncio.Event()

    async def subscribe(self, topic: str, qos: int) -> None:
        return None

    async def publish(self, *args: Any, **kwargs: Any) -> None:
        self.publishing.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            return  # the cancellation is lost here

    @property
    def messages(self) -> Any:
        return self._nothing()

    async def _nothing(self) -> Any:
        await asyncio.sleep(3600)
        yield None


class OneRow(EmptyOutbox):
    def __init__(self) -> None:
        self.rows = [Outgoing(1, "noodrelay/utrecht/bulletin", b"signed", False)]

    def pending(self, limit: int = 100) -> list[Outgoing]:
        return list(self.rows)

    def acknowledged(self, outgoing_id: int) -> None:
        self.rows = []


async def test_a_stop_while_a_library_swallows_the_cancel_still_ends_the_session() -> None:
    link = _link()
    link.outbox = OneRow()
    client = SwallowingClient()
    stop = asyncio.Event()
    session = asyncio.ensure_future(link._session(client, stop))  # type: ignore[arg-type]
    await within(client.publishing.wait(), 10)
    stop.set()
    done, _ = await asyncio.wait({session}, timeout=10)
    assert done == {session} and session.exception() is None
