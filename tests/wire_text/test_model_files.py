"""Released text models never change: a changed file needs a new format id."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest

from relay.errors import CorruptError
from relay.wire.text import FORMATS, decode_text, encode_text
from relay.wire.text.codec import load_model

ROOT = Path(__file__).resolve().parents[2]

#: Every format ever released: (name, file, SHA-256 of the file, PPM order). Append only.
RELEASED = {
    1: ("nl-1", "nl-1.txt", "3a5b85ce36f64ea81f15bdb03203735bd5dd85346cc1d4cf661b5c48f04dd5a1", 4),
}

#: Known answers, recorded when the format was released. If these change, the coder or
#: the model changed and old messages would decode wrongly.
GOLDEN = [
    ("Drinkwater bij sporthal De Vliert", "01399cb8aa1404e7c0"),
    ("Kookadvies voor Houten tot vrijdag 12:00.", "0150c31b0acf239ca0"),
    ("Boil water\x1fBoil tap water for one minute.", "017e07595f0975c58344796f"),
    ("Ünïcödé ✓ مرحبا", "00c39c6ec3af63c3b664c3a920e29c9320d985d8b1d8add8a8d8a7"),
    ("Noodsteunpunt Lunetten open van 08:00 tot 20:00.", "0112aa162abd30"),
]


def test_released_formats_are_unchanged() -> None:
    for format_id, (name, resource, sha256, order) in RELEASED.items():
        fmt = FORMATS[format_id]
        assert (fmt.format_id, fmt.name, fmt.resource, fmt.sha256, fmt.order) == (
            format_id,
            name,
            resource,
            sha256,
            order,
        ), f"released text format {format_id} was edited: register a new id instead"


def test_shipped_files_match_their_pinned_hash() -> None:
    for fmt in FORMATS.values():
        data = resources.files("relay.wire.text").joinpath(fmt.resource).read_bytes()
        assert hashlib.sha256(data).hexdigest() == fmt.sha256, (
            f"{fmt.resource} changed without a new format id"
        )


@pytest.mark.parametrize(("text", "blob_hex"), GOLDEN)
def test_known_answers(text: str, blob_hex: str) -> None:
    assert encode_text(text).hex() == blob_hex
    assert decode_text(bytes.fromhex(blob_hex)) == text


def test_damaged_model_file_is_refused() -> None:
    wrong = replace(FORMATS[1], sha256="0" * 64)
    with pytest.raises(CorruptError, match="pinned hash"):
        load_model(wrong)


def test_shipped_model_is_reproducible_from_training_material() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_dictionary.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
