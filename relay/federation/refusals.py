"""Refused federation messages: each logged with its reason, counted, the last few kept
for the API (``/api/state``)."""

from __future__ import annotations

import logging
from collections import Counter, deque
from typing import Any

log = logging.getLogger(__name__)


class Refusals:
    """Refused federation messages: counted by reason, the last few kept for the API."""

    def __init__(self) -> None:
        self.by_reason: Counter[str] = Counter()
        self.recent: deque[dict[str, str]] = deque(maxlen=20)
        self.duplicates = 0

    def add(self, topic: str, reason: str, detail: str) -> None:
        log.warning("federation: refused message on %s: %s (%s)", topic, detail, reason)
        self.by_reason[reason] += 1
        self.recent.append({"topic": topic, "reason": reason, "detail": detail})

    def view(self) -> dict[str, Any]:
        return {
            "refused": dict(self.by_reason),
            "recent_refusals": list(self.recent),
            "duplicates": self.duplicates,
        }
