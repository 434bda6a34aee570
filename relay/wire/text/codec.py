"""Text blobs on the wire: one format byte, then the data.

Format byte 0 is raw UTF-8; every other value names one codec *and* one shipped model,
fixed forever once released. A later model gets a new byte, and readers keep every
older model, so a message never stops being readable. A reader that meets a byte it
does not know raises :class:`UnknownTextFormatError` (update noodrelay).

The encoder never expands: when the compressed form is not strictly smaller than the
raw UTF-8, the blob is raw. The decoder accepts a compressed blob only if it is exactly
what the encoder makes of the decoded text (a canonical form), so a damaged blob is a
:class:`CorruptError` rather than a different text, and a blob cannot decompress past
``max_bytes`` (no decompression bombs).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

from relay.errors import CorruptError, WireError
from relay.wire.text.ppm import PPMModel

log = logging.getLogger(__name__)

RAW = 0
#: The longest text (UTF-8 bytes) that is compressed; longer texts travel raw. It is also
#: the most a compressed blob may expand to. A 16-frame message carries < 3.7 kB.
MAX_TEXT_BYTES = 8192


class UnknownTextFormatError(CorruptError):
    """A text blob whose format byte (codec and model) this reader does not know."""


class UnencodableTextError(WireError, ValueError):
    """A str that has no UTF-8 form (lone surrogates), so it cannot travel."""


@dataclass(frozen=True, slots=True)
class TextFormat:
    """A released codec + model pair, identified on the wire by ``format_id``."""

    format_id: int
    name: str
    #: Package resource in relay.wire.text holding the model's priming text.
    resource: str
    #: SHA-256 of that resource: a released model file may never change.
    sha256: str
    order: int


#: Every released format. Append only; never edit or remove an entry.
FORMATS: Mapping[int, TextFormat] = {
    1: TextFormat(
        format_id=1,
        name="nl-1",
        resource="nl-1.txt",
        sha256="3a5b85ce36f64ea81f15bdb03203735bd5dd85346cc1d4cf661b5c48f04dd5a1",
        order=4,
    ),
}
#: The format new messages are written in.
CURRENT_FORMAT = 1


def load_model(fmt: TextFormat) -> PPMModel:
    """Build the model of ``fmt`` from its package resource, checking the pinned hash."""
    data = resources.files("relay.wire.text").joinpath(fmt.resource).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != fmt.sha256:
        raise CorruptError(
            f"text model {fmt.name} does not match its pinned hash (damaged install?)"
        )
    messages = data.decode("utf-8").split("\n")
    return PPMModel.trained((m for m in messages if m), order=fmt.order)


class TextCodec:
    """Encodes texts in one format, decodes every known one. Models load on first use
    (a few hundred milliseconds each) and are read-only afterwards."""

    def __init__(
        self,
        formats: Mapping[int, TextFormat] = FORMATS,
        current: int = CURRENT_FORMAT,
        max_bytes: int = MAX_TEXT_BYTES,
    ) -> None:
        if current not in formats or RAW in formats:
            raise ValueError("current format must be a registered, non-raw format")
        self._formats = formats
        self._current = current
        self._max_bytes = max_bytes
        self._models: dict[int, PPMModel] = {}

    def _model(self, format_id: int) -> PPMModel:
        model = self._models.get(format_id)
        if model is None:
            fmt = self._formats.get(format_id)
            if fmt is None:
                raise UnknownTextFormatError(f"unknown text format {format_id} (newer sender?)")
            model = load_model(fmt)
            self._models[format_id] = model
        return model

    def encode(self, text: str) -> bytes:
        """The shortest blob for ``text``: compressed, or raw when that is not smaller."""
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError as err:
            raise UnencodableTextError(f"text cannot be encoded as UTF-8: {err.reason}") from err
        if 0 < len(raw) <= self._max_bytes:
            packed = self._model(self._current).encode(raw)
            if len(packed) < len(raw):
                return bytes((self._current,)) + packed
        return bytes((RAW,)) + raw

    def decode(self, blob: bytes) -> str:
        """The text in ``blob``; every malformed blob raises :class:`CorruptError`."""
        if not blob:
            raise CorruptError("empty text blob (no format byte)")
        format_id, payload = blob[0], blob[1:]
        if format_id == RAW:
            return _utf8(payload)
        model = self._model(format_id)
        raw = model.decode(payload, self._max_bytes)
        if not 0 < len(raw) <= self._max_bytes or len(payload) >= len(raw):
            raise CorruptError("compressed text where the encoder writes raw (damaged?)")
        if model.encode(raw) != payload:
            # Not what any encoder writes: damaged, truncated or forged.
            raise CorruptError("compressed text is not in canonical form (damaged?)")
        return _utf8(raw)


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise CorruptError(f"text is not valid UTF-8 at byte {err.start}") from err
