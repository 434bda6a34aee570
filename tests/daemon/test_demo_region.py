"""The demo's region files describe the radios the scenario runs: a daemon on a
SHORT_FAST scenario accounts its airtime at SHORT_FAST, not at LONG_FAST."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from relay.airtime import preset as airtime_preset
from relay.daemon.config import load_config
from relay.demo.ports import screen_ports
from relay.demo.region import build_region
from relay.sim.scenario import load_scenario


@pytest.mark.parametrize("preset", ["LONG_FAST", "SHORT_FAST"])
def test_every_node_runs_at_the_scenarios_preset(tmp_path: Path, preset: str) -> None:
    village = load_scenario("village")
    radio = dataclasses.replace(village.radio, preset=airtime_preset(preset))
    scenario = dataclasses.replace(village, radio=radio)
    ports = {spec.name: 4400 + i for i, spec in enumerate(scenario.nodes)}  # not opened
    nodes = build_region(tmp_path, scenario, ports, screen_ports(scenario, 0))
    assert {load_config(n.config).engine.preset for n in nodes} == {preset}
