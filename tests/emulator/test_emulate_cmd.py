"""``relay radio emulate`` as a process: the port table, a real client, a clean stop."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from meshtastic.protobuf import config_pb2

from tests.emulator.test_cli_e2e import meshtastic

RELAY = [sys.executable, "-c", "from relay.cli.main import main; main()"]


async def _start(*extra: str) -> tuple[asyncio.subprocess.Process, list[str]]:
    """``relay radio emulate --scenario village`` and its port table, once it is ready."""
    proc = await asyncio.create_subprocess_exec(
        *RELAY, "radio", "emulate", "--scenario", "village", *extra,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    lines = []
    async with asyncio.timeout(60):
        while (line := (await proc.stdout.readline()).decode().rstrip()) != "ready":
            assert line, "emulator exited early"
            lines.append(line)
    return proc, lines


async def test_emulate_prints_ports_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    proc, lines = await _start("--serial", "p-noord")
    try:
        assert lines[0].startswith("scenario village: 8 emulated Meshtastic nodes")
        table = {row.split()[0]: row.split() for row in lines[2:]}
        assert set(table) == {
            "hub",
            "relay-kerk",
            "relay-molen",
            "p-centrum",
            "p-noord",
            "p-oost",
            "p-west",
            "p-polder",
        }
        assert table["hub"][1] == "!7e570001"
        assert table["p-noord"][3].startswith("/dev/pts/")
        port = int(table["hub"][2].rsplit(":", 1)[1])
        out = await meshtastic(port, "--info")
        assert "Owner: hub" in out
    finally:
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            _, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()


async def test_emulate_refuses_an_unknown_serial_node() -> None:
    proc = await asyncio.create_subprocess_exec(
        *RELAY,
        "radio",
        "emulate",
        "--scenario",
        "village",
        "--serial",
        "p-nergens",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        _, err = await proc.communicate()
    assert proc.returncode == 6  # ConfigError
    assert err.decode().strip() == "Error: no such node(s) for --serial: p-nergens"


async def test_emulate_refuses_a_missing_scenario(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        *RELAY,
        "radio",
        "emulate",
        "--scenario",
        str(tmp_path / "nope.toml"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        _, err = await proc.communicate()
    assert proc.returncode == 6
    assert "nope.toml" in err.decode() and "Traceback" not in err.decode()


async def _roles(*extra: str) -> dict[str, str]:
    """Each radio's device.role as the meshtastic CLI reads it from the emulator."""
    proc, lines = await _start(*extra)
    try:
        ports = {row.split()[0]: int(row.split()[2].rsplit(":", 1)[1]) for row in lines[2:]}
        roles = {}
        for name in ("p-noord", "p-west", "relay-kerk"):
            out = await meshtastic(ports[name], "--get", "device.role")
            number = int(out.split("device.role:")[1].split()[0])
            roles[name] = config_pb2.Config.DeviceConfig.Role.Name(number)
        return roles
    finally:
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            await proc.communicate()


async def test_shipped_configures_each_radio_as_provisioning_would() -> None:
    # The scenario's own roles: relaying CLIENT points.
    assert await _roles() == {"p-noord": "CLIENT", "p-west": "CLIENT", "relay-kerk": "ROUTER"}
    # firmware-config/: points CLIENT_MUTE (point.yaml); a tower the scenario makes a
    # ROUTER keeps it (relay-site-router.yaml).
    shipped = {"p-noord": "CLIENT_MUTE", "p-west": "CLIENT_MUTE", "relay-kerk": "ROUTER"}
    assert await _roles("--shipped") == shipped
