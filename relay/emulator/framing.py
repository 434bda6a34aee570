"""Meshtastic stream framing: ``0x94 0xC3``, a 2-byte big-endian length, then a protobuf.

Serial and TCP carry the same byte stream. Bytes outside frames are the device's log
text (or wake-up bytes from the client) and are handed back separately, never parsed
as protobuf. A length above 512 means we locked onto a false start: like the firmware,
we drop that start and look for the next ``0x94 0xC3``.

This module is pure: bytes in, frames out. It never reads a socket.
"""

from __future__ import annotations

from dataclasses import dataclass, field

START1 = 0x94
START2 = 0xC3
HEADER_LEN = 4
#: Largest ToRadio/FromRadio the firmware accepts (``MAX_TO_FROM_RADIO_SIZE``).
MAX_FRAME_PAYLOAD = 512


class FrameTooLargeError(ValueError):
    """A protobuf that does not fit one stream frame."""


def encode_frame(payload: bytes) -> bytes:
    """One frame around ``payload`` (an encoded ToRadio or FromRadio)."""
    if len(payload) > MAX_FRAME_PAYLOAD:
        raise FrameTooLargeError(
            f"{len(payload)} bytes do not fit a stream frame (max {MAX_FRAME_PAYLOAD})"
        )
    return bytes((START1, START2, len(payload) >> 8, len(payload) & 0xFF)) + payload


@dataclass(slots=True)
class Extracted:
    """What one pass over the buffer found."""

    frames: list[bytes] = field(default_factory=list)
    #: Bytes that belonged to no frame (log text, wake-up bytes, line noise).
    noise: bytes = b""
    #: Frames dropped because their length field was impossible.
    bad_lengths: int = 0


def extract_frames(buffer: bytearray) -> Extracted:
    """Take every complete frame out of ``buffer``; leave an incomplete tail in it.

    ``buffer`` is consumed from the front: afterwards it holds only the start of a frame
    that needs more bytes (or nothing).
    """
    out = Extracted()
    noise = bytearray()
    pos = 0
    end = len(buffer)
    while pos < end:
        start = buffer.find(START1, pos)
        if start < 0:
            noise += buffer[pos:end]
            pos = end
            break
        noise += buffer[pos:start]
        if start + 1 >= end:
            pos = start  # a lone START1 at the end: wait for more
            break
        if buffer[start + 1] != START2:
            noise.append(buffer[start])
            pos = start + 1
            continue
        if start + HEADER_LEN > end:
            pos = start  # header incomplete
            break
        length = (buffer[start + 2] << 8) | buffer[start + 3]
        if length > MAX_FRAME_PAYLOAD:
            out.bad_lengths += 1
            noise += buffer[start : start + 2]
            pos = start + 2  # resync: search again after this false start
            continue
        if start + HEADER_LEN + length > end:
            pos = start  # payload incomplete
            break
        out.frames.append(bytes(buffer[start + HEADER_LEN : start + HEADER_LEN + length]))
        pos = start + HEADER_LEN + length
    del buffer[:pos]
    out.noise = bytes(noise)
    return out


class FrameReader:
    """Feed it bytes as they arrive; it returns the complete frames."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        #: Count of impossible length fields seen (a corrupt or foreign stream).
        self.bad_lengths = 0

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        found = extract_frames(self._buffer)
        self.bad_lengths += found.bad_lengths
        return found.frames

    @property
    def pending(self) -> int:
        """Bytes held back waiting for the rest of a frame."""
        return len(self._buffer)
