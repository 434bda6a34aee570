"""Starting the radio without taking the node down when it is not there yet.

A daemon whose radio was unreachable at start used to exit (code 7) and take the
screens and the CLI with it. Now the node serves its screens, its API and its store
at once; the first connection is retried in the background with the supervisor's
capped backoff (after that, the transport's own supervisor keeps the link up), and
the link state tells the kiosk to say "geen radioverbinding" meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import random

from relay.errors import RadioError
from relay.radio.supervisor import Backoff
from relay.radio.transport import Transport

log = logging.getLogger(__name__)


async def start_or_retry(
    transport: Transport, backoff: Backoff | None = None
) -> asyncio.Task[None] | None:
    """Start ``transport``; if that fails, a task that keeps trying (None: started)."""
    try:
        await transport.start()
    except RadioError as err:
        log.error("radio unreachable at start (%s); screens and CLI keep working, retrying", err)
        return asyncio.create_task(_retry(transport, backoff or Backoff()), name="radio start")
    return None


async def _retry(transport: Transport, backoff: Backoff) -> None:
    rng = random.Random()  # noqa: S311 - jitter, not a secret
    attempt = 0
    while True:
        await asyncio.sleep(backoff.delay(attempt, rng))
        attempt += 1
        try:
            await transport.start()
        except RadioError as err:
            log.warning("radio still unreachable (attempt %d): %s", attempt, err)
            continue
        log.info("radio reached after %d attempts", attempt)
        return
