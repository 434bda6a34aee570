"""Writing a file whole or not at all, with its mode set before any byte is in it.

Provisioning and profile rendering write files that hold secrets (a channel key) or
that a service reads at start (relay.toml, the systemd unit). A power cut halfway
must leave the old file, never half a file; a secret must never exist, even for an
instant, with a mode that lets others read it.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from relay.errors import DiskFullError, FileAccessError


def write_atomic(path: Path, data: bytes | str, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` (text is UTF-8): temporary file, fsync, rename."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            os.fchmod(fd, mode)  # O_CREAT's mode is filtered by the umask
            os.write(fd, raw)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        if err.errno == errno.ENOSPC:
            raise DiskFullError(f"disk full: cannot write {path}") from err
        raise FileAccessError(f"cannot write {path}: {err.strerror or err}") from err
