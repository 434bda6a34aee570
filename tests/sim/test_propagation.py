import pytest

from relay.airtime import preset
from relay.sim.propagation import (
    build_links,
    demod_floor_db,
    distance_km,
    free_space_loss_db,
    hata_loss_db,
    noise_floor_dbm,
    pair_shadowing_db,
    radio_horizon_km,
)
from relay.sim.scenario import Environment, Position, load_scenario

from .helpers import link_scenario


def test_noise_and_demodulation_floors():
    lf = preset("LONG_FAST")
    assert noise_floor_dbm(lf) == pytest.approx(-114.0, abs=0.05)
    assert noise_floor_dbm(preset("LONG_MODERATE")) == pytest.approx(-117.0, abs=0.05)
    assert demod_floor_db(lf) == -17.5
    assert demod_floor_db(preset("SHORT_FAST")) == -7.5
    # Sensitivity = noise floor + demodulation floor: Semtech's -131.5 dBm for SF11/250 kHz.
    assert noise_floor_dbm(lf) + demod_floor_db(lf) == pytest.approx(-131.5, abs=0.05)


def test_distance():
    utrecht = Position(52.0907, 5.1214, 1)
    amersfoort = Position(52.1561, 5.3878, 1)
    assert distance_km(utrecht, amersfoort) == pytest.approx(19.6, abs=0.3)


def test_hata_grows_with_distance_shrinks_with_height_and_orders_environments():
    d = [hata_loss_db(k, 30, 5, Environment.SUBURBAN) for k in (1, 2, 5, 10)]
    assert d == sorted(d)
    assert hata_loss_db(5, 60, 5, Environment.URBAN) < hata_loss_db(5, 20, 5, Environment.URBAN)
    urban = hata_loss_db(5, 30, 5, Environment.URBAN)
    suburban = hata_loss_db(5, 30, 5, Environment.SUBURBAN)
    open_ = hata_loss_db(5, 30, 5, Environment.OPEN)
    assert urban > suburban > open_
    # Textbook value: 30 m / 1.5 m, urban (small city), 1 km, 869.5 MHz: ~126 dB.
    assert hata_loss_db(1, 30, 1.5, Environment.URBAN) == pytest.approx(126.0, abs=0.5)
    # Never better than free space.
    assert hata_loss_db(0.01, 200, 10, Environment.OPEN) >= free_space_loss_db(0.01)


def test_shadowing_is_symmetric_and_seeded():
    assert pair_shadowing_db(7, 1, 2, 8) == pair_shadowing_db(7, 2, 1, 8)
    assert pair_shadowing_db(7, 1, 2, 8) != pair_shadowing_db(8, 1, 2, 8)
    assert pair_shadowing_db(7, 1, 2, 0) == 0.0


def test_links_from_positions_are_seeded_and_respect_the_horizon():
    region = load_scenario("region")
    first = build_links(region, seed=1)
    assert first == build_links(region, seed=1)
    assert first != build_links(region, seed=2)
    # Same nodes, same powers and antennas: a link is as good both ways.
    for (src, dst), link in first.items():
        assert abs(first[(dst, src)].snr_db - link.snr_db) < 1e-9
    assert radio_horizon_km(4, 4) == pytest.approx(16.5, abs=0.1)


def test_link_table_directions():
    scenario = link_scenario(["a", "b", "c"], [("a", "b", 3.0, 0.25)])
    links = build_links(scenario, seed=0)
    nums = {n.name: n.num for n in scenario.nodes}
    assert links[(nums["a"], nums["b"])].loss == 0.25
    assert links[(nums["b"], nums["a"])].snr_db == 3.0
    assert (nums["a"], nums["c"]) not in links
