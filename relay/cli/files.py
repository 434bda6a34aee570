"""Reading and writing message files: binary, or base64 text for copy and paste; ``-`` is stdio."""

from __future__ import annotations

import base64
import binascii
import sys
from pathlib import Path

from relay.errors import FileAccessError


def read_message(name: str) -> bytes:
    """Bytes of a message file (or stdin for ``-``); base64 text is decoded."""
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as err:
        raise FileAccessError(f"cannot read {name}: {err.strerror or err}") from err
    return maybe_base64(data)


def maybe_base64(data: bytes) -> bytes:
    """Our messages start with 0xA?; anything that is pure base64 text is decoded first."""
    stripped = data.strip()
    if stripped and stripped[0] & 0xF0 != 0xA0:
        try:
            return base64.b64decode(b"".join(stripped.split()), validate=True)
        except (binascii.Error, ValueError):
            return data
    return data


def write_message(name: str, raw: bytes, as_base64: bool) -> None:
    data = base64.b64encode(raw) + b"\n" if as_base64 else raw
    if name == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        Path(name).write_bytes(data)
    except OSError as err:
        raise FileAccessError(f"cannot write {name}: {err.strerror or err}") from err
