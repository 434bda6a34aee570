"""A fixture that fails a test which leaves threads, sockets or pseudo-terminals behind.

The ``meshtastic`` library starts one process-global ``publishing`` thread at import
(by design; it is not ours to stop), so that one is allowed.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest

ALLOWED_THREADS = {"publishing"}
GRACE_S = 3.0


def _threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name not in ALLOWED_THREADS}


def _fds() -> set[str]:
    out = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(("socket:", "/dev/pts/", "/dev/ptmx")):
            out.add(f"{fd}->{target}")
    return out


def _what(thread: threading.Thread) -> str:
    target = getattr(thread, "function", None) or getattr(thread, "_target", None)
    return getattr(target, "__qualname__", repr(target))


@pytest.fixture
def no_leaks() -> Iterator[None]:
    threads_before = _threads()
    fds_before = _fds()
    yield
    deadline = time.monotonic() + GRACE_S
    while True:
        threads = _threads() - threads_before
        fds = _fds() - fds_before
        if not threads and not fds:
            return
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    problems = [f"thread {t.name!r} ({_what(t)})" for t in threads]
    problems += [f"fd {f}" for f in sorted(fds)]
    pytest.fail("test left behind: " + ", ".join(problems))
