"""The stream framing: frames survive any split, noise is skipped, bad lengths resync."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relay.emulator.framing import (
    MAX_FRAME_PAYLOAD,
    FrameReader,
    FrameTooLargeError,
    encode_frame,
    extract_frames,
)

payloads = st.lists(st.binary(max_size=MAX_FRAME_PAYLOAD), max_size=8)
# Log text between frames: anything without the start byte, like the device's ASCII logs.
noise = st.binary(max_size=40).map(lambda b: b.replace(b"\x94", b"."))


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, last = [], 0
    for p in points:
        pieces.append(data[last:p])
        last = p
    pieces.append(data[last:])
    return pieces


@given(payloads, st.lists(noise, min_size=9, max_size=9), st.lists(st.integers(0, 10_000)))
def test_frames_survive_any_split_and_noise(frames, gaps, cuts):
    stream = b"".join(gap + encode_frame(f) for gap, f in zip(gaps, frames, strict=False))
    reader = FrameReader()
    got = []
    for piece in _split(stream, cuts):
        got.extend(reader.feed(piece))
    assert got == frames
    assert reader.pending == 0


@given(payloads)
def test_one_byte_at_a_time(frames):
    stream = b"".join(encode_frame(f) for f in frames)
    reader = FrameReader()
    got = [frame for i in range(len(stream)) for frame in reader.feed(stream[i : i + 1])]
    assert got == frames


def test_noise_is_reported_not_parsed():
    buf = bytearray(b"INFO boot\r\n" + encode_frame(b"\x08\x01") + b"DEBUG x\n")
    found = extract_frames(buf)
    assert found.frames == [b"\x08\x01"]
    assert found.noise == b"INFO boot\r\nDEBUG x\n"
    assert buf == b""


def test_wake_up_bytes_are_noise():
    # The client starts with 32 x 0xC3; they must not disturb the first real frame.
    buf = bytearray(b"\xc3" * 32 + encode_frame(b"\x18\x2a"))
    assert extract_frames(buf).frames == [b"\x18\x2a"]


def test_impossible_length_resyncs_on_next_start():
    bogus = bytes([0x94, 0xC3, 0x7F, 0xFF])  # 32767 > 512
    buf = bytearray(bogus + encode_frame(b"ok"))
    found = extract_frames(buf)
    assert found.frames == [b"ok"]
    assert found.bad_lengths == 1


def test_incomplete_frame_waits():
    frame = encode_frame(b"abcdef")
    buf = bytearray(frame[:5])
    assert extract_frames(buf).frames == []
    assert buf == frame[:5]
    buf += frame[5:]
    assert extract_frames(buf).frames == [b"abcdef"]


def test_empty_frame_is_a_frame():
    # A zero-length protobuf is valid (an empty ToRadio).
    assert FrameReader().feed(encode_frame(b"")) == [b""]


def test_encode_refuses_oversize():
    with pytest.raises(FrameTooLargeError, match="513 bytes"):
        encode_frame(b"x" * (MAX_FRAME_PAYLOAD + 1))
