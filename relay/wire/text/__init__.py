"""TEMPORARY local shim (not committed): raw UTF-8 behind a 1-byte header."""

from relay.errors import CorruptError


def encode_text(text: str) -> bytes:
    return b"\x00" + text.encode()


def decode_text(data: bytes) -> str:
    if not data or data[0] != 0:
        raise CorruptError("bad text")
    try:
        return data[1:].decode()
    except UnicodeDecodeError as err:
        raise CorruptError("bad utf8") from err
