"""Planning the writes: only what differs, the device group first, ROUTER in two steps."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from relay.radio.channel import channel_url
from relay.radio.compare import ChannelState, RadioSnapshot, differences, plan
from relay.radio.policy import load_checked
from relay.radio.profile import ChannelSpec, Location, Profile, Value
from relay.radio.render import Site, render

REPO = Path(__file__).resolve().parents[2]
CHANNEL = ChannelSpec("noodnet", bytes(range(32)))
SITE = Site("Relais", "RL", Location(52.0, 5.0, 10), channel_url((CHANNEL,)))


def site_profile(template: str) -> Profile:
    return render(REPO / "firmware-config" / template, SITE)[0]


def snapshot_of(profile: Profile, **changes: Value) -> RadioSnapshot:
    """A radio that holds ``profile`` exactly, except for ``changes`` (path with _ for .)."""
    values: dict[str, Value] = {s.path: s.value for s in profile.settings}
    for key, value in changes.items():
        values[key.replace("__", ".")] = value
    return RadioSnapshot(
        node_num=1,
        firmware="2.7.26",
        owner="Relais",
        owner_short="RL",
        location=Location(52.0, 5.0, 10),
        channels=(ChannelState(0, "PRIMARY", CHANNEL),),
        values=MappingProxyType(values),
    )


def test_a_matching_radio_needs_nothing() -> None:
    profile = site_profile("point.yaml")
    radio = snapshot_of(profile)
    assert differences(profile, radio) == []
    assert plan(profile, radio).empty


def test_only_differing_groups_device_first() -> None:
    profile = site_profile("point.yaml")
    radio = snapshot_of(
        profile,
        module_config__telemetry__device_update_interval=1800,
        config__lora__region="US",
        config__device__role="CLIENT",
    )
    todo = plan(profile, radio)
    assert todo.groups == (
        ("config", "device"),
        ("config", "lora"),
        ("module_config", "telemetry"),
    )
    assert todo.role_first is None  # CLIENT -> CLIENT_MUTE needs no second step
    assert not (todo.owner or todo.position or todo.channels)


def test_router_role_change_is_its_own_step() -> None:
    profile = site_profile("relay-site-router.yaml")
    assert plan(profile, snapshot_of(profile, config__device__role="CLIENT")).role_first == "ROUTER"
    # Already a ROUTER, but the firmware's default rebroadcast mode: one step fixes it.
    radio = snapshot_of(profile, config__device__rebroadcast_mode="CORE_PORTNUMS_ONLY")
    todo = plan(profile, radio)
    assert todo.role_first is None and todo.groups == (("config", "device"),)


def test_position_within_a_few_units_of_1e7_degrees_matches() -> None:
    profile = site_profile("point.yaml")
    near = replace(snapshot_of(profile), location=Location(52.0000003, 4.9999997, 10))
    assert differences(profile, near) == []
    far = replace(near, location=Location(52.0001, 5.0, 10))
    assert [d.path for d in differences(profile, far)] == ["location"]


def test_wrong_key_and_extra_channel_are_differences_without_showing_keys() -> None:
    profile = site_profile("hub.yaml")
    other = ChannelSpec("noodnet", bytes(32))
    public = ChannelSpec("LongFast", b"\x01")
    channels = (ChannelState(0, "PRIMARY", other), ChannelState(1, "SECONDARY", public))
    radio = replace(snapshot_of(profile), channels=channels)
    diffs = {d.path: d for d in differences(profile, radio)}
    assert set(diffs) == {"channel 0", "channel 1"}
    assert diffs["channel 1"].wanted == "(disabled)"
    assert CHANNEL.psk.hex() not in str(diffs) and "key tag" in diffs["channel 0"].actual
    assert plan(profile, radio).channels


def test_template_compares_only_what_it_sets() -> None:
    template = load_checked(REPO / "firmware-config" / "point.yaml", complete=False)
    radio = snapshot_of(site_profile("point.yaml"))
    assert differences(template, replace(radio, owner="x")) == []
