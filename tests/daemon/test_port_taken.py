"""`relay run` whose screen port another program holds: one clear line, nothing started."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from relay.demo.inprocess import make_keys


def test_a_taken_screen_port_is_one_line_and_a_failed_start(tmp_path: Path) -> None:
    make_keys(tmp_path / "keys", "hub-utrecht", [])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # a free port, then ours: the test's own, held
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "hub.toml"
        config.write_text(
            'role = "hub"\nname = "hub-utrecht"\n\n'
            '[radio]\nurl = "loop://air/hub"\n\n'
            '[keys]\nkey = "keys/hub-utrecht.key"\ncert = "keys/hub-utrecht.cert"\n'
            'keyring = "keys"\n\n[store]\npath = "hub.db"\n\n'
            f'[screen]\nlisten = "127.0.0.1:{port}"\ntoken_file = "hub.token"\n',
            encoding="utf-8",
        )
        done = subprocess.run(
            [sys.executable, "-m", "relay", "run", "--config", str(config)],
            cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if "cannot listen" in line]
    assert errors == [errors[0]] and f"127.0.0.1:{port}" in errors[0], done.stderr
    assert "Traceback" not in done.stderr
