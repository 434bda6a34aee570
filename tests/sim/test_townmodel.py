"""The town path-loss model: its published constants give the documented values."""

from __future__ import annotations

import dataclasses
import math

import pytest

from relay.airtime import preset
from relay.sim.api import RebroadcastMode, Role
from relay.sim.hops import scenario_hop_histogram
from relay.sim.propagation import FREQUENCY_MHZ, hata_loss_db, mean_snr_db, path_loss_db
from relay.sim.scenario import (
    Environment,
    NodeKind,
    NodeSpec,
    PathLoss,
    Position,
    RadioConfig,
    load_scenario,
)
from relay.sim.townmodel import (
    P2109_THERMALLY_EFFICIENT,
    building_entry_loss_db,
    umi_los_db,
    umi_nlos_db,
)

F_GHZ = FREQUENCY_MHZ / 1000.0
TOWN = RadioConfig(preset("LONG_FAST"), environment=Environment.URBAN, path_loss=PathLoss.TOWN)


@pytest.mark.parametrize(
    ("d_m", "expected"),
    # docs/simulator.md: a 4.5 m antenna to a 1.5 m one (first floor to ground floor).
    [(100, 91.7), (1000, 127.0), (3000, 145.3), (5000, 154.2)],
)
def test_umi_street_canyon_at_reference_distances(d_m: float, expected: float) -> None:
    assert umi_nlos_db(d_m, 4.5, 1.5, F_GHZ) == pytest.approx(expected, abs=0.05)


def test_umi_nlos_is_the_tr_formula_and_never_below_los() -> None:
    d3d = math.hypot(100, 3.0)
    formula = 35.3 * math.log10(d3d) + 22.4 + 21.3 * math.log10(F_GHZ)
    assert umi_nlos_db(100, 4.5, 1.5, F_GHZ) == pytest.approx(formula)
    for d in (20, 200, 2000, 8000):
        assert umi_nlos_db(d, 4.5, 1.5, F_GHZ) >= umi_los_db(d, 4.5, 1.5, F_GHZ)


@pytest.mark.parametrize(
    ("probability", "expected"), [(0.1, 5.7), (0.25, 9.4), (0.5, 14.2), (0.75, 19.7), (0.9, 25.0)]
)
def test_p2109_traditional_building_at_869_mhz(probability: float, expected: float) -> None:
    assert building_entry_loss_db(F_GHZ, probability) == pytest.approx(expected, abs=0.05)


def test_p2109_thermally_efficient_buildings_lose_more() -> None:
    assert building_entry_loss_db(F_GHZ, 0.5, P2109_THERMALLY_EFFICIENT) == pytest.approx(
        31.2, abs=0.05
    )
    with pytest.raises(ValueError, match="probability"):
        building_entry_loss_db(F_GHZ, 1.0)


def test_town_model_uses_umi_below_rooftops_and_hata_from_elevated_sites() -> None:
    assert path_loss_db(1.0, 6.0, 1.5, TOWN) == pytest.approx(umi_nlos_db(1000, 6.0, 1.5, F_GHZ))
    hata = hata_loss_db(5.0, 90.0, 1.5, Environment.URBAN)
    assert path_loss_db(5.0, 90.0, 1.5, TOWN) == pytest.approx(hata)
    # The open-country model extrapolates Hata below 30 m instead.
    hata_radio = dataclasses.replace(TOWN, path_loss=PathLoss.HATA)
    low = hata_loss_db(1.0, 6.0, 1.5, Environment.URBAN)
    assert path_loss_db(1.0, 6.0, 1.5, hata_radio) == pytest.approx(low)


def point(name: str, num: int, lon: float, height: float, indoor_db: float = 0.0) -> NodeSpec:
    return NodeSpec(
        name,
        num,
        NodeKind.POINT,
        Role.CLIENT,
        RebroadcastMode.ALL,
        Position(52.09, lon, height),
        extra_loss_db=indoor_db,
    )


def test_building_entry_loss_applies_to_indoor_radios_both_ways() -> None:
    outdoor = point("a", 1, 5.10, 1.5)
    indoor = point("b", 2, 5.10, 1.5, indoor_db=14.2)
    other = point("c", 3, 5.11, 4.5)
    base = mean_snr_db(outdoor, other, TOWN, 0.0)
    assert base is not None
    assert mean_snr_db(indoor, other, TOWN, 0.0) == pytest.approx(base - 14.2)
    assert mean_snr_db(other, indoor, TOWN, 0.0) == pytest.approx(base - 14.2)


def test_region_town_is_harder_than_open_country() -> None:
    open_country = scenario_hop_histogram(load_scenario("region"))
    town = scenario_hop_histogram(load_scenario("region-town"))
    assert (open_country.one, open_country.three + open_country.four_plus) == (85, 0)
    assert town.one < 60
    assert town.three + town.four_plus > 0
    assert town.points == open_country.points == 150
