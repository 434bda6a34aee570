"""Per-key sequence counters that never hand out a number twice, across reboots.

Receivers reject a sequence number they have seen, so a key that reused one after a
power cut would have its next messages refused. The counter lives in ``NAME.seq``
beside the private key; every number is on disk (written, fsynced, renamed) before it
is returned. A process lock (``fcntl.flock``) lets the CLI and the daemon share one
key without ever drawing the same number.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from relay.errors import DiskFullError, KeyFileError


class SequenceCounter:
    """A persistent, strictly increasing counter in a small text file."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock_path = path.with_name(path.name + ".lock")

    @classmethod
    def beside(cls, key_path: Path) -> SequenceCounter:
        """The counter of the private key at ``key_path`` (``NAME.seq``)."""
        return cls(key_path.with_suffix(".seq"))

    @property
    def path(self) -> Path:
        return self._path

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _read(self) -> int:
        try:
            text = self._path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return 0
        except (OSError, UnicodeDecodeError) as err:
            raise KeyFileError(f"cannot read sequence counter {self._path}: {err}") from err
        if not text.isdigit():
            raise KeyFileError(
                f"sequence counter {self._path} is damaged ({text[:20]!r}); restore it from the "
                "highest sequence number this key has used, never a lower one"
            )
        return int(text)

    def _write(self, value: int) -> None:
        tmp = self._path.with_name(self._path.name + ".tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(f"{value}\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self._path)
            dir_fd = os.open(self._path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as err:
            if err.errno == errno.ENOSPC:
                raise DiskFullError(f"disk full: cannot advance {self._path}") from err
            raise KeyFileError(f"cannot write sequence counter {self._path}: {err}") from err

    def current(self) -> int:
        """The last number handed out (0 if none)."""
        with self._locked():
            return self._read()

    def next(self) -> int:
        """Reserve and return the next number (it is on disk before this returns)."""
        with self._locked():
            value = self._read() + 1
            self._write(value)
            return value

    def advance_to(self, value: int) -> None:
        """Make sure the next number is above ``value`` (after restoring a backup)."""
        with self._locked():
            if value > self._read():
                self._write(value)
