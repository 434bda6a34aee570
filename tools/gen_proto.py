"""Regenerate the Python code for our protobuf schema (relay/wire/proto/*.proto).

Run ``make proto`` (or ``python tools/gen_proto.py``). The generated ``*_pb2.py`` and
``*_pb2.pyi`` are committed; ``tests/test_proto_fresh.py`` fails when they are stale.
The generator version is pinned in pyproject.toml so the output is reproducible.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PROTO_DIR = Path(__file__).resolve().parent.parent / "relay" / "wire" / "proto"


def generate(out_dir: Path, proto_dir: Path = PROTO_DIR) -> list[Path]:
    """Run protoc (from grpcio-tools) on every .proto in ``proto_dir`` into ``out_dir``."""
    from grpc_tools import protoc  # only needed here; an optional dependency

    protos = sorted(proto_dir.glob("*.proto"))
    if not protos:
        raise SystemExit(f"no .proto files in {proto_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    args = [
        "protoc",
        f"--proto_path={proto_dir}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        *[str(p) for p in protos],
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    return sorted(out_dir.glob("*_pb2.py*"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=PROTO_DIR)
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
