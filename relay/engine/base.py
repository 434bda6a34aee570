"""What hub and point engines share: inputs, timers, the outbox pump, trust learning.

The driver (daemon or simulator) calls :meth:`Engine.receive`, :meth:`Engine.on_send_result`
and :meth:`Engine.tick` with its clock value, executes the returned :class:`Transmit`
outputs, persists the notifications, and calls :meth:`Engine.tick` again at
:meth:`Engine.next_deadline`.
"""

from __future__ import annotations

import logging
import random

from relay.engine.budget import AirtimeBudget
from relay.engine.catalogue import Catalogue
from relay.engine.config import EngineConfig
from relay.engine.hubclock import HubClock
from relay.engine.outbox import Completed, Failed, Outbox
from relay.engine.outputs import Output, TrustLearned
from relay.engine.receiver import Receiver
from relay.errors import RelayError
from relay.link import Frame, SendStatus
from relay.wire import statusframe
from relay.wire.describe import reason_code
from relay.wire.issuer import Issuer
from relay.wire.model import Certificate, Kind, Revocation
from relay.wire.replay import ReplayGuard
from relay.wire.trust import Keyring, Verified, Verifier

log = logging.getLogger(__name__)

EXPIRE = "expire"


class Engine:
    def __init__(
        self,
        config: EngineConfig,
        issuer: Issuer,
        keyring: Keyring,
        clock: HubClock,
        rng: random.Random,
        replay: ReplayGuard | None = None,
    ) -> None:
        self.config = config
        self.issuer = issuer
        self.keyring = keyring
        self.clock = clock
        self.rng = rng
        self.replay = replay or ReplayGuard()
        self.outbox = Outbox(config, AirtimeBudget(config.budget_fraction))
        self.receiver = Receiver(Verifier(keyring, self.replay), config.fragment_ttl_s)
        self.catalogue = Catalogue()
        self._timers: dict[str, float] = {}
        #: Share of time the radio heard the channel busy (0.25 = 25 %), as it last said.
        self.channel_utilisation: float | None = None

    # --- the driver's interface -----------------------------------------------------

    def receive(self, frame: Frame, now: float) -> list[Output]:
        if statusframe.is_status_frame(frame.payload):
            return self._status_frame(frame, now) + self._pump(now)
        verified, rejected = self.receiver.receive(frame, now, self.clock.now(now))
        out: list[Output] = []
        if rejected is not None:
            log.info("refused frame from !%08x: %s", frame.sender, rejected.detail)
            out.append(rejected)
            if rejected.reason == "unknown_key":
                for key_id, node in self.receiver.unknown_keys().items():
                    self._on_unknown_key(key_id, node, now)
        if verified is not None:
            out += self._accept_any(verified, frame.sender, now)
        out += self._pump(now)
        return out

    def on_send_result(self, token: int, status: SendStatus, now: float) -> list[Output]:
        event = self.outbox.on_result(token, status, now)
        out: list[Output] = []
        if isinstance(event, Completed):
            out += self._completed(event, now)
        elif isinstance(event, Failed):
            out += self._failed(event, now)
        out += self._pump(now)
        return out

    def tick(self, now: float) -> list[Output]:
        out: list[Output] = []
        for name in [n for n, when in self._timers.items() if when <= now]:
            del self._timers[name]
            out += self._expire(now) if name == EXPIRE else self._on_timer(name, now)
        out += self._pump(now)
        return out

    def next_deadline(self, now: float) -> float | None:
        times = list(self._timers.values())
        outbox = self.outbox.next_deadline(now, self.hub_node)
        if outbox is not None:
            times.append(outbox)
        return min(times) if times else None

    def report_channel(self, utilisation: float, now: float) -> None:
        """The radio's channel utilisation (0..1): routine traffic slows down above
        ``config.busy_channel``."""
        self.channel_utilisation = utilisation

    def report_radio_tx(self, tx_seconds_last_hour: float, now: float) -> None:
        """What the radio says it transmitted in the last hour (our frames and relays)."""
        self.outbox.budget.report_radio_tx(tx_seconds_last_hour, now)

    # --- for subclasses -------------------------------------------------------------

    @property
    def hub_node(self) -> int | None:
        """Node number that TO_HUB frames go to (None: not known yet)."""
        return None

    @property
    def hub_key_id(self) -> int | None:
        """Key id of the hub this engine follows (None: none heard yet, or we are it)."""
        return None

    def _set_timer(self, name: str, when: float, *, earliest: bool = True) -> None:
        """Arm ``name`` at ``when`` (keeping an earlier deadline unless ``earliest`` is False)."""
        current = self._timers.get(name)
        if current is None or not earliest or when < current:
            self._timers[name] = when

    def _clear_timer(self, name: str) -> None:
        self._timers.pop(name, None)

    def _pump(self, now: float) -> list[Output]:
        t = self.outbox.next_transmit(now, self.hub_node)
        return [t] if t is not None else []

    def _accept_any(self, v: Verified, node: int, now: float) -> list[Output]:
        kind = v.message.kind
        if kind in (Kind.CERTIFICATE, Kind.REVOCATION):
            return self._learn_trust(v, now)
        return self._accept(v, node, now)

    def _learn_trust(self, v: Verified, now: float) -> list[Output]:
        body = v.message.envelope.body
        try:
            if isinstance(body, Certificate):
                principal = self.keyring.add_certificate(v.message)
                out: list[Output] = [TrustLearned(v.message)]
                for released, node in self.receiver.release(principal.key_id, self.clock.now(now)):
                    out += self._accept(released, node, now)
                return out
            if isinstance(body, Revocation):
                self.keyring.add_revocation(v.message)
                return [TrustLearned(v.message)]
        except RelayError as err:
            log.warning("certificate or revocation not taken: %s (%s)", err, reason_code(err))
        return []

    def _accept(self, v: Verified, node: int, now: float) -> list[Output]:
        raise NotImplementedError

    def _status_frame(self, frame: Frame, now: float) -> list[Output]:
        """A compact status frame: for the hub only (a point hears its neighbours')."""
        return []

    def _on_unknown_key(self, key_id: int, node: int, now: float) -> None:
        """A message signed by a key we have no certificate for came from ``node``."""

    def _on_timer(self, name: str, now: float) -> list[Output]:
        raise NotImplementedError

    def _completed(self, event: Completed, now: float) -> list[Output]:
        return []

    def _failed(self, event: Failed, now: float) -> list[Output]:
        return []

    def _expire(self, now: float) -> list[Output]:
        """Apply expiry by hub time and arm the timer for the next one."""
        hub_now = self.clock.now(now)
        out: list[Output] = list(self.catalogue.expire(hub_now)) if hub_now is not None else []
        self._arm_expiry(now)
        return out

    def _arm_expiry(self, now: float) -> None:
        hub_now = self.clock.now(now)
        nxt = self.catalogue.next_expiry()
        if hub_now is not None and nxt is not None:
            self._set_timer(EXPIRE, now + max(0, nxt - hub_now) + 1)

    def _jitter(self, bounds: tuple[float, float]) -> float:
        return self.rng.uniform(*bounds)
