"""Random and mutated frames into the decoder and reassembler: typed errors only."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relay.errors import RelayError
from relay.wire import envelope, fragments
from relay.wire import model as m
from relay.wire.replay import ReplayGuard
from relay.wire.trust import Verifier
from tests.wire.conftest import NOW, fixed_key, make_region
from tests.wire.strategies import bodies

HUB = fixed_key(2, "hub-utrecht", m.Role.HUB)
REGION = make_region()


def _consume(frame: bytes, reassembler: fragments.Reassembler, verifier: Verifier) -> None:
    try:
        raw = reassembler.feed(frame, 0.0) if envelope.is_fragment(frame) else frame
        if raw is not None:
            verifier.verify(raw, now=NOW)
    except RelayError:
        pass  # typed and expected; anything else fails the test


@given(st.binary(max_size=400))
@settings(max_examples=2000)
def test_random_bytes(frame: bytes) -> None:
    _consume(frame, fragments.Reassembler(), Verifier(REGION.keyring(), ReplayGuard()))


@given(st.binary(max_size=300))
@settings(max_examples=1000)
def test_random_bytes_behind_our_markers(tail: bytes) -> None:
    r, v = fragments.Reassembler(), Verifier(REGION.keyring(), ReplayGuard())
    for marker in (envelope.WHOLE_MARKER, envelope.FRAGMENT_MARKER):
        _consume(bytes([marker]) + tail, r, v)


@given(body=bodies, data=st.data())
@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_valid_messages(body: m.Body, data: st.DataObject) -> None:
    raw = bytearray(envelope.sign(HUB, 3, NOW, body).raw)
    for _ in range(data.draw(st.integers(1, 6))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        i = data.draw(st.integers(0, max(0, len(raw) - 1)))
        if op == "flip" and raw:
            raw[i] ^= data.draw(st.integers(1, 255))
        elif op == "cut":
            del raw[i : i + data.draw(st.integers(1, 20))]
        else:
            raw[i:i] = data.draw(st.binary(min_size=1, max_size=8))
    r, v = fragments.Reassembler(), Verifier(REGION.keyring(), ReplayGuard())
    for frame in fragments.split(bytes(raw), 231) if len(raw) > 231 else [bytes(raw)]:
        _consume(frame, r, v)
