"""Run the real ``relay`` command in a subprocess, as a user would type it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Relay = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def relay(tmp_path: Path) -> Relay:
    """``relay(*args)`` runs ``python -m relay args`` in ``tmp_path``; never raises on exit code."""

    def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "relay", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            input=input,
            timeout=60,
            check=False,
        )

    return run


def assert_no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
