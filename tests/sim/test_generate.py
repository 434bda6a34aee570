"""The region generator: deterministic, the shipped files byte for byte, any size."""

from __future__ import annotations

from importlib import resources

import pytest

from relay.sim.generate import generate_region, region_toml, suggested_relays
from relay.sim.scenario import NodeKind, PathLoss, load_scenario


def shipped(name: str) -> str:
    return resources.files("relay.sim.scenarios").joinpath(f"{name}.toml").read_text("utf-8")


def test_open_country_is_the_shipped_region_byte_for_byte() -> None:
    assert region_toml(150, relays=8, terrain="open", seed=2025) == shipped("region")


def test_town_is_the_shipped_region_town_byte_for_byte() -> None:
    assert region_toml() == shipped("region-town")


def test_the_generator_is_deterministic_and_the_seed_matters() -> None:
    assert region_toml(300, relays=11, seed=7) == region_toml(300, relays=11, seed=7)
    assert region_toml(seed=7) != region_toml(seed=8)


def test_generate_region_parses_what_region_toml_writes() -> None:
    scenario = generate_region()
    assert scenario == load_scenario("region-town")
    assert scenario.radio.path_loss is PathLoss.TOWN
    assert load_scenario("region").radio.path_loss is PathLoss.HATA


@pytest.mark.parametrize(("points", "relays"), [(40, 4), (300, 11), (600, 16)])
def test_other_sizes_spread_over_the_same_towns(points: int, relays: int) -> None:
    scenario = generate_region(points, relays=relays, terrain="town")
    assert len(scenario.of_kind(NodeKind.POINT)) == points
    assert len(scenario.of_kind(NodeKind.RELAY)) == relays
    assert len({n.num for n in scenario.nodes}) == len(scenario.nodes)
    towns = {p.name.rsplit("-", 1)[0] for p in scenario.of_kind(NodeKind.POINT)}
    regional = {p.name.rsplit("-", 1)[0] for p in load_scenario("region").nodes}
    assert towns <= regional
    # Relayer ids are last bytes: points never reuse the hub's or a relay site's.
    fixed = {n.num & 0xFF for n in scenario.nodes if n.kind is not NodeKind.POINT}
    assert not fixed & {p.num & 0xFF for p in scenario.of_kind(NodeKind.POINT)}
    assert scenario.name == f"region-town-{points}p-{relays}r"


def test_more_points_make_the_towns_denser_not_different() -> None:
    small = generate_region(150)
    big = generate_region(600, relays=16)
    utrecht = [p for p in big.of_kind(NodeKind.POINT) if p.name.startswith("p-utrecht-")]
    assert len(utrecht) == 4 * 30
    assert len(small.of_kind(NodeKind.POINT)) == 150


def test_suggested_relays_grow_with_the_square_root() -> None:
    assert [suggested_relays(n) for n in (40, 150, 300, 600)] == [4, 8, 11, 16]


def test_town_points_are_mostly_indoors_or_low() -> None:
    points = generate_region().of_kind(NodeKind.POINT)
    heights = [p.position.height_m for p in points if p.position is not None]
    indoor = [p.extra_loss_db for p in points if p.extra_loss_db > 0]
    assert max(heights) <= 8.0
    assert 0.5 < len(indoor) / len(points) < 0.7
    assert min(indoor) >= 9.0 and max(indoor) <= 20.0  # P.2109's interquartile range


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"terrain": "moon"}, "unknown terrain 'moon'"),
        ({"relays": 17}, "relays must be 0..16"),
        ({"points": 0}, "points must be at least 1"),
    ],
)
def test_bad_arguments_are_one_clear_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        region_toml(**kwargs)  # type: ignore[arg-type]
