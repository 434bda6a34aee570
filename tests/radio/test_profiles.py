"""The radio profiles in firmware-config/ and every kind of mistake a profile can hold."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml
from meshtastic.protobuf import config_pb2

from relay.radio.channel import (
    DEFAULT_PSK,
    channel_url,
    key_problem,
    load_channel_file,
    new_channel,
    save_channel_file,
)
from relay.radio.policy import check_profile, checked_text
from relay.radio.profile import (
    ChannelSpec,
    Location,
    ProfileError,
    load_profile,
    parse_profile,
)
from relay.radio.render import Site, render, write_profile

REPO = Path(__file__).resolve().parents[2]
PROFILES = sorted((REPO / "firmware-config").glob("*.yaml"))
ROLES = {
    "hub.yaml": "CLIENT_MUTE",
    "point.yaml": "CLIENT_MUTE",
    "point-relaying.yaml": "CLIENT",
    "relay-site.yaml": "ROUTER_LATE",
    "relay-site-router.yaml": "ROUTER",
}
SITE = Site(
    owner="NSP 017 Houten",
    owner_short="N017",
    location=Location(52.0281, 5.1681, 3),
    channel=channel_url((ChannelSpec("noodnet", bytes(range(1, 33))),)),
)


def point_yaml() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "firmware-config" / "point.yaml").read_text())
    return data


def problems_of(data: dict[str, Any], complete: bool = False) -> list[str]:
    """The problem lines for a profile given as a mapping (schema, then policy)."""
    text = yaml.safe_dump(data)
    with pytest.raises(ProfileError) as info:
        checked_text(text, "test.yaml", complete=complete)
    return [str(p) for p in info.value.problems]


def test_there_is_a_profile_for_every_kind_of_radio() -> None:
    assert {p.name for p in PROFILES} == set(ROLES)


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.name)
def test_profile_is_valid_against_the_schema_and_our_rules(path: Path) -> None:
    profile = check_profile(load_profile(path), complete=False)
    assert profile.get("config.device.role") == ROLES[path.name]
    assert profile.get("config.lora.region") == "EU_868"
    assert profile.get("config.lora.modem_preset") == "LONG_FAST"
    assert profile.get("config.lora.hop_limit") == 3
    assert profile.get("config.position.fixed_position") is True
    # Every enum value really is one of meshtastic's names.
    assert profile.get("config.device.role") in config_pb2.Config.DeviceConfig.Role.keys()  # noqa: SIM118


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.name)
def test_no_channel_key_is_committed(path: Path) -> None:
    data = yaml.safe_load(path.read_text())
    assert "channel_url" not in data and "channelUrl" not in data
    assert "psk" not in path.read_text()


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.name)
def test_template_renders_to_a_complete_site_profile(path: Path, tmp_path: Path) -> None:
    profile, text = render(path, SITE)
    out = tmp_path / "radio.yaml"
    write_profile(out, text)
    assert out.stat().st_mode & 0o777 == 0o600
    again = check_profile(load_profile(out), complete=True)
    assert again.settings == profile.settings and again.channel == profile.channel
    assert profile.owner == "NSP 017 Houten" and profile.location == SITE.location
    assert profile.channel is not None and profile.channel.channels[0].psk == bytes(range(1, 33))


def test_meshtastic_reads_a_rendered_profile_as_we_do() -> None:
    """The official --configure parser, fed our file, gets the same values."""
    from meshtastic.__main__ import _profile_from_yaml

    profile, text = render(REPO / "firmware-config" / "relay-site-router.yaml", SITE)
    theirs = _profile_from_yaml(yaml.safe_load(text))
    assert theirs.long_name == profile.owner and theirs.short_name == profile.owner_short
    assert theirs.channel_url == profile.channel.url  # type: ignore[union-attr]
    assert theirs.config.device.role == config_pb2.Config.DeviceConfig.ROUTER
    assert theirs.config.device.rebroadcast_mode == config_pb2.Config.DeviceConfig.ALL
    assert theirs.config.lora.region == config_pb2.Config.LoRaConfig.EU_868
    assert theirs.module_config.telemetry.device_update_interval == 86400
    assert theirs.fixed_position.latitude_i == 520281000


def test_camel_case_keys_are_accepted() -> None:
    text = (REPO / "firmware-config" / "point.yaml").read_text()
    text = text.replace("node_info_broadcast_secs", "nodeInfoBroadcastSecs").replace(
        "module_config:\n  telemetry:\n    device_update_interval",
        "module_config:\n  telemetry:\n    deviceUpdateInterval",
    )
    profile = check_profile(parse_profile(text, "camel.yaml"), complete=False)
    assert profile.get("config.device.node_info_broadcast_secs") == 43200


# --- mistakes -------------------------------------------------------------------------


def test_unknown_key_is_named_with_a_suggestion() -> None:
    data = point_yaml()
    data["config"]["lora"]["regoin"] = "EU_868"
    (line,) = problems_of(data)
    assert line.startswith("config.lora.regoin:")
    assert "no setting 'regoin'" in line and "did you mean 'region'" in line


def test_unknown_group_and_top_level_key() -> None:
    data = point_yaml()
    data["config"]["loraa"] = {"region": "EU_868"}
    data["chanel_url"] = "x"
    lines = problems_of(data)
    assert any(line.startswith("config.loraa:") and "'lora'" in line for line in lines)
    assert any(line.startswith("chanel_url:") and "'channel_url'" in line for line in lines)


def test_wrong_enum_value_lists_the_choices() -> None:
    data = point_yaml()
    data["config"]["lora"]["region"] = "EU868"
    (line,) = problems_of(data)
    assert line.startswith("config.lora.region: 'EU868' is not a RegionCode")
    assert "did you mean 'EU_868'" in line and "choices:" in line


def test_lower_case_enum_says_to_use_capitals() -> None:
    data = point_yaml()
    data["config"]["device"]["role"] = "router_late"
    (line,) = problems_of(data)
    assert "write it in capitals: ROUTER_LATE" in line


def test_wrong_types_and_ranges() -> None:
    data = point_yaml()
    data["config"]["lora"]["hop_limit"] = "three"
    data["config"]["lora"]["tx_enabled"] = "yes"
    data["module_config"]["telemetry"]["device_update_interval"] = -5
    lines = problems_of(data)
    assert any(line.startswith("config.lora.hop_limit: must be a whole number") for line in lines)
    assert any(line.startswith("config.lora.tx_enabled: must be true or false") for line in lines)
    assert any("device_update_interval: must be between 0" in line for line in lines)


def test_other_region_is_refused() -> None:
    data = point_yaml()
    data["config"]["lora"]["region"] = "US"
    (line,) = problems_of(data)
    assert line.startswith("config.lora.region: US is not the Dutch band")
    assert "set region: EU_868" in line


def test_missing_channel_key_in_a_site_profile() -> None:
    data = point_yaml()
    data |= {"owner": "NSP 1", "owner_short": "N001", "location": {"lat": 52, "lon": 5, "alt": 0}}
    (line,) = problems_of(data, complete=True)
    assert line.startswith("channel_url: missing")
    assert "relay radio render" in line


@pytest.mark.parametrize(
    ("psk", "words"),
    [
        (b"\x01", "public default keys"),
        (b"", "no key"),
        (DEFAULT_PSK, "public default key"),
        (DEFAULT_PSK[:15] + b"\x07", "public default key"),
        (b"\x00" * 32, "all zeros"),
        (b"short-key", "16 or 32 bytes"),
    ],
    ids=["AQ==", "none", "default-16", "default-family", "zeros", "short"],
)
def test_default_or_weak_channel_key_is_refused(psk: bytes, words: str) -> None:
    data = point_yaml()
    data["channel_url"] = channel_url((ChannelSpec("noodnet", psk),)).url
    lines = problems_of(data)
    assert any(line.startswith("channel_url (channel 0 'noodnet'):") for line in lines)
    assert any(words in line for line in lines)


def test_channel_url_with_another_region_is_refused() -> None:
    data = point_yaml()
    other = yaml.safe_load(
        "config: {lora: {region: US, use_preset: true, modem_preset: LONG_FAST, hop_limit: 3}}"
    )
    from relay.radio.profile import profile_from_mapping

    lora = profile_from_mapping(other, "x").settings
    data["channel_url"] = channel_url(SITE.channel.channels, lora).url
    (line,) = problems_of(data)
    assert line.startswith("channel_url: carries lora region US")


def test_router_without_rebroadcast_all_is_refused() -> None:
    data = point_yaml()
    data["config"]["device"]["role"] = "ROUTER"
    (line,) = problems_of(data)
    assert line.startswith("config.device.rebroadcast_mode: a ROUTER must set")


def test_rebroadcast_mode_that_drops_our_port_is_refused() -> None:
    data = point_yaml()
    data["config"]["device"] |= {"role": "CLIENT", "rebroadcast_mode": "CORE_PORTNUMS_ONLY"}
    (line,) = problems_of(data)
    assert "does not relay noodrelay's private port 256" in line


def test_policy_rules_name_the_fix() -> None:
    data = point_yaml()
    data["config"]["lora"]["override_duty_cycle"] = True
    data["config"]["device"]["role"] = "TRACKER"
    data["config"]["device"]["node_info_broadcast_secs"] = 900
    data["config"]["security"]["serial_enabled"] = False
    data["config"]["lora"]["modem_preset"] = "SHORT_TURBO"
    del data["config"]["lora"]["hop_limit"]
    lines = problems_of(data)
    expected = [
        "config.lora.override_duty_cycle: EU_868 allows a 10 % duty cycle",
        "config.device.role: TRACKER is not a noodrelay role",
        "config.device.node_info_broadcast_secs: 900 s broadcasts too often",
        "config.lora.modem_preset: noodrelay has no airtime model for SHORT_TURBO",
        "config.lora.hop_limit: missing",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, lines)
    # serial_enabled only matters for a Pi-attached role; TRACKER is refused anyway.
    assert len(lines) == len(expected)


def test_not_yaml_and_not_a_mapping() -> None:
    with pytest.raises(ProfileError, match="not valid YAML"):
        parse_profile("config: [unclosed", "bad.yaml")
    with pytest.raises(ProfileError, match="a YAML mapping"):
        parse_profile("- a\n- b\n", "list.yaml")


def test_bytes_settings_need_the_base64_prefix() -> None:
    data = point_yaml()
    data["config"]["security"]["admin_key"] = [base64.b64encode(b"k" * 32).decode()]
    (line,) = problems_of(data)
    assert line.startswith("config.security.admin_key[0]: must be written as 'base64:")


def test_errors_say_nothing_was_written() -> None:
    data = point_yaml()
    data["config"]["lora"]["region"] = "US"
    with pytest.raises(ProfileError, match=r"1 problem \(nothing was written\)"):
        check_profile(parse_profile(yaml.safe_dump(data), "p.yaml"), complete=False)


# --- the channel file -----------------------------------------------------------------


def test_channel_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "channel.url"
    spec = new_channel("noodnet")
    assert key_problem(spec.psk) is None and len(spec.psk) == 32
    save_channel_file(path, spec)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_channel_file(path).channels == (spec,)
    with pytest.raises(Exception, match="exists already"):
        save_channel_file(path, new_channel("noodnet"))


def test_channel_file_with_the_default_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "channel.url"
    path.write_text(channel_url((ChannelSpec("LongFast", b"\x01"),)).url)
    with pytest.raises(ProfileError, match="public default keys"):
        load_channel_file(path)


def test_two_new_channels_have_different_keys() -> None:
    assert new_channel("a").psk != new_channel("a").psk
