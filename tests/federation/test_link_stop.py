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
