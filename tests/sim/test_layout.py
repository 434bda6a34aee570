"""The bench's shipped layout is what firmware-config/ and `relay provision` produce."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from relay.daemon.config import parse_config
from relay.errors import ConfigError
from relay.provision.layout import Layout
from relay.provision.node_config import NodeSettings, checked_config
from relay.sim.api import RebroadcastMode, Role
from relay.sim.layout import (
    FIRMWARE_CONFIG,
    read_profile,
    shipped_engine_config,
    shipped_layout,
)
from relay.sim.scenario import NodeKind, load_scenario

REPO = Path(__file__).resolve().parents[2]


def _yaml(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "firmware-config" / f"{name}.yaml").read_text())
    return data


def _expected(name: str) -> tuple[Role, RebroadcastMode]:
    device = _yaml(name)["config"]["device"]
    return Role[device["role"]], RebroadcastMode[device.get("rebroadcast_mode", "ALL")]


def test_the_layout_reads_the_repository_profiles() -> None:
    assert REPO / "firmware-config" == FIRMWARE_CONFIG


@pytest.mark.parametrize("scenario", ["region", "region-town", "city"])
def test_every_node_gets_the_role_and_mode_of_its_profile(scenario: str) -> None:
    original = load_scenario(scenario)
    shipped = shipped_layout(original)
    for before, after in zip(original.nodes, shipped.nodes, strict=True):
        if before.kind is NodeKind.RELAY:
            name = "relay-site-router" if before.role is Role.ROUTER else "relay-site"
        else:
            name = {NodeKind.HUB: "hub", NodeKind.POINT: "point"}[before.kind]
        assert (after.role, after.rebroadcast_mode) == _expected(name), after.name
        assert (after.name, after.position, after.kind) == (
            before.name,
            before.position,
            before.kind,
        )
    lora = _yaml("hub")["config"]["lora"]
    assert shipped.radio.hop_limit == lora["hop_limit"]
    assert shipped.radio.preset.name == lora["modem_preset"]


def test_points_are_mute_as_point_yaml_says() -> None:
    shipped = shipped_layout(load_scenario("region"))
    roles = {n.role for n in shipped.nodes if n.kind is NodeKind.POINT}
    assert roles == {Role[_yaml("point")["config"]["device"]["role"]]}


def test_a_preset_override_changes_only_the_preset() -> None:
    base = shipped_layout(load_scenario("village"))
    medium = shipped_layout(load_scenario("village"), "MEDIUM_FAST")
    assert medium.radio.preset.name == "MEDIUM_FAST"
    assert medium.nodes == base.nodes
    assert dataclasses.replace(medium.radio, preset=base.radio.preset) == base.radio


@pytest.mark.parametrize("role", ["hub", "point"])
def test_engine_timings_are_what_a_provisioned_node_runs_with(role: str, tmp_path: Path) -> None:
    node = NodeSettings(role, "p-test", "sim://p-test", "MEDIUM_FAST", point_id=7)
    daemon, text = checked_config(node, Layout(tmp_path))
    assert shipped_engine_config("MEDIUM_FAST") == daemon.engine
    # And the daemon reads the same from the text it would load.
    assert parse_config(tomllib.loads(text), tmp_path / "relay.toml").engine == daemon.engine


def test_a_broken_profile_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "point.yaml"
    bad.write_text("config:\n  device:\n    role: CLIENT_SHOUTY\n  lora: {}\n")
    with pytest.raises(ConfigError, match=r"point\.yaml"):
        read_profile(bad)
