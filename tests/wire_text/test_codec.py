"""The text codec: round trips, never expanding, and what it does with bad blobs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relay.errors import CorruptError
from relay.wire.text import (
    FORMATS,
    MAX_TEXT_BYTES,
    RAW,
    TextCodec,
    UnencodableTextError,
    UnknownTextFormatError,
    decode_text,
    encode_text,
)
from relay.wire.text.codec import load_model

CORPUS = Path(__file__).resolve().parents[2] / "tools" / "training" / "bulletins-nl.txt"


def corpus_lines() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [x for x in lines if x and not x.startswith(("#", "["))]


# Any text, including the separators relay/wire/textblob.py puts between strings.
any_text = st.text(max_size=300) | st.text("ab \x1e\x1féë€\U0001f600", max_size=50)


@given(any_text)
def test_round_trip_any_text(text: str) -> None:
    assert decode_text(encode_text(text)) == text


@given(any_text)
def test_never_expands(text: str) -> None:
    assert len(encode_text(text)) <= 1 + len(text.encode("utf-8"))


def test_sample_texts_shrink_and_round_trip() -> None:
    for line in corpus_lines():
        blob = encode_text(line)
        assert blob[0] != RAW, line
        assert len(blob) < 0.6 * len(line.encode()), line
        assert decode_text(blob) == line


def test_several_languages_share_one_blob() -> None:
    nl = "Kookadvies\x1fKook leidingwater minimaal 1 minuut. Dit advies geldt tot nader bericht."
    en = "en\x1fBoil water advice\x1fBoil tap water for at least one minute."
    joined = nl + "\x1e" + en
    assert decode_text(encode_text(joined)) == joined
    assert len(encode_text(joined)) <= len(encode_text(nl)) + len(encode_text(en))


def test_body_profits_from_the_headline_context() -> None:
    headline = "Noodsteunpunt Kwakkelpolder open"
    body = "Het noodsteunpunt Kwakkelpolder is open van 08:00 tot 20:00."
    together = len(encode_text(headline + "\x1f" + body))
    assert together < len(encode_text(headline)) + len(encode_text(body)) - 2


def test_empty_and_incompressible_texts_travel_raw() -> None:
    assert encode_text("") == b"\x00"
    assert encode_text("x") == b"\x00x"
    assert decode_text(b"\x00") == ""
    arabic = "مرحبا"
    assert encode_text(arabic) == b"\x00" + arabic.encode()


def test_text_longer_than_limit_travels_raw() -> None:
    text = "Drinkwater bij het noodsteunpunt. " * (MAX_TEXT_BYTES // 30)
    assert len(text.encode()) > MAX_TEXT_BYTES
    blob = encode_text(text)
    assert blob[0] == RAW
    assert decode_text(blob) == text


def test_lone_surrogate_is_refused() -> None:
    with pytest.raises(UnencodableTextError):
        encode_text("bad \ud800 text")


@pytest.mark.parametrize(
    ("blob", "error"),
    [
        (b"", CorruptError),
        (b"\x00\xff\xfe", CorruptError),  # raw but not UTF-8
        (b"\x7f\x12\x34", UnknownTextFormatError),  # a format this reader does not know
        (b"\xff", UnknownTextFormatError),
    ],
)
def test_malformed_blobs(blob: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        decode_text(blob)


def test_unknown_format_is_a_corrupt_error() -> None:
    assert issubclass(UnknownTextFormatError, CorruptError)


def test_compressed_where_raw_is_written_is_refused() -> None:
    model = load_model(FORMATS[1])
    packed = model.encode(b"zq")
    assert len(packed) >= 2  # the encoder would have written raw
    with pytest.raises(CorruptError, match="encoder writes raw"):
        decode_text(b"\x01" + packed)


def test_non_canonical_padding_is_refused() -> None:
    blob = encode_text("Noodsteunpunt Lunetten open van 08:00 tot 20:00.")
    # The decoder reads zeros past the end; the encoder never writes them.
    with pytest.raises(CorruptError, match="canonical"):
        decode_text(blob + b"\x00")


def test_decompression_is_bounded() -> None:
    text = "a" * 4000  # compresses to a few bytes
    blob = TextCodec().encode(text)
    assert blob[0] != RAW and len(blob) < 40
    with pytest.raises(CorruptError, match="beyond 1000 bytes"):
        TextCodec(max_bytes=1000).decode(blob)


def test_truncated_blobs_never_give_the_original_text() -> None:
    """Arithmetic coding leaves no redundancy: most truncations decode to *another*
    text (the signature of the envelope catches them). What the codec guarantees: never
    the original, never anything but str or CorruptError, always canonical."""
    for line in corpus_lines()[:20]:
        blob = encode_text(line)
        for cut in range(1, len(blob)):
            try:
                text = decode_text(blob[:cut])
            except CorruptError:
                continue
            assert text != line
            assert encode_text(text) == blob[:cut]


@settings(max_examples=300)
@given(st.binary(max_size=200))
def test_fuzz_random_blobs(blob: bytes) -> None:
    try:
        text = decode_text(blob)
    except CorruptError:
        return
    # Whatever decodes is exactly what the encoder writes for that text.
    assert encode_text(text) == blob


@settings(max_examples=200)
@given(st.sampled_from(corpus_lines()), st.data())
def test_fuzz_mutated_blobs(line: str, data: st.DataObject) -> None:
    blob = bytearray(encode_text(line))
    pos = data.draw(st.integers(0, len(blob) - 1))
    blob[pos] ^= data.draw(st.integers(1, 255))
    try:
        text = decode_text(bytes(blob))
    except CorruptError:
        return
    assert text != line
    assert encode_text(text) == bytes(blob)
