"""Fragmentation: loss, reordering and duplicates; one signature over the whole message."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relay.errors import FragmentError, NotNoodrelayError, TruncatedError
from relay.wire import envelope, fragments
from relay.wire import model as m
from tests.wire.conftest import NOW, fixed_key

HUB = fixed_key(2, "hub-utrecht", m.Role.HUB)


def long_message(chars: int, seed: int = 0) -> bytes:
    """A message of about ``chars`` incompressible characters (random letters)."""
    rng = random.Random(seed)
    text = "".join(rng.choice("qxzjkvwy0123456789") for _ in range(chars))
    body = m.Bulletin(texts=(m.LocalizedText("nl", "Kop", text),))
    return envelope.sign(HUB, 9, NOW, body).raw


def test_small_message_is_one_frame() -> None:
    raw = long_message(40)
    assert fragments.split(raw, 231) == [raw]


@given(
    chars=st.integers(300, 3000),
    seed=st.integers(0, 2**32),
    dupes=st.integers(0, 5),
)
def test_reassembly_in_any_order_with_duplicates(chars: int, seed: int, dupes: int) -> None:
    raw = long_message(chars)
    frames = fragments.split(raw, 231)
    assert all(len(f) <= 231 for f in frames)
    rng = random.Random(seed)
    stream = frames + [rng.choice(frames) for _ in range(dupes)]
    rng.shuffle(stream)
    r = fragments.Reassembler()
    done = [out for f in stream if (out := r.feed(f, 0.0)) is not None]
    assert done == [raw]
    assert envelope.parse(done[0]).envelope.seq == 9


def test_loss_is_reported_for_repair_and_filled_later() -> None:
    raw = long_message(1200)
    frames = fragments.split(raw, 231)
    r = fragments.Reassembler()
    for f in frames[:1] + frames[2:]:
        assert r.feed(f, 0.0) is None
    mid = fragments.message_id(raw)
    assert r.missing() == {mid: 0b10}
    assert r.feed(frames[1], 5.0) == raw
    assert r.missing() == {}


def test_incomplete_messages_expire_and_are_bounded() -> None:
    r = fragments.Reassembler(ttl=60, max_pending=2)
    msgs = [long_message(600, seed=i) for i in range(3)]
    for raw in msgs:
        r.feed(fragments.split(raw, 231)[0], 0.0)
    assert len(r.missing()) == 2  # the oldest was dropped
    r.expire(61.0)
    assert r.missing() == {}


def test_mixed_fragments_are_detected() -> None:
    a, b = long_message(700), long_message(700, seed=1)
    fa, fb = fragments.split(a, 231), fragments.split(b, 231)
    forged = fb[1][:1] + fa[1][1:4] + fb[1][4:]  # b's slice under a's id
    r = fragments.Reassembler()
    with pytest.raises(FragmentError, match="does not match"):
        for f in [fa[0], forged, *fa[2:]]:
            r.feed(f, 0.0)


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (bytes([0xA9, 1, 2, 3]), TruncatedError),
        (bytes([0xA9, 1, 2, 3, 0x30, 0]), FragmentError),  # index 3 of 1
        (bytes([0xA9, 1, 2, 3, 0x00, 0]), FragmentError),  # a "fragment" of a 1-frame message
        (bytes([0xA1, 1, 2, 3, 0x01, 0]), NotNoodrelayError),
    ],
)
def test_bad_fragments(frame: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        fragments.Reassembler().feed(frame, 0.0)


def test_too_large_message_is_refused() -> None:
    with pytest.raises(FragmentError, match="fragments"):
        fragments.split(bytes([0xA1]) * 5000, 231)
