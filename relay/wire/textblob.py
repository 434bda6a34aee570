"""Localized bulletin texts as one compressed blob.

All languages of a bulletin travel in one compressed string so that they share the
codec's context: records separated by U+001E, fields by U+001F. A record of two fields
is Dutch (``headline, body``), the common case, costing no language tag; other records
carry the tag first (``lang, headline, body``). Those two control characters cannot
appear in the texts themselves: :func:`clean` turns any control character into a space.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from relay.errors import CorruptError
from relay.wire.model import LocalizedText
from relay.wire.text import decode_text, encode_text

RECORD = "\x1e"
FIELD = "\x1f"
DEFAULT_LANG = "nl"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def clean(text: str) -> str:
    """Text as it may travel: control characters (but newline and tab) become spaces."""
    return _CONTROL.sub(" ", text).strip()


def _record(t: LocalizedText) -> str:
    fields = [clean(t.headline), clean(t.body)]
    if t.lang != DEFAULT_LANG:
        if not _LANG.match(t.lang):
            raise ValueError(f"not a language tag: {t.lang!r}")
        fields.insert(0, t.lang)
    return FIELD.join(fields)


def pack(texts: Iterable[LocalizedText]) -> bytes:
    """Compress a bulletin's localized texts into one blob."""
    joined = RECORD.join(_record(t) for t in texts)
    return encode_text(joined)


def unpack(blob: bytes) -> tuple[LocalizedText, ...]:
    """Inverse of :func:`pack`; malformed content raises :class:`CorruptError`."""
    joined = decode_text(blob)
    out = []
    for record in joined.split(RECORD):
        fields = record.split(FIELD)
        if len(fields) == 2:
            out.append(LocalizedText(DEFAULT_LANG, fields[0], fields[1]))
        elif len(fields) == 3 and _LANG.match(fields[0]):
            out.append(LocalizedText(fields[0], fields[1], fields[2]))
        else:
            raise CorruptError("bulletin text blob with a malformed record")
    return tuple(out)


def pack_plain(text: str) -> bytes:
    """Compress one short free text (status reports, needs)."""
    return encode_text(clean(text))


def unpack_plain(blob: bytes) -> str:
    return decode_text(blob)
