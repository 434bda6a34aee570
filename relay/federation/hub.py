"""What a region hub does on the federation.

* Its bulletins' exact signed bytes go to ``<prefix>/<region>/bulletin`` (queued by the
  daemon in the same transaction that stores them, see ``Store.add_bulletin``).
* Every ``summary_every_s`` the points whose report or receipt changed go out in
  countersigned summaries on ``<prefix>/<region>/status``.
* Its certificate is published, retained, on ``<prefix>/<region>/cert`` at every connect.
* National bulletins and the national certificate (``<prefix>/national/...``) are handed
  to the engine, which checks them exactly like radio frames and broadcasts a valid new
  bulletin unchanged. Every refusal is logged with its reason and counted.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from relay.engine.outputs import Output, Rejected
from relay.errors import RelayError, StoreError, WrongTopicError
from relay.federation import summary
from relay.federation.config import NATIONAL, FederationConfig
from relay.federation.link import MqttLink
from relay.federation.refusals import Refusals
from relay.federation.topics import BULLETIN, CERT, STATUS, Topics
from relay.store.store import Store
from relay.waits import wait_event
from relay.wire import envelope
from relay.wire.describe import reason_code
from relay.wire.issuer import Issuer
from relay.wire.model import BulletinRef, Role, StatusSummary
from relay.wire.trust import Keyring

log = logging.getLogger(__name__)

SUMMARY_MARK = "federation_summary_mark"
RELAYED_MARK = "federation_relayed"


class HubFederation:
    def __init__(
        self,
        config: FederationConfig,
        store: Store,
        issuer: Issuer,
        keyring: Keyring,
        relay: Callable[[bytes], list[Output]],
        wall: Callable[[], float],
    ) -> None:
        """``relay``: hands a message from the national topics to the engine (and the
        node applies what comes out); returns the engine's outputs."""
        self.config = config
        self.store = store
        self.issuer = issuer
        self.keyring = keyring
        self.relay = relay
        self.wall = wall
        self.topics = Topics(config.topic_prefix)
        self.refusals = Refusals()
        subscriptions = [self.topics.of(NATIONAL, BULLETIN), self.topics.of(NATIONAL, CERT)]
        self.link = MqttLink(config, store.federation, subscriptions, self.on_message, self._cert)

    @property
    def bulletin_topic(self) -> str:
        return self.topics.of(self.config.region, BULLETIN)

    def wake(self) -> None:
        self.link.wake()

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(self.link.run(stop), self._summaries(stop))

    def _cert(self) -> list[tuple[str, bytes]]:
        cert = self.issuer.certificate
        return [] if cert is None else [(self.topics.of(self.config.region, CERT), cert.raw)]

    # --- incoming -------------------------------------------------------------------

    def on_message(self, topic: str, payload: bytes) -> None:
        try:
            where = self.topics.parse(topic)
            if where.region != NATIONAL or where.channel not in (BULLETIN, CERT):
                raise WrongTopicError(f"{topic!r} is not a national bulletin or certificate topic")
            self.topics.check_kind(where, envelope.parse(payload).kind)
        except RelayError as err:
            self.refusals.add(topic, reason_code(err), str(err))
            return
        outputs = self.relay(payload)
        rejected = [o for o in outputs if isinstance(o, Rejected)]
        for r in rejected:
            self.refusals.add(topic, r.reason, r.detail)
        if not outputs:
            self.refusals.duplicates += 1

    # --- summaries ------------------------------------------------------------------

    async def _summaries(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await wait_event(stop, self.config.summary_every_s)
            try:
                self.summarize()
            except (StoreError, RelayError) as err:
                log.error("federation: summary not queued: %s", err)

    def relayed(self) -> tuple[BulletinRef, ...]:
        """National bulletins this hub has broadcast."""
        refs = []
        for b in self.store.bulletins():
            env = b.message.envelope
            sender = self.keyring.principal(env.key_id)
            if b.broadcast_done and sender is not None and sender.role is Role.NATIONAL:
                refs.append(BulletinRef(env.key_id, env.seq))
        return tuple(refs)

    def summarize(self) -> int:
        """Queue countersigned summaries of the points changed since the last ones;
        returns how many were queued."""
        now = self.wall()
        mark = float(self.store.get_meta(SUMMARY_MARK) or 0.0)
        changed = summary.changed_since(self.store.points(), mark)
        relayed = self.relayed()
        relayed_text = json.dumps([[r.key_id, r.seq] for r in relayed])
        bodies = summary.summaries(self.config.region, changed, relayed)
        if not bodies and relayed_text != (self.store.get_meta(RELAYED_MARK) or "[]"):
            bodies = [StatusSummary(self.config.region, (), relayed)]
        if not bodies:
            return 0
        msgs = [self.issuer.issue(body) for body in bodies]
        topic = self.topics.of(self.config.region, STATUS)
        self.store.federation.add_with_mark(topic, msgs, now, (SUMMARY_MARK, repr(now)))
        self.store.set_meta(RELAYED_MARK, relayed_text)
        self.link.wake()
        return len(msgs)

    def state(self) -> dict[str, Any]:
        h = self.link.health
        return {
            "region": self.config.region,
            "broker": f"{self.config.host}:{self.config.port}",
            "link": h.state.value,
            "connects": h.connects,
            "published": h.published,
            "received": h.received,
            "outbox": self.store.federation.count(),
            "last_error": h.last_error,
            **self.refusals.view(),
        }
