"""Compact text for the radio: ``encode_text`` / ``decode_text``.

A blob is one format byte (0 = raw UTF-8; 1 = PPM order 4 primed with model ``nl-1``)
and the data. Several strings that belong together (a bulletin's headline and body in
several languages) go through one call, joined by U+001F/U+001E as in
``relay/wire/textblob.py``, so the later ones profit from the context of the earlier ones;
the model is primed with those separators too.

Why PPM and not zlib (measured with ``tools/bench_codec.py`` on the sample corpus;
medians of blob size / raw UTF-8, each sample compressed by a model built *without* it):

=================  =========  ========  =========
codec               bulletins  phrases   off-topic
=================  =========  ========  =========
zlib, no dict       0.75       0.88      0.79
raw deflate+zdict   0.36       0.41      0.59
zstd+raw dict       0.46       0.58      0.69
PPM-4 (this)        0.27       0.27      0.41
=================  =========  ========  =========

Short messages are where dictionary-LZ is weakest: a match costs ~2-3 bytes wherever it
comes from, and the first words of a message have no history. A context model primed
on the domain predicts every byte from the four before it, so even words it has not seen
cost ~2-3 bits per letter; the arithmetic coder has no block or frame overhead, and ends
with the fewest bits that identify the message. With ~89 bytes of envelope and
signature (~95 bytes), that is the difference between a median sample bulletin (200 B)
signed at 0.85 of its raw size (deflate) and at 0.74 (PPM), all ten in one frame. The
price is speed: ~0.5 ms to encode and ~1.3 ms to decode (decode + canonical check) a
100-byte text on a PC, likely some 10x that on a Raspberry Pi, and ~0.1 s and ~6 MB once
per process to build the model; bulletins are rare and small, so that is cheap. It needs
no third-party package.

No redundancy: a damaged compressed blob usually decodes to *another* text rather than
failing (an efficient code has no spare bits to check). Integrity is the envelope
signature's job; this layer guarantees only that decoding any bytes ends in a str or a
:class:`~relay.errors.CorruptError`, bounded in size, never a crash.
"""

from __future__ import annotations

import functools

from relay.wire.text.codec import (
    CURRENT_FORMAT,
    FORMATS,
    MAX_TEXT_BYTES,
    RAW,
    TextCodec,
    TextFormat,
    UnencodableTextError,
    UnknownTextFormatError,
)

__all__ = [
    "CURRENT_FORMAT",
    "FORMATS",
    "MAX_TEXT_BYTES",
    "RAW",
    "TextCodec",
    "TextFormat",
    "UnencodableTextError",
    "UnknownTextFormatError",
    "decode_text",
    "default_codec",
    "encode_text",
]


@functools.cache
def default_codec() -> TextCodec:
    """The codec for the shipped formats. Cached because building a model costs time;
    it holds only read-only tables derived from package files, so sharing it is safe."""
    return TextCodec()


def encode_text(text: str) -> bytes:
    """``text`` as a blob: a format byte, then compressed or raw UTF-8. Never longer than
    1 + the UTF-8 length."""
    return default_codec().encode(text)


def decode_text(data: bytes) -> str:
    """The text of a blob from :func:`encode_text` (any released format); a damaged,
    truncated or unknown-format blob raises :class:`relay.errors.CorruptError`."""
    return default_codec().decode(data)
