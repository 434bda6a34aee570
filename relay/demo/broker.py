"""A mosquitto of the demo's own, on a free loopback port, with a config it writes.

The national demo needs a broker, and a newcomer should not have to configure one:
mosquitto (Debian package) is started with persistence in the demo's directory and
stopped with the demo. Missing mosquitto is one line saying how to install it.
"""

from __future__ import annotations

import asyncio
import getpass
import shutil
import socket
from pathlib import Path

from relay.errors import RelayError
from relay.waits import within

MOSQUITTO_PATHS = ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto")
START_TIMEOUT_S = 10.0


class BrokerError(RelayError):
    """The demo's broker could not start."""

    exit_code = 2


def find_mosquitto() -> str:
    found = shutil.which("mosquitto") or next(
        (p for p in MOSQUITTO_PATHS if Path(p).exists()), None
    )
    if found is None:
        raise BrokerError("mosquitto is not installed: apt-get install mosquitto")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DemoBroker:
    def __init__(self, directory: Path, extra: str = "") -> None:
        """``extra``: more lines for mosquitto.conf (a bridge's ``connection`` block)."""
        self.extra = extra
        self.binary = find_mosquitto()  # before anything else starts
        self.directory = directory
        self.port = free_port()
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        conf = self.directory / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"  # loopback only; a real deployment uses TLS + passwords
            f"user {getpass.getuser()}\n"  # as root, mosquitto would drop to its own user
            "persistence true\n"
            f"persistence_location {self.directory}/\n"
            f"log_dest file {self.directory}/mosquitto.log\n"
            # mosquitto's default (1000 messages queued per client) drops QoS 1 messages for
            # a session that lags: 436 of a 5000-message burst in tools/bench_federation.py.
            "max_queued_messages 100000\n" + self.extra,
            encoding="utf-8",
        )
        return conf

    async def start(self) -> None:
        conf = self.write_config()
        self.proc = await asyncio.create_subprocess_exec(
            self.binary,
            "-c",
            str(conf),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            # Not in the terminal's process group: Ctrl-C reaches the demo only, and the
            # demo stops the broker last, after the hubs and the national node let go.
            start_new_session=True,
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT_S
        while loop.time() < deadline:
            if self.proc.returncode is not None:
                break
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(0.1)
                continue
            writer.close()
            await writer.wait_closed()
            return
        await self.stop()
        raise BrokerError(f"mosquitto did not start; see {self.directory}/mosquitto.log")

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.terminate()
        try:
            await within(self.proc.wait(), 5)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
