"""The README's federation section as typed: its commands (in a shell, after the
walkthrough's keys) with its national.toml, against a real mosquitto. Only the broker's
and the national API's ports are changed (tests never use fixed ports)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.federation.broker import Broker
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.slow


def _block(marker: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split(f"<!-- {marker} -->", 1)[1].split("```", 2)[1].split("\n", 1)[1]


def test_readme_federation_section_works_as_typed(tmp_path: Path, broker: Broker) -> None:
    api = free_port()
    ports = {"1883": str(broker.port), "8090": str(api)}
    toml, script = _block("national.toml"), _block("federation")
    for old, new in ports.items():
        toml, script = toml.replace(old, new), script.replace(old, new)
    (tmp_path / "national.toml").write_text(toml, encoding="utf-8")
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    setup = (
        "relay keys new --role root --name root --dir keys\n"  # the walkthrough's keys
        "relay keys new --role hub --name hub-utrecht --dir keys\n"
    )
    # Every line must succeed; wait for the daemon's API before the commands that use it.
    lines = script.replace(
        "relay run --config national.toml &",
        "relay run --config national.toml > national.log 2>&1 &\nDAEMON=$!\n"
        f"for i in $(seq 100); do curl -sf http://127.0.0.1:{api}/api/state >/dev/null && break; "
        "sleep 0.2; done",
    )
    full = f"set -euo pipefail\n{setup}{lines}\nkill $DAEMON\nwait $DAEMON || true\n"
    done = subprocess.run(
        ["bash", "-c", full], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + (tmp_path / "national.log").read_text()
    assert "published national bulletin #1" in done.stdout
    view = json.loads(done.stdout.strip().splitlines()[-1])
    assert [r["region"] for r in view["regions"]] == ["utrecht"]
    assert len(view["national_bulletins"]) == 1
