"""Build the shipped text model (relay/wire/text/<name>.txt) from the training material.

The model of the PPM text codec is its priming text: one training message per line,
UTF-8, in a fixed order. This script makes it reproducibly from tools/training/:

    python tools/build_dictionary.py            # (re)write relay/wire/text/nl-1.txt
    python tools/build_dictionary.py --check    # exit 1 if the shipped file is stale

A shipped model never changes once released (tests/wire_text pins its hash): to change
the training material, build under a new name (``--name nl-2``) and register that id in
relay/wire/text/codec.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRAINING = ROOT / "tools" / "training"
#: Training files in priming order. bulletins-nl.txt is a verbatim copy of the project's
#: fictional sample corpus; the vocab files are general material written for noodrelay.
TRAINING_FILES = ("bulletins-nl.txt", "vocab-nl.txt", "vocab-en.txt")
SAMPLE_CORPUS = TRAINING / "bulletins-nl.txt"
#: Readable stand-ins in the training files for the separators of relay/wire/textblob.py.
_SEPARATORS = {"␟": "\x1f", "␞": "\x1e"}


def read_sections(path: Path) -> dict[str, list[str]]:
    """Lines of a training file by ``[section]``; comments and blank lines dropped."""
    sections: dict[str, list[str]] = {}
    current = sections.setdefault("", [])
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        for shown, real in _SEPARATORS.items():
            line = line.replace(shown, real)
        current.append(line)
    return sections


def training_messages(files: tuple[str, ...] = TRAINING_FILES, leave_out: str = "") -> list[str]:
    """Every training message once, in file order, without ``leave_out``."""
    seen: set[str] = set()
    out: list[str] = []
    for name in files:
        for lines in read_sections(TRAINING / name).values():
            for line in lines:
                if line != leave_out and line not in seen:
                    seen.add(line)
                    out.append(line)
    return out


def render(messages: list[str]) -> str:
    return "".join(f"{m}\n" for m in messages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="nl-1", help="model name (file relay/wire/text/NAME.txt)")
    parser.add_argument("--check", action="store_true", help="only compare with the shipped file")
    args = parser.parse_args(argv)
    target = ROOT / "relay" / "wire" / "text" / f"{args.name}.txt"
    text = render(training_messages())
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != text:
            print(f"{target.relative_to(ROOT)} is stale: run tools/build_dictionary.py")
            return 1
        print(f"{target.relative_to(ROOT)} is up to date ({len(text.encode())} bytes)")
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}: {len(text.encode())} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
