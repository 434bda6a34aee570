"""The one place that talks to the MQTT broker (aiomqtt, on the daemon's asyncio loop).

A persistent session (``clean_session=False`` and a stable client id): the broker keeps
our subscriptions and queues QoS 1 messages for us while we are away. An incoming message
is acknowledged (PUBACK) only after ``on_message`` returned, which commits it: a kill -9
between arrival and commit leaves it unacknowledged, and the broker delivers it again.
(aiomqtt has no switch for this; paho's manual acknowledgement is reached through it.)
Outgoing messages come from the store's outbox and leave it only after the broker's
PUBACK, one at a time and in order; after a lost connection the supervisor reconnects with
capped back-off and the outbox drains again. What arrives goes to ``on_message``
unchanged: checking it is the caller's job (the broker is never trusted).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol

import aiomqtt

from relay.errors import StoreError
from relay.federation.config import FederationConfig
from relay.store.federation import Outgoing
from relay.waits import cancel_all, wait_event, within

log = logging.getLogger(__name__)

#: How long a clean disconnect may take before the socket is simply closed.
DISCONNECT_TIMEOUT_S = 5.0

BACKOFF_S = (1.0, 30.0)
#: How long one publication may wait for its PUBACK before the connection is given up.
PUBACK_TIMEOUT_S = 30.0
#: The outbox is looked at this often even without a wake-up (another process's rows).
IDLE_POLL_S = 5.0


class LinkState(enum.Enum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DOWN = "down"


@dataclass
class LinkHealth:
    state: LinkState = LinkState.CONNECTING
    connects: int = 0
    published: int = 0
    received: int = 0
    last_error: str = ""


class Outbox(Protocol):
    def pending(self, limit: int = 100) -> list[Outgoing]: ...
    def acknowledged(self, outgoing_id: int) -> None: ...


class MqttLink:
    def __init__(
        self,
        config: FederationConfig,
        outbox: Outbox,
        subscriptions: list[str],
        on_message: Callable[[str, bytes], None],
        retained: Callable[[], list[tuple[str, bytes]]] = list,
    ) -> None:
        """``retained``: (topic, payload) to publish, retained, on every connect (our
        certificate, so a third party can verify what we sign)."""
        self.config = config
        self.outbox = outbox
        self.subscriptions = subscriptions
        self.on_message = on_message
        self.retained = retained
        self.health = LinkHealth()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New rows in the outbox: send them now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Connect, serve and reconnect until ``stop`` is set."""
        backoff = BACKOFF_S[0]
        while not stop.is_set():
            try:
                async with self._connected() as client:
                    self.health.state = LinkState.CONNECTED
                    self.health.connects += 1
                    backoff = BACKOFF_S[0]
                    log.info("federation: connected to %s:%d", self.config.host, self.config.port)
                    await self._session(client, stop)
            except (aiomqtt.MqttError, StoreError, OSError) as err:
                self.health.last_error = str(err)
                log.warning("federation: broker %s:%d: %s", self.config.host, self.config.port, err)
            self.health.state = LinkState.DOWN
            if not stop.is_set():
                await wait_event(stop, backoff)
                backoff = min(backoff * 2, BACKOFF_S[1])

    @contextlib.asynccontextmanager
    async def _connected(self) -> AsyncIterator[aiomqtt.Client]:
        """``async with aiomqtt.Client``, with a bounded goodbye: aiomqtt waits for the
        broker's side of DISCONNECT without a timeout, and a daemon (or a test) that stops
        while that never comes hung for good. After ``DISCONNECT_TIMEOUT_S`` the socket
        is closed without it."""
        client = self._client()
        await client.__aenter__()
        try:
            yield client
        finally:
            try:
                await within(client.__aexit__(None, None, None), DISCONNECT_TIMEOUT_S)
            except TimeoutError:
                log.warning("federation: no goodbye from the broker; closing the connection")
                _force_close(client)

    def _client(self) -> aiomqtt.Client:
        c = self.config
        tls = aiomqtt.TLSParameters(ca_certs=str(c.ca_file) if c.ca_file else None)
        client = aiomqtt.Client(
            c.host,
            c.port,
            identifier=c.client_id,
            clean_session=False,
            protocol=aiomqtt.ProtocolVersion.V311,
            username=c.username,
            password=c.password(),
            tls_params=tls if c.tls else None,
            keepalive=30,
            timeout=10,
        )
        client._client.manual_ack_set(True)  # see the module's docstring
        return client

    async def _session(self, client: aiomqtt.Client, stop: asyncio.Event) -> None:
        for topic in self.subscriptions:
            await client.subscribe(topic, qos=1)
        for topic, payload in self.retained():
            await client.publish(topic, payload, qos=1, retain=True, timeout=PUBACK_TIMEOUT_S)
        tasks = {
            asyncio.ensure_future(self._read(client)),
            asyncio.ensure_future(self._drain(client)),
            asyncio.ensure_future(stop.wait()),
        }
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            await cancel_all(tasks)
        for task in done:
            task.result()  # a lost connection raises here and the supervisor reconnects

    async def _read(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            self.health.received += 1
            payload = message.payload
            if not isinstance(payload, bytes | bytearray):
                payload = str(payload or "").encode()
            try:
                self.on_message(str(message.topic), bytes(payload))
            except StoreError:
                raise  # not kept: no PUBACK; the broker sends it again after a reconnect
            except Exception:
                # A bug must not make the broker send the same message forever: logged, dropped.
                log.exception("federation: message on %s not handled", message.topic)
            if message.qos > 0:
                client._client.ack(message.mid, message.qos)

    async def _drain(self, client: aiomqtt.Client) -> None:
        while True:
            rows = self.outbox.pending(100)
            if not rows:
                self._wake.clear()
                await wait_event(self._wake, IDLE_POLL_S)
                continue
            for row in rows:
                await client.publish(
                    row.topic, row.payload, qos=1, retain=row.retain, timeout=PUBACK_TIMEOUT_S
                )
                self.outbox.acknowledged(row.id)  # only now: the broker has it
                self.health.published += 1


def _force_close(client: aiomqtt.Client) -> None:
    """Drop a connection whose DISCONNECT was never confirmed (paho and aiomqtt have no
    public call for it: paho's own socket close runs aiomqtt's socket callbacks, which
    take the socket off the event loop)."""
    paho = client._client
    close = getattr(paho, "_sock_close", None)
    if close is not None:
        close()
    disconnected = client._disconnected
    if not disconnected.done():
        disconnected.set_result(None)
