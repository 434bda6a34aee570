from pathlib import Path
from typing import Any

import pytest

from relay.errors import ConfigError
from relay.sim.api import RebroadcastMode, Role
from relay.sim.scenario import (
    Environment,
    NodeKind,
    load_scenario,
    parse_scenario,
    shipped_scenarios,
)


def base(**changes: Any) -> dict[str, Any]:
    doc = {
        "radio": {"preset": "LONG_FAST"},
        "nodes": [
            {"name": "hub", "num": 1, "kind": "hub", "lat": 52.0, "lon": 5.0, "height_m": 10},
            {"name": "p1", "num": 2, "lat": 52.01, "lon": 5.0, "height_m": 8},
        ],
    }
    doc.update(changes)
    return doc


def error_of(doc: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as info:
        parse_scenario(doc)
    return str(info.value)


def test_shipped_scenarios_load_with_their_promised_shape():
    assert set(shipped_scenarios()) >= {"village", "city", "region"}
    village = load_scenario("village")
    assert len(village.of_kind(NodeKind.HUB)) == 1
    assert len(village.of_kind(NodeKind.POINT)) == 5
    assert len(village.of_kind(NodeKind.RELAY)) == 2
    assert village.links is not None
    city = load_scenario("city")
    assert len(city.of_kind(NodeKind.POINT)) == 40
    assert city.radio.environment is Environment.URBAN
    region = load_scenario("region")
    assert len(region.of_kind(NodeKind.POINT)) == 150
    assert len(region.of_kind(NodeKind.RELAY)) >= 4
    assert all(n.position is not None for n in region.nodes)
    # Relay sites on tall buildings, and every last byte distinct (relay ids are last bytes).
    assert all(n.position and n.position.height_m >= 30 for n in region.of_kind(NodeKind.RELAY))
    assert len({n.num & 0xFF for n in region.nodes}) == len(region.nodes)


def test_region_spans_a_safety_region():
    from relay.sim.propagation import distance_km

    region = load_scenario("region")
    positions = [n.position for n in region.nodes if n.position]
    widest = max(distance_km(a, b) for a in positions for b in positions)
    assert 35 < widest < 70  # the Utrecht region is ~45 km across


def test_router_defaults_to_core_portnums_only_like_the_firmware():
    doc = base()
    doc["nodes"][1]["role"] = "ROUTER"
    scenario = parse_scenario(doc)
    assert scenario.nodes[1].role is Role.ROUTER
    assert scenario.nodes[1].rebroadcast_mode is RebroadcastMode.CORE_PORTNUMS_ONLY
    doc["nodes"][1]["rebroadcast_mode"] = "ALL"
    assert parse_scenario(doc).nodes[1].rebroadcast_mode is RebroadcastMode.ALL


def test_unknown_role_names_key_and_choices():
    doc = base()
    doc["nodes"].append(
        {"name": "x", "num": 3, "role": "ROUTR", "lat": 52, "lon": 5, "height_m": 5}
    )
    assert error_of(doc) == (
        "nodes[2].role: unknown role 'ROUTR' (known: CLIENT, CLIENT_MUTE, ROUTER, ROUTER_LATE)"
    )


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["nodes"][0].update(colour="red"), "nodes[0].colour: unknown key"),
        (lambda d: d["nodes"][1].pop("lat"), "nodes[1].lat: a position needs"),
        (lambda d: d["nodes"][1].update(num=1), "nodes[1].num: number 0x1 already used"),
        (lambda d: d["nodes"][1].update(name="hub"), "nodes[1].name: name 'hub' already used"),
        (lambda d: d["nodes"][1].update(num=0xFFFFFFFF), "nodes[1].num: 4294967295 is not"),
        (lambda d: d["nodes"][1].update(num="2"), "nodes[1].num: must be an integer"),
        (
            lambda d: d["nodes"][1].update(kind="tower"),
            "nodes[1].kind: unknown node kind 'tower' (known: hub, point, relay)",
        ),
        (lambda d: d["nodes"][1].update(height_m=0), "nodes[1].height_m: antenna height"),
        (lambda d: d["nodes"][1].update(lat=123), "nodes[1].lat: 123.0 is not a latitude"),
        (lambda d: d["radio"].update(preset="FAST"), "radio.preset: unknown modem preset 'FAST'"),
        (lambda d: d["radio"].update(hop_limit=8), "radio.hop_limit: must be 0..7"),
        (lambda d: d["radio"].update(extra_loss=1.5), "radio.extra_loss: must be a probability"),
        (lambda d: d["radio"].update(environment="moon"), "radio.environment: unknown environment"),
        (lambda d: d["radio"].update(fading_sigma_db=-1), "radio.fading_sigma_db: must not be"),
        (lambda d: d["radio"].update(tx_power_dbm="max"), "radio.tx_power_dbm: must be a number"),
        (lambda d: d.update(nodes=[]), "nodes: a scenario needs at least one"),
        (lambda d: d.update(extra=1), "extra: unknown key"),
        (
            lambda d: d["nodes"][1].update(rebroadcast_mode="SOME"),
            "nodes[1].rebroadcast_mode: unknown rebroadcast mode 'SOME'",
        ),
    ],
)
def test_bad_keys_are_named(mutate, expected):
    doc = base()
    mutate(doc)
    assert error_of(doc).startswith(expected)


def test_link_table_errors():
    doc = base(links=[{"a": "hub", "b": "nobody", "snr_db": 3}])
    assert error_of(doc) == "links[0].b: no node named 'nobody'"
    doc = base(links=[{"a": "hub", "b": "p1"}])
    assert error_of(doc) == "links[0].snr_db: missing"
    doc = base(links=[{"a": "hub", "b": "p1", "snr_db": 1, "loss": 2}])
    assert error_of(doc).startswith("links[0].loss: must be a probability")
    doc = base(links=[{"a": "hub", "b": "hub", "snr_db": 1}])
    assert error_of(doc) == "links[0].b: a link needs two different nodes"


def test_link_table_makes_positions_optional():
    doc = {"nodes": [{"name": "a", "num": 1}, {"name": "b", "num": 2}]}
    assert (
        error_of(doc)
        == "nodes[0]: needs lat, lon and height_m (or give the scenario a [[links]] table)"
    )
    doc["links"] = [{"a": "a", "b": "b", "snr_db": 0}]
    assert parse_scenario(doc).nodes[0].position is None


def test_files_unknown_names_and_broken_toml(tmp_path: Path):
    with pytest.raises(
        ConfigError,
        match=r"unknown scenario 'atlantis' \(shipped: city, region, region-town, village",
    ):
        load_scenario("atlantis")
    broken = tmp_path / "broken.toml"
    broken.write_text("name = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.toml: not valid TOML"):
        load_scenario(broken)
    with pytest.raises(ConfigError, match="cannot read scenario file"):
        load_scenario(tmp_path / "missing.toml")
    good = tmp_path / "mine.toml"
    good.write_text(
        '[[nodes]]\nname = "a"\nnum = 0x10\n[[nodes]]\nname = "b"\nnum = 0x11\n'
        '[[links]]\na = "a"\nb = "b"\nsnr_db = 2.5\n',
        encoding="utf-8",
    )
    scenario = load_scenario(good)
    assert scenario.name == "mine"
    assert scenario.links is not None and scenario.links[0].snr_db == 2.5


def test_with_extra_loss_validates():
    scenario = parse_scenario(base())
    assert scenario.with_extra_loss(0.3).radio.extra_loss == 0.3
    with pytest.raises(ConfigError, match=r"radio\.extra_loss"):
        scenario.with_extra_loss(-0.1)
