"""``relay radio apply/check/render/channel`` against an emulated Meshtastic radio.

The real ``relay`` command in a subprocess, the real ``meshtastic`` library inside it,
the emulated node (relay.emulator) on the other end of a TCP socket.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from meshtastic.protobuf import channel_pb2, config_pb2

from relay.emulator.device_state import DeviceState
from relay.emulator.node import NodeOptions
from relay.radio.channel import DEFAULT_PSK, fingerprint, load_channel_file
from tests.radio.emulated import EmulatedSite

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "firmware-config"
DeviceConfig = config_pb2.Config.DeviceConfig
LoRaConfig = config_pb2.Config.LoRaConfig


def relay(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "relay", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr + proc.stdout
    return proc


@pytest.fixture
def us_radio() -> Iterator[EmulatedSite]:
    """A radio as it comes out of the box in another region (US), on the default channel."""
    site = EmulatedSite(NodeOptions(region="US")).start()
    yield site
    site.stop()


@pytest.fixture
def channel(tmp_path: Path) -> Path:
    out = tmp_path / "channel.url"
    proc = relay("radio", "channel", "new", "--name", "noodnet", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return out


def render(tmp_path: Path, channel: Path, template: str, out: str = "site.yaml") -> Path:
    path = tmp_path / out
    proc = relay(
        "radio", "render", str(TEMPLATES / template), "--channel", str(channel),
        "--owner", "Relais Kerk", "--short", "RKRK", "--lat", "51.9735", "--lon", "5.344",
        "--alt", "35", "-o", str(path), cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert path.stat().st_mode & 0o777 == 0o600
    return path


def test_check_finds_a_radio_on_another_region(
    us_radio: EmulatedSite, tmp_path: Path, channel: Path
) -> None:
    profile = render(tmp_path, channel, "point.yaml")
    proc = relay("radio", "check", str(profile), "--radio", us_radio.url, cwd=tmp_path)
    assert proc.returncode == 1
    assert "DIFFERS config.lora.region: radio has US, profile wants EU_868" in proc.stdout
    assert "DIFFERS channel 0: radio has '' key tag" in proc.stdout
    assert f"relay radio apply {profile} --radio {us_radio.url}" in proc.stdout
    # check writes nothing
    assert us_radio.call(lambda s: s.config.lora.region) == LoRaConfig.RegionCode.US


def test_apply_point_profile_then_check_matches(
    us_radio: EmulatedSite, tmp_path: Path, channel: Path
) -> None:
    profile = render(tmp_path, channel, "point.yaml")
    proc = relay("radio", "apply", str(profile), "--radio", us_radio.url, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "the radio was set to region US: make sure it is an 868 MHz model" in out
    assert "step 1: wrote config.device, config.lora" in out
    assert "step 2" not in out  # CLIENT_MUTE needs no second step
    assert "config.lora.region" in out and "US" in out and "EU_868" in out
    assert "now matches" in out

    state = us_radio.call(_state)
    assert state["region"] == LoRaConfig.RegionCode.EU_868
    assert state["role"] == DeviceConfig.Role.CLIENT_MUTE
    assert state["preset"] == LoRaConfig.ModemPreset.LONG_FAST
    assert state["owner"] == ("Relais Kerk", "RKRK")
    assert state["position"] == (519735000, 53440000, 35)
    wanted = load_channel_file(channel).channels[0]
    assert state["channels"] == [("noodnet", wanted.psk)]
    assert state["telemetry"] == 86400 and state["node_info"] == 43200

    again = relay("radio", "check", str(profile), "--radio", us_radio.url, cwd=tmp_path)
    assert again.returncode == 0, again.stdout
    assert "the radio matches" in again.stdout


def test_router_role_is_written_first_then_rebroadcast_all(
    us_radio: EmulatedSite, tmp_path: Path, channel: Path
) -> None:
    profile = render(tmp_path, channel, "relay-site-router.yaml")
    proc = relay("radio", "apply", str(profile), "--radio", us_radio.url, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "step 1: wrote the role ROUTER" in proc.stdout
    assert "step 2: wrote config.device" in proc.stdout  # rebroadcast_mode, after the reset
    device = us_radio.call(lambda s: (s.config.device.role, s.config.device.rebroadcast_mode))
    assert device == (DeviceConfig.Role.ROUTER, DeviceConfig.RebroadcastMode.ALL)
    # The firmware's role defaults did not survive either.
    assert us_radio.call(lambda s: s.config.position.position_broadcast_secs) == 43200


def test_apply_twice_writes_nothing_the_second_time(
    us_radio: EmulatedSite, tmp_path: Path, channel: Path
) -> None:
    profile = render(tmp_path, channel, "relay-site.yaml")
    first = relay("radio", "apply", str(profile), "--radio", us_radio.url, cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    second = relay("radio", "apply", str(profile), "--radio", us_radio.url, cwd=tmp_path)
    assert second.returncode == 0
    assert "nothing to write: the radio matches" in second.stdout


def test_extra_public_channel_is_found_and_disabled(
    us_radio: EmulatedSite, tmp_path: Path, channel: Path
) -> None:
    def add_longfast(state: DeviceState) -> None:
        ch = channel_pb2.Channel(index=1, role=channel_pb2.Channel.Role.SECONDARY)
        ch.settings.name = "LongFast"
        ch.settings.psk = b"\x01"  # the public default key
        state.set_channel(ch)

    us_radio.call(add_longfast)
    profile = render(tmp_path, channel, "hub.yaml")
    check = relay("radio", "check", str(profile), "--radio", us_radio.url, cwd=tmp_path)
    assert "channel 1: radio has 'LongFast' key tag" in check.stdout
    assert "profile wants (disabled)" in check.stdout
    proc = relay("radio", "apply", str(profile), "--radio", us_radio.url, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    roles = us_radio.call(lambda s: [c.role for c in s.channels[:2]])
    assert roles == [channel_pb2.Channel.Role.PRIMARY, channel_pb2.Channel.Role.DISABLED]


def test_check_json(us_radio: EmulatedSite, tmp_path: Path) -> None:
    proc = relay(
        "radio", "check", str(TEMPLATES / "point.yaml"), "--radio", us_radio.url, "--json",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["matches"] is False and data["node"] == "!7e57aa01"
    assert {"path": "config.lora.region", "radio": "US", "profile": "EU_868"} in data["differences"]


# --- mistakes are caught before anything is written ----------------------------------------


@pytest.mark.parametrize(
    ("edit", "messages"),
    [
        (("region: EU_868", "regoin: EU_868"), ["config.lora.regoin: meshtastic's LoRaConfig"]),
        (("role: CLIENT_MUTE", "role: CLIENT_MUT"), ["'CLIENT_MUT' is not a Role"]),
        (("region: EU_868", "region: US"), ["config.lora.region: US is not the Dutch band"]),
        (
            ("channel_url:", "channel_uri:"),
            ["channel_uri: not a key of the meshtastic --configure format", "channel_url: missing"],
        ),
    ],
    ids=["unknown-key", "wrong-enum", "other-region", "missing-channel"],
)
def test_bad_profile_never_reaches_the_radio(
    us_radio: EmulatedSite,
    tmp_path: Path,
    channel: Path,
    edit: tuple[str, str],
    messages: list[str],
) -> None:
    profile = render(tmp_path, channel, "point.yaml")
    profile.write_text(profile.read_text().replace(*edit))
    before = us_radio.accepted
    proc = relay("radio", "apply", str(profile), "--radio", us_radio.url, cwd=tmp_path)
    assert proc.returncode == 6, proc.stdout + proc.stderr
    for message in messages:
        assert message in proc.stderr
    assert "nothing was written" in proc.stderr
    assert us_radio.accepted == before  # the radio was never even contacted


def test_template_without_channel_key_is_refused(us_radio: EmulatedSite, tmp_path: Path) -> None:
    proc = relay(
        "radio", "apply", str(TEMPLATES / "point.yaml"), "--radio", us_radio.url, cwd=tmp_path
    )
    assert proc.returncode == 6
    assert "channel_url: missing: this is a template without the region's channel key" in (
        proc.stderr
    )
    assert us_radio.accepted == 0


def test_default_channel_key_is_refused(us_radio: EmulatedSite, tmp_path: Path) -> None:
    bad = tmp_path / "channel.url"
    from relay.radio.channel import channel_url
    from relay.radio.profile import ChannelSpec

    bad.write_text(channel_url((ChannelSpec("LongFast", DEFAULT_PSK),)).url)
    proc = relay(
        "radio", "render", str(TEMPLATES / "point.yaml"), "--channel", str(bad),
        "--owner", "x", "--short", "x", "--lat", "52", "--lon", "5", "-o", "p.yaml", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 6
    assert "public default key" in proc.stderr
    assert not (tmp_path / "p.yaml").exists()


def test_unreachable_radio(tmp_path: Path, channel: Path) -> None:
    profile = render(tmp_path, channel, "point.yaml")
    proc = relay(
        "radio", "check", str(profile), "--radio", "tcp://127.0.0.1:1", "--timeout", "3",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 7
    assert "cannot reach the radio at tcp://127.0.0.1:1" in proc.stderr


def test_bad_radio_url(tmp_path: Path) -> None:
    proc = relay(
        "radio", "check", str(TEMPLATES / "point.yaml"), "--radio", "usb:ttyACM0", cwd=tmp_path
    )
    assert proc.returncode == 7
    assert "serial:///dev/ttyACM0 or tcp://host:4403" in proc.stderr


def test_channel_show_never_prints_the_key(tmp_path: Path, channel: Path) -> None:
    proc = relay("radio", "channel", "show", str(channel), cwd=tmp_path)
    spec = load_channel_file(channel).channels[0]
    assert proc.stdout.strip() == f"channel 'noodnet', key tag {fingerprint(spec.psk)}"
    again = relay("radio", "channel", "new", "--out", str(channel), cwd=tmp_path)
    assert again.returncode == 6 and "exists already" in again.stderr


def _state(s: DeviceState) -> dict[str, object]:
    cfg = s.config
    pos = s.position
    assert pos is not None
    return {
        "region": cfg.lora.region,
        "role": cfg.device.role,
        "preset": cfg.lora.modem_preset,
        "owner": (s.owner.long_name, s.owner.short_name),
        "position": (pos.latitude_i, pos.longitude_i, pos.altitude),
        "channels": [
            (c.settings.name, bytes(c.settings.psk))
            for c in s.channels
            if c.role != channel_pb2.Channel.Role.DISABLED
        ],
        "telemetry": s.module_config.telemetry.device_update_interval,
        "node_info": cfg.device.node_info_broadcast_secs,
    }


def test_apply_over_serial(tmp_path: Path, channel: Path) -> None:
    """The same through the library's SerialInterface, on the emulator's pseudo-terminal."""
    site = EmulatedSite(NodeOptions(region="UNSET"), serial=True).start()
    try:
        profile = render(tmp_path, channel, "point.yaml")
        check = relay("radio", "check", str(profile), "--radio", site.serial_url, cwd=tmp_path)
        assert "DIFFERS config.lora.region: radio has UNSET, profile wants EU_868" in check.stdout
        proc = relay("radio", "apply", str(profile), "--radio", site.serial_url, cwd=tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        lora = site.call(lambda s: (s.config.lora.region, s.config.lora.tx_enabled))
        assert lora == (LoRaConfig.RegionCode.EU_868, True)
    finally:
        site.stop()
