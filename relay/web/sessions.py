"""Staff sessions and login rate limiting, in memory (a restart logs everyone out).

A session is a random cookie value (HttpOnly, SameSite=Strict) and a separate CSRF
token that the page reads from ``/web/session`` and sends back in a header with every
change: another site can make a browser send the cookie, but it can neither read the
token nor set the header. Sessions expire after a period of inactivity.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

#: A session unused for this long is gone (a staff shift).
IDLE_TIMEOUT_S = 8 * 3600.0
#: Failed logins allowed per client address (and per user name) within the window.
MAX_FAILURES = 5
FAILURE_WINDOW_S = 300.0
#: Most sessions kept at once; the oldest go first (bounded memory).
MAX_SESSIONS = 200


@dataclass
class Session:
    user: str
    csrf: str
    last_used: float


class SessionStore:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._sessions: dict[str, Session] = {}

    def create(self, user: str) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        session = Session(user, secrets.token_urlsafe(32), self._clock())
        if len(self._sessions) >= MAX_SESSIONS:
            oldest = min(self._sessions, key=lambda t: self._sessions[t].last_used)
            del self._sessions[oldest]
        self._sessions[token] = session
        return token, session

    def get(self, token: str | None) -> Session | None:
        """The live session for a cookie value (touching it), or None."""
        if not token:
            return None
        session = self._sessions.get(token)
        now = self._clock()
        if session is None:
            return None
        if now - session.last_used > IDLE_TIMEOUT_S:
            del self._sessions[token]
            return None
        session.last_used = now
        return session

    def drop(self, token: str | None) -> None:
        if token:
            self._sessions.pop(token, None)

    @staticmethod
    def csrf_ok(session: Session, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(session.csrf, given or "")


class LoginLimiter:
    """Counts failed logins per client address and per user name in a sliding window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, list[float]] = {}

    def _recent(self, key: str) -> list[float]:
        now = self._clock()
        times = [t for t in self._failures.get(key, []) if now - t < FAILURE_WINDOW_S]
        if times:
            self._failures[key] = times
        else:
            self._failures.pop(key, None)
        return times

    def retry_after(self, *keys: str) -> float:
        """Seconds until another attempt is allowed for all ``keys`` (0: allowed now)."""
        wait = 0.0
        for key in keys:
            times = self._recent(key)
            if len(times) >= MAX_FAILURES:
                wait = max(wait, FAILURE_WINDOW_S - (self._clock() - times[0]))
        return wait

    def failed(self, *keys: str) -> None:
        now = self._clock()
        for key in keys:
            self._recent(key)
            self._failures.setdefault(key, []).append(now)

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)
