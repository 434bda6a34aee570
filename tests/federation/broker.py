"""A real mosquitto (the Debian package) on a free loopback port, with a config file
written by the test; started, stopped, killed and restarted on the same port."""

from __future__ import annotations

import getpass
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from relay.federation.config import FederationConfig
from tests.helpers import free_port

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


class Broker:
    def __init__(self, directory: Path, extra: str = "", *, anonymous: bool = True) -> None:
        """``extra``: more lines for mosquitto.conf (TLS files, a password file)."""
        if not Path(MOSQUITTO).exists():
            pytest.fail(f"mosquitto is not installed at {MOSQUITTO} (apt-get install mosquitto)")
        self.directory = directory
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        directory.mkdir(parents=True, exist_ok=True)
        self.conf = directory / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\n"
            f"allow_anonymous {'true' if anonymous else 'false'}\n"
            # Started as root, mosquitto would switch to its own user and could not write
            # its persistence file in the test's directory.
            f"user {getpass.getuser()}\n"
            "persistence true\n"
            f"persistence_location {directory}/\n"
            "autosave_interval 1\n"
            f"log_dest file {directory}/mosquitto.log\n"
            "max_queued_messages 100000\n" + extra,
            encoding="utf-8",
        )

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def config(self, region: str, client_id: str, **kw: object) -> FederationConfig:
        return FederationConfig(
            host="127.0.0.1",
            port=self.port,
            tls=False,
            client_id=client_id,
            topic_prefix="noodrelay/test",
            region=region,
            **kw,  # type: ignore[arg-type]
        )

    def start(self) -> None:
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf)])
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    log = (self.directory / "mosquitto.log").read_text(errors="replace")
                    raise AssertionError(f"mosquitto did not start:\n{log}") from None
                time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """SIGTERM: mosquitto saves its persistence file; SIGKILL: it does not."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)
        self.proc = None
