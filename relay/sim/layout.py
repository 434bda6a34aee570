"""The layout we ship, applied to a simulated region: bench what we ship (issue 11, item 8).

The radio profiles in ``firmware-config/`` decide each radio's role, rebroadcast mode,
hop limit and preset; ``relay provision`` writes a ``relay.toml`` without intervals, so
the daemon's defaults decide the engine's timings. A benchmark that sets roles or
intervals by hand measures a network nobody runs, so the benches' main column takes
both from here, and ``tests/sim/test_layout.py`` checks this module against the yaml
files and against the daemon's reading of a provisioned ``relay.toml``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import relay
from relay.airtime import preset as airtime_preset
from relay.engine.config import EngineConfig
from relay.errors import ConfigError
from relay.sim.api import RebroadcastMode, Role
from relay.sim.scenario import NodeKind, NodeSpec, Scenario

#: The profiles of the source checkout this relay runs from (as ``relay provision``).
FIRMWARE_CONFIG = Path(relay.__file__).resolve().parents[1] / "firmware-config"
#: Which profile a node of each kind gets. A relay site that the scenario marks as a
#: prioritised ROUTER gets the ROUTER profile, every other relay site ROUTER_LATE.
PROFILE_OF_KIND = {NodeKind.HUB: "hub", NodeKind.POINT: "point", NodeKind.RELAY: "relay-site"}
ROUTER_PROFILE = "relay-site-router"


@dataclass(frozen=True, slots=True)
class RadioProfile:
    """What one ``firmware-config/*.yaml`` sets that the simulator models."""

    name: str
    role: Role
    rebroadcast_mode: RebroadcastMode
    hop_limit: int
    preset: str


def read_profile(path: Path) -> RadioProfile:
    """One profile; a key the firmware would default is defaulted the same way."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        device, lora = data["config"]["device"], data["config"]["lora"]
        return RadioProfile(
            name=path.stem,
            role=Role[device["role"]],
            rebroadcast_mode=RebroadcastMode[device.get("rebroadcast_mode", "ALL")],
            hop_limit=int(lora.get("hop_limit", 3)),
            preset=str(lora["modem_preset"]),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError) as err:
        raise ConfigError(f"cannot read radio profile {path}: {err}") from err


def shipped_profiles(folder: Path = FIRMWARE_CONFIG) -> dict[str, RadioProfile]:
    """The profiles by name (``hub``, ``point``, ``relay-site``, ...)."""
    return {p.stem: read_profile(p) for p in sorted(folder.glob("*.yaml"))}


def profile_for(spec: NodeSpec, profiles: dict[str, RadioProfile]) -> RadioProfile:
    if spec.kind is NodeKind.RELAY and spec.role is Role.ROUTER:
        return profiles[ROUTER_PROFILE]
    return profiles[PROFILE_OF_KIND[spec.kind]]


def shipped_layout(
    scenario: Scenario, preset: str | None = None, folder: Path = FIRMWARE_CONFIG
) -> Scenario:
    """``scenario`` with every radio configured by its shipped profile.

    ``preset`` stands for a region that provisioned all its profiles with another
    modem preset (the profiles' own otherwise); the hop limit is the hub profile's.
    """
    profiles = shipped_profiles(folder)
    nodes = tuple(_configured(spec, profile_for(spec, profiles)) for spec in scenario.nodes)
    hub = profiles[PROFILE_OF_KIND[NodeKind.HUB]]
    radio = dataclasses.replace(
        scenario.radio,
        preset=airtime_preset(preset or hub.preset),
        hop_limit=hub.hop_limit,
    )
    return dataclasses.replace(scenario, nodes=nodes, radio=radio)


def _configured(spec: NodeSpec, profile: RadioProfile) -> NodeSpec:
    return dataclasses.replace(spec, role=profile.role, rebroadcast_mode=profile.rebroadcast_mode)


def shipped_engine_config(preset: str) -> EngineConfig:
    """The engine timings a provisioned node runs with: ``relay provision`` writes no
    ``[intervals]``, so these are the daemon's defaults (``relay.daemon.config``), which
    differ from :class:`EngineConfig`'s own in the random delays' lower bounds. The sim
    layer may not import the daemon; a test compares the two."""
    return EngineConfig(preset=preset, repair_delay_s=(7.5, 45.0))
