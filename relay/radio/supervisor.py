"""Keeping a radio link up: reconnect with capped exponential backoff, report every change.

The ``meshtastic`` library has no reconnect for serial at all, and its TCP reconnect is
silent (no event, packets lost in the gap), so the adapter disables the latter and does
both here, the same way. The supervisor knows nothing about Meshtastic: it gets a
``connect`` coroutine that returns a :class:`SupervisedLink` and a callback for state
changes, so it is tested with fake links and a fake sleep.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from relay.errors import RadioConnectError, RadioError, SlotTakenError
from relay.radio.transport import LinkState

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before reconnect attempt ``n`` (0-based): ``initial * factor**n``, capped."""

    initial_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 30.0
    #: Spread each delay by up to this fraction, so a fleet does not retry in lockstep.
    jitter: float = 0.1

    def delay(self, attempt: int, rng: random.Random) -> float:
        base = min(self.cap_s, self.initial_s * self.factor ** min(attempt, 64))
        return base * (1.0 + self.jitter * (2.0 * rng.random() - 1.0))


class LossReason(enum.Enum):
    """Why a link ended; it decides how long to wait before the next attempt."""

    LINK_FAILED = "link failed"  # reset, unplugged, I/O error, unanswered frame
    CLOSED_BY_DEVICE = "closed by the device"  # a clean close: another client took the slot
    CLOSED = "closed by us"


class SupervisedLink(Protocol):
    """One connection; it ends exactly once."""

    async def wait_lost(self) -> LossReason: ...


L = TypeVar("L", bound=SupervisedLink)

#: Told about every state change, with the error that caused it (if any).
StateReport = Callable[[LinkState, RadioError | None], None]


class Supervisor(Generic[L]):
    """Reconnects after a loss until :meth:`stop`; one task per transport."""

    def __init__(
        self,
        connect: Callable[[], Awaitable[L]],
        report: StateReport,
        *,
        rng: random.Random,
        backoff: Backoff | None = None,
        slot_backoff: Backoff | None = None,
        on_link: Callable[[L], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        slot_error: Callable[[], RadioError] | None = None,
    ) -> None:
        self._connect = connect
        self._report = report
        self._rng = rng
        self._backoff = backoff or Backoff()
        self._slot_backoff = slot_backoff or Backoff(initial_s=15.0, cap_s=120.0)
        self._on_link = on_link
        self._sleep = sleep
        self._slot_error = slot_error
        #: Attempts made since the last loss (for logs and tests).
        self.attempts = 0

    async def run(self, link: L) -> None:
        """Watch ``link``; on loss, reconnect with backoff; forever (cancel to stop)."""
        while True:
            reason = await link.wait_lost()
            if reason is LossReason.CLOSED:
                return
            error = self._loss_error(reason)
            logger.warning("radio link lost (%s)", reason.value)
            self._report(LinkState.DISCONNECTED, error)
            link = await self._reconnect(reason)
            if self._on_link is not None:
                self._on_link(link)
            self._report(LinkState.CONNECTED, None)

    def _loss_error(self, reason: LossReason) -> RadioError:
        if reason is LossReason.CLOSED_BY_DEVICE and self._slot_error is not None:
            return self._slot_error()
        return RadioConnectError(f"radio link lost: {reason.value}")

    async def _reconnect(self, reason: LossReason) -> L:
        policy = self._slot_backoff if reason is LossReason.CLOSED_BY_DEVICE else self._backoff
        self.attempts = 0
        while True:
            delay = policy.delay(self.attempts, self._rng)
            logger.info(
                "reconnecting to the radio in %.1f s (attempt %d)", delay, self.attempts + 1
            )
            await self._sleep(delay)
            self.attempts += 1
            try:
                return await self._connect()
            except RadioError as err:
                logger.warning("reconnect failed: %s", err)
                self._report(LinkState.DISCONNECTED, err)
                # Once the device is back but busy with another client, keep the long wait.
                slot = isinstance(err, SlotTakenError)
                policy = self._slot_backoff if slot else self._backoff
            except Exception as err:  # a bug, not a radio problem: say so, keep trying
                logger.exception("reconnect attempt crashed")
                self._report(LinkState.DISCONNECTED, RadioConnectError(f"reconnect crashed: {err}"))
