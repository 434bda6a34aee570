"""Template calls on the wire: compact, round trip, and only typed errors for bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from relay.errors import CorruptError, UnknownKindError
from relay.wire import hubtime
from relay.wire.templates import (
    PLACES,
    TEMPLATES,
    UNTIL_FURTHER_NOTICE,
    Catalogue,
    ParamType,
    Place,
    Template,
    TemplateCall,
    TemplateParamError,
    UnknownTemplateError,
    WireCall,
    from_wire,
    pack_texts,
    parse_call,
    render_call,
    split_params,
    to_wire,
    unpack_texts,
)

NOW = hubtime.from_datetime(datetime(2026, 11, 28, 14, 30, 7, tzinfo=UTC))
CATALOGUE = Catalogue()
texts = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40)


def values_for(template: Template) -> st.SearchStrategy[tuple[object, ...]]:
    minutes_ahead = st.integers(-24 * 60, 60 * 24 * 60)
    time = minutes_ahead.map(lambda m: (NOW // 60 + m) * 60)
    by_type = {
        ParamType.TEXT: texts,
        ParamType.PLACE: st.sampled_from(sorted(PLACES)).map(lambda c: Place(code=c))
        | texts.map(lambda t: Place(text=t)),
        ParamType.TIME: time,
        ParamType.UNTIL: time | st.just(UNTIL_FURTHER_NOTICE),
        ParamType.CLOCK: st.integers(0, 1439),
        ParamType.DURATION: st.integers(0, 10**6),
        ParamType.COUNT: st.integers(0, 10**9),
    }
    return st.tuples(*(by_type[p.type] for p in template.params))


@st.composite
def calls(draw: st.DrawFn) -> TemplateCall:
    template = draw(st.sampled_from(TEMPLATES))
    return TemplateCall(template.code, draw(values_for(template)))  # type: ignore[arg-type]


@given(calls())
def test_round_trip(call: TemplateCall) -> None:
    wire = to_wire(CATALOGUE, call, NOW)
    assert from_wire(CATALOGUE, wire, NOW) == call
    assert all(n >= 0 for n in wire.numbers)


def varint_len(n: int) -> int:
    return max(1, (n.bit_length() + 6) // 7)


def wire_size(wire: WireCall) -> int:
    """Bytes of the protobuf TemplateCall (code, packed numbers, texts)."""
    size = 1 + varint_len(wire.code)
    packed = sum(varint_len(n) for n in wire.numbers)
    size += 2 + packed if packed else 0
    return size + sum(2 + len(t.encode()) for t in wire.texts)


def test_readme_call_is_small() -> None:
    template = CATALOGUE.find("boil-water")
    call = parse_call(template, split_params(["area=Houten", "until=vrijdag 12:00"]), NOW)
    wire = to_wire(CATALOGUE, call, NOW)
    assert wire.numbers[0] == 8  # the gazetteer code of Houten
    assert wire_size(wire) <= 8  # a time six days ahead still fits two varint bytes


def test_time_in_ten_days_takes_two_bytes() -> None:
    template = CATALOGUE.find("fuel-delivery")
    call = parse_call(template, {"when": "2026-12-08 12:00"}, NOW)
    (n,) = to_wire(CATALOGUE, call, NOW).numbers
    assert varint_len(n) == 2


def test_time_long_before_the_message_cannot_be_sent() -> None:
    call = TemplateCall(10, ((NOW // 60 - 2 * 24 * 60) * 60,))
    with pytest.raises(TemplateParamError, match="when"):
        to_wire(CATALOGUE, call, NOW)


def test_text_values_compress_together() -> None:
    values = ("Overvecht (wijkcentrum De Dreef)", "station Culemborg")
    blob = pack_texts(values)
    assert unpack_texts(blob) == values
    assert len(blob) < sum(len(v) for v in values) * 0.7
    assert unpack_texts(pack_texts(())) == ()


@pytest.mark.parametrize(
    "wire",
    [
        WireCall(1, (8,), ()),  # too few numbers
        WireCall(1, (8, 5, 7), ()),  # too many
        WireCall(1, (0, 5), ()),  # free-text place without its text
        WireCall(1, (8, 5), ("extra",)),
        WireCall(1, (999, 5), ()),  # no such place code
        WireCall(5, (), ("point",)),  # clocks missing
        WireCall(5, (2000, 3000), ("point",)),  # 33:20 is no time of day
        WireCall(10, (0,), ()),  # a TIME cannot be "until further notice"
        WireCall(10, (1 << 50,), ()),
        WireCall(8, (5,), ("", "detour")),  # empty text
    ],
)
def test_malformed_calls(wire: WireCall) -> None:
    with pytest.raises(CorruptError):
        from_wire(CATALOGUE, wire, NOW)


def test_unknown_code_is_a_newer_hub() -> None:
    with pytest.raises(UnknownTemplateError) as info:
        from_wire(CATALOGUE, WireCall(999), NOW)
    assert info.value.code == 999
    assert isinstance(info.value, UnknownKindError)


@example(code=10, numbers=[4_193_441_851], texts_=[])  # once rendered as the year 10000
@given(
    st.integers(0, 20),
    st.lists(st.integers(0, 2**64 - 1), max_size=6),
    st.lists(st.text(max_size=20), max_size=4),
)
def test_fuzz_only_typed_errors(code: int, numbers: list[int], texts_: list[str]) -> None:
    wire = WireCall(code, tuple(numbers), tuple(texts_))
    try:
        call = from_wire(CATALOGUE, wire, NOW)
    except (CorruptError, UnknownKindError):
        return
    for lang in ("nl", "en"):
        render_call(CATALOGUE, call, lang)
