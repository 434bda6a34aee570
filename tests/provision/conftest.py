"""A region on a USB stick in a temporary directory, and the real ``relay`` command."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from relay.wire.keys import PrivateKey, format_public, save_keypair
from relay.wire.model import Role

Relay = Callable[..., subprocess.CompletedProcess[str]]
SITE = ["--lat", "52.0281", "--lon", "5.1681", "--alt", "3"]


@dataclass
class Region:
    base: Path
    root_key: Path
    stick: Path

    def certify_args(self) -> list[str]:
        return ["provision", "certify", "--stick", str(self.stick), "--root", str(self.root_key)]

    def hub_args(self, *extra: str) -> list[str]:
        return [
            "provision", "hub", "--name", "hub-utrecht", "--stick", str(self.stick),
            "--root", str(self.base / "hub"), *SITE, *extra,
        ]  # fmt: skip

    def point_args(self, *extra: str, name: str = "np-017", point_id: int = 17) -> list[str]:
        return [
            "provision", "point", "--name", name, "--point-id", str(point_id),
            "--group", "houten", "--owner", "NSP 017 Houten", "--stick", str(self.stick),
            "--root", str(self.base / "point"), *SITE, *extra,
        ]  # fmt: skip


@pytest.fixture
def region(tmp_path: Path) -> Region:
    root = PrivateKey.generate("root", Role.ROOT)
    key_path, _ = save_keypair(root, tmp_path / "laptop")
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "root.pub").write_text(format_public(root.public))
    return Region(tmp_path, key_path, stick)


@pytest.fixture
def relay(tmp_path: Path) -> Relay:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "relay", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc

    return run
