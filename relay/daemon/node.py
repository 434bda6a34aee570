"""One running node: engine + store + radio on one asyncio loop.

Frames from the transport, send results and timers go into the engine; its outputs
come back out as frames for the radio and notifications that are written to the
store *before* the next input is handled (so an accepted bulletin is on disk before
anything else happens) and announced to the screens.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from relay.daemon import radio_start
from relay.daemon.build import HEARTBEAT_SEQ, HUB_KEY, HUB_NODE, HUB_TIME
from relay.daemon.config import DaemonConfig
from relay.daemon.events import EventBus
from relay.engine.hub import HubEngine
from relay.engine.outputs import (
    BulletinAccepted,
    BulletinChanged,
    Delivered,
    HelpRequestAccepted,
    HelpUpdateAccepted,
    HelpUpdateAcked,
    HelpUpdateIssued,
    HubHeard,
    Output,
    ReceiptAccepted,
    Rejected,
    StatusAccepted,
    Transmit,
    TrustLearned,
)
from relay.engine.point import PointEngine
from relay.errors import RelayError, StoreError
from relay.federation.hub import HubFederation
from relay.radio.transport import BROADCAST, Frame, LinkState, SendStatus, Transport
from relay.store.store import Store
from relay.waits import cancel_all
from relay.wire.model import HelpState

log = logging.getLogger(__name__)

#: The node wakes at least this often (expiry by hub time, silence checks).
MAX_SLEEP_S = 30.0
#: A point looks for closed help requests past their retention this often.
ERASE_EVERY_S = 600.0
#: How often the radio's channel use is kept for the evaluation report.
RADIO_SAMPLE_S = 60.0


_HELP_OUTPUTS = (HelpRequestAccepted, HelpUpdateIssued, HelpUpdateAcked, HelpUpdateAccepted)


def help_id(key_id: int, seq: int) -> str:
    """A help request's id on screens and in the CLI: the point's key id and number."""
    return f"{key_id:08x}-{seq}"


@dataclass
class Health:
    link: LinkState = LinkState.CONNECTING
    store_error: str | None = None
    rejected: int = 0
    last_rejection: str = ""


class Node:
    def __init__(
        self,
        config: DaemonConfig,
        store: Store,
        transport: Transport,
        engine: HubEngine | PointEngine,
        *,
        mono: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.store = store
        self.transport = transport
        self.engine = engine
        self.mono = mono
        self.wall = wall
        self.events = EventBus()
        self.health = Health()
        self._wake = asyncio.Event()
        self._sends: set[asyncio.Task[None]] = set()
        self._unsubscribe: list[Callable[[], None]] = []
        self._erased_at = -ERASE_EVERY_S
        self._sampled_at = self.mono()
        self._radio_start: asyncio.Task[None] | None = None
        #: The hub's federation over MQTT, when relay.toml has ``[federation]``.
        self.federation: HubFederation | None = None

    # --- running --------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Connect the radio and serve until ``stop`` is set."""
        self._unsubscribe = [
            self.transport.on_frame(self._on_frame),
            self.transport.on_state(self._on_state),
        ]
        self._radio_start = await radio_start.start_or_retry(self.transport)
        self.apply(self.engine.start(self.mono()))
        self.erase_help()
        try:
            await self._loop(stop)
        finally:
            await self.shutdown()

    async def _loop(self, stop: asyncio.Event) -> None:
        stopper = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                now = self.mono()
                deadline = self.engine.next_deadline(now)
                sleep = MAX_SLEEP_S if deadline is None else min(MAX_SLEEP_S, deadline - now)
                self._wake.clear()
                waker = asyncio.ensure_future(self._wake.wait())
                await asyncio.wait(
                    {waker, stopper}, timeout=max(0.0, sleep), return_when=asyncio.FIRST_COMPLETED
                )
                waker.cancel()
                if not stop.is_set():
                    self.apply(self.engine.tick(self.mono()))
                    if self.mono() - self._erased_at >= ERASE_EVERY_S:
                        self.erase_help()
                    if self.mono() - self._sampled_at >= RADIO_SAMPLE_S:
                        self.sample_radio()
        finally:
            stopper.cancel()

    def sample_radio(self) -> None:
        """Keep the channel use once a minute, for the evaluation report (relay report)."""
        now = self.mono()
        self._sampled_at = now
        util = self.engine.channel_utilisation
        airtime = 100 * self.engine.outbox.budget.utilisation(now)
        try:
            self.store.history.log_radio(
                self.wall(), None if util is None else 100 * util, round(airtime, 3)
            )
        except StoreError as err:
            log.warning("radio sample not kept: %s", err)

    async def shutdown(self) -> None:
        if self._radio_start is not None:
            await cancel_all([self._radio_start])
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        await cancel_all(list(self._sends))
        await self.transport.close()
        self.events.close()

    # --- inputs ---------------------------------------------------------------------

    def _on_frame(self, frame: Frame) -> None:
        self.apply(self.engine.receive(frame, self.mono()))

    def _on_state(self, state: LinkState) -> None:
        log.info("radio link %s", state.value)
        self.health.link = state
        self.events.publish("link", {"state": state.value})
        self._wake.set()

    async def _send(self, t: Transmit) -> None:
        try:
            result = await self.transport.send(
                t.payload, t.destination, want_ack=t.want_ack, hop_limit=t.hop_limit
            )
            status = result.status
            if t.want_ack and t.destination != BROADCAST and status is SendStatus.QUEUED:
                # The radio sent it but the destination never acked (or only a relay was
                # overheard): not delivered, as far as we can know. The engine retries.
                log.info("no ack for %s frame: %s", t.purpose, result.detail or "timeout")
                status = SendStatus.MAX_RETRANSMIT
        except RelayError as err:
            log.warning("radio refused %s frame: %s", t.purpose, err)
            status = SendStatus.NOT_SENT
        log.debug(
            "%s frame (%d B) to !%08x hop limit %s: %s",
            t.purpose,
            len(t.payload),
            t.destination,
            t.hop_limit,
            status.value,
        )
        self.apply(self.engine.on_send_result(t.token, status, self.mono()))

    # --- outputs --------------------------------------------------------------------

    def apply(self, outputs: list[Output]) -> None:
        """Execute an engine's outputs: frames to the radio, notifications to the store."""
        for out in outputs:
            if isinstance(out, Transmit):
                task = asyncio.get_running_loop().create_task(self._send(out))
                self._sends.add(task)
                task.add_done_callback(self._sends.discard)
            else:
                try:
                    self._persist(out)
                except StoreError as err:
                    # Keep serving what we have; the doctor and the screens show this.
                    log.error("store: %s", err)
                    self.health.store_error = str(err)
        self._wake.set()

    def _persist(self, out: Output) -> None:
        wall = self.wall()
        if isinstance(out, _HELP_OUTPUTS) or (
            isinstance(out, Delivered) and out.purpose == "help-request"
        ):
            self._help(out, wall)
        elif isinstance(out, BulletinAccepted):
            self._store_bulletin(out, wall)
        elif isinstance(out, BulletinChanged):
            self.store.set_bulletin_state(out.key_id, out.seq, out.state, out.by_seq)
            self.events.publish("bulletin", {"key_id": out.key_id, "seq": out.seq})
        elif isinstance(out, StatusAccepted):
            self.store.add_status(
                out.raw,
                key_id=out.key_id,
                seq=out.seq,
                time=out.hub_time,
                report=out.report,
                name=out.sender.name,
                node=out.node,
                received_at=wall,
                holdings=out.holdings,
            )
            self.events.publish("point", {"point_id": out.report.point_id})
        elif isinstance(out, ReceiptAccepted):
            self.store.set_receipt(out.point_id, out.receipt, wall)
            self.events.publish("receipt", {"point_id": out.point_id})
        elif isinstance(out, TrustLearned):
            self.store.add_message(out.message, wall)
        elif isinstance(out, HubHeard):
            self._hub_heard(out)
        elif isinstance(out, Delivered):
            if out.purpose == "bulletin":
                self.store.mark_broadcast(out.key_id, out.seq)
                self.events.publish("sent", {"key_id": out.key_id, "seq": out.seq})
        elif isinstance(out, Rejected):
            self.health.rejected += 1
            self.health.last_rejection = f"{out.reason}: {out.detail}"

    def _store_bulletin(self, out: BulletinAccepted, wall: float) -> None:
        """A bulletin counts as held only once it is committed: if the write fails (a full
        disk), the engine forgets it, so no receipt claims it and repair fetches it again
        when there is room."""
        env = out.message.envelope
        try:
            new = self.store.add_bulletin(out.message, out.sender.name, out.targeted, wall)
        except StoreError:
            if isinstance(self.engine, PointEngine):
                self.apply(self.engine.forget_bulletin(env.key_id, env.seq, self.mono()))
            raise
        if self.health.store_error is not None:
            log.info("store writable again (bulletin #%d stored)", env.seq)
            self.health.store_error = None
        if new:
            self.events.publish("bulletin", {"key_id": env.key_id, "seq": env.seq})

    def _help(self, out: Output, wall: float) -> None:
        """Help requests: stored before anything else happens, then announced."""
        help_ = self.store.help
        if isinstance(out, Delivered):
            if help_.mark_sent(out.key_id, out.seq, wall):
                self._help_event(out.key_id, out.seq, "sent")
        elif isinstance(out, HelpUpdateAccepted | HelpUpdateIssued):
            u = out.update
            if help_.set_update(u.point, u.request, out.message, out.reply, wall):
                self._help_event(u.point, u.request, u.state.name.lower())
        elif isinstance(out, HelpUpdateAcked):
            if help_.set_acked(out.point_key, out.request, out.update_seq):
                self._help_event(out.point_key, out.request, "delivered")
        elif isinstance(out, HelpRequestAccepted):
            env = out.message.envelope
            new = help_.add(
                out.message,
                point_id=out.sender.point_id,
                point_name=out.sender.name,
                node=out.node,
                details=out.details,
                details_error=out.details_error,
                at=wall,
            )
            if new:
                log.warning(
                    "HELP REQUEST %s from %s", help_id(env.key_id, env.seq), out.sender.name
                )
                self._help_event(env.key_id, env.seq, "new")

    def _help_event(self, key_id: int, seq: int, change: str) -> None:
        self.events.publish("help", {"id": help_id(key_id, seq), "state": change})

    def erase_help(self) -> int:
        """Point: blank closed requests' personal data once their retention has passed."""
        self._erased_at = self.mono()
        if not isinstance(self.engine, PointEngine):
            return 0
        wall = self.wall()
        try:
            erased = self.store.help.erase_closed(wall - self.config.help_retention_s, wall)
        except StoreError as err:
            log.error("store: %s", err)
            self.health.store_error = str(err)
            return 0
        if erased:
            log.info("erased the personal data of %d closed help request(s)", erased)
            # The engine holds closed requests' signed bytes too (sealed, but the point's
            # key opens them): let them go as well.
            asked = self.engine.help.asked
            for seq in [s for s, a in asked.items() if a.state is HelpState.CLOSED]:
                del asked[seq]
            self.events.publish("help", {"id": "", "state": "erased"})
        return erased

    def _hub_heard(self, out: HubHeard) -> None:
        self.store.set_meta(HUB_TIME, str(out.hub_time))
        self.store.set_meta(HUB_KEY, str(out.key_id))
        self.store.set_meta(HUB_NODE, str(out.node))
        if out.heartbeat:
            self.store.set_meta(HEARTBEAT_SEQ, str(out.seq))
        self.events.publish("hub", {"hub_time": out.hub_time})

    # --- views for the API ----------------------------------------------------------

    def hub_time(self) -> int | None:
        return self.engine.clock.now(self.mono())

    def state(self) -> dict[str, Any]:
        now = self.mono()
        out: dict[str, Any] = {
            "role": self.config.role,
            "name": self.config.name,
            "node": self.transport.node_num,
            "link": self.health.link.value,
            "hub_time": self.hub_time(),
            "queued_frames": sum(len(e.pending) for e in self.engine.outbox.entries()),
            "airtime_used_pct": round(100 * self.engine.outbox.budget.utilisation(now), 2),
            "store_error": self.health.store_error,
            "rejected": self.health.rejected,
        }
        if self.federation is not None:
            out["federation"] = self.federation.state()
        if isinstance(self.engine, PointEngine):
            hub = self.engine.hub
            out["point_id"] = self.engine.point_id
            out["hub_heard_s_ago"] = None if hub is None else round(now - hub.last_heard)
            out["stale_after_s"] = self.config.stale_after_s
            out["reporting"] = self.engine.reporting(now)
        return out
