"""The broker link on a real mosquitto: a message is acknowledged only once it is kept,
so one that could not be kept (a full disk, or a kill -9 before the commit) comes again."""

from __future__ import annotations

import aiomqtt

from relay.errors import DiskFullError
from tests.federation.broker import Broker
from tests.federation.listener import Listener
from tests.helpers import eventually


async def test_a_message_not_kept_is_delivered_again(broker: Broker) -> None:
    calls: list[bytes] = []
    kept: list[bytes] = []

    async with Listener(broker.config("national", "national-node"), "noodrelay/test/#") as n:

        def on_message(topic: str, payload: bytes) -> None:
            calls.append(payload)
            if len(calls) == 1:
                raise DiskFullError("the disk is full")  # not committed: no PUBACK
            kept.append(payload)

        n.link.on_message = on_message
        await eventually(lambda: n.link.health.connects == 1, 30, "subscribed")
        async with aiomqtt.Client("127.0.0.1", broker.port, identifier="hub") as hub:
            await hub.publish("noodrelay/test/utrecht/bulletin", b"signed bytes", qos=1)
        await eventually(lambda: kept == [b"signed bytes"], 60, "delivered again and kept")
        assert calls == [b"signed bytes", b"signed bytes"]
        assert n.link.health.connects == 2  # the link reconnected to get it again
