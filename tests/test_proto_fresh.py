"""The committed protobuf code must be what tools/gen_proto.py makes of the .proto."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import gen_proto  # noqa: E402


def test_generated_code_is_fresh(tmp_path: Path) -> None:
    generated = gen_proto.generate(tmp_path)
    assert generated, "protoc produced nothing"
    for path in generated:
        committed = gen_proto.PROTO_DIR / path.name
        assert committed.exists(), f"{path.name} is not committed; run `make proto`"
        assert committed.read_bytes() == path.read_bytes(), (
            f"{committed} is stale; run `make proto` and commit the result"
        )
