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
#: Login attempts allowed per client address within the window (a success resets it).
MAX_FAILURES = 5
FAILURE_WINDOW_S = 300.0
#: Clients tracked before expired entries are swept (bounded memory).
MAX_CLIENTS = 1000
#: scrypt checks running at once (16 MiB and tens of ms each; the Pi has 4 cores)...
MAX_CONCURRENT_CHECKS = 2
#: ... and waiting for one; more logins at once are answered "busy, retry".
MAX_QUEUED_CHECKS = 8
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
    """Login attempts per client in a sliding window, counted *before* the password check.

    ``begin`` books the attempt at once (the event loop runs it without a pause), so 200
    parallel requests cannot all pass the check while the first scrypt runs: only
    ``MAX_FAILURES`` are let through. A successful login clears its client's count. The
    count is keyed by client only, never by user name alone: an attacker guessing Anna's
    password from one machine must not lock Anna out on the kiosk she logs in from.
    (Guessing from many addresses is slowed by the bound on concurrent checks.)
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._attempts: dict[str, list[float]] = {}

    def _recent(self, key: str) -> list[float]:
        now = self._clock()
        times = [t for t in self._attempts.get(key, []) if now - t < FAILURE_WINDOW_S]
        if times:
            self._attempts[key] = times
        else:
            self._attempts.pop(key, None)
        return times

    def begin(self, key: str) -> float:
        """Book an attempt for ``key``: 0 if allowed, else seconds until one is."""
        if len(self._attempts) > MAX_CLIENTS:
            self._forget_idle()
        times = self._recent(key)
        if len(times) >= MAX_FAILURES:
            return max(FAILURE_WINDOW_S - (self._clock() - times[0]), 0.001)
        self._attempts[key] = [*times, self._clock()]
        return 0.0

    def succeeded(self, key: str) -> None:
        self._attempts.pop(key, None)

    def _forget_idle(self) -> None:
        """Bounded memory under a flood from many addresses: drop expired entries."""
        for key in list(self._attempts):
            self._recent(key)
