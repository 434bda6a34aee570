"""The hop histogram: points by their fewest radio hops from the hub."""

from __future__ import annotations

import random

import pytest
from click.testing import CliRunner

from relay.cli.main import cli
from relay.errors import ConfigError
from relay.sim.hops import hop_histogram, scenario_hop_histogram
from relay.sim.mesh import Mesh
from relay.sim.scenario import load_scenario
from tests.sim.helpers import link_scenario


def line_with_an_island() -> Mesh:
    """hub - n1 - n2 - n3 - n4 - n5 in a line (the hub is node 0), and n6 hearing nobody;
    n1-n2 is below the LONG_FAST demodulation floor, so n2.. go round through n7."""
    names = ["hub", "n1", "n2", "n3", "n4", "n5", "n6", "n7"]
    links = [
        ("hub", "n1", 5.0),
        ("n1", "n2", -25.0),  # heard, but never decodable: not a usable link
        ("hub", "n7", 5.0),
        ("n7", "n2", 5.0),
        ("n2", "n3", 5.0),
        ("n3", "n4", 5.0),
        ("n4", "n5", 5.0),
    ]
    return Mesh(link_scenario(names, links), random.Random(1), link_seed=1)


def test_counts_points_by_fewest_usable_hops() -> None:
    histogram = hop_histogram(line_with_an_island())
    assert dict(histogram.by_point) == {
        "n1": 1,
        "n7": 1,
        "n2": 2,
        "n3": 3,
        "n4": 4,
        "n5": 5,
        "n6": None,
    }
    assert (histogram.one, histogram.two, histogram.three) == (2, 1, 1)
    assert (histogram.four_plus, histogram.unreachable, histogram.points) == (2, 1, 7)
    assert histogram.line() == "1:2 2:1 3:1 4+:2 none:1"


def test_a_scenario_without_a_hub_is_an_error() -> None:
    mesh = Mesh(link_scenario([{"name": "a", "kind": "point"}, "b"], []), random.Random(1))
    with pytest.raises(ConfigError, match="has no hub"):
        hop_histogram(mesh)


def test_shipped_regions_histograms() -> None:
    assert scenario_hop_histogram(load_scenario("region")).line() == "1:85 2:65 3:0 4+:0 none:0"
    town = scenario_hop_histogram(load_scenario("region-town"))
    assert town.line() == "1:41 2:82 3:11 4+:0 none:16"


def test_relay_sim_check_prints_the_histogram() -> None:
    result = CliRunner().invoke(cli, ["sim", "check", "region-town"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index("hops        points by fewest radio hops from the hub (usable links)")
    rows = [line.split() for line in lines[start + 1 : start + 6]]
    assert rows == [
        ["1", "hop", "41"],
        ["2", "hops", "82"],
        ["3", "hops", "11"],
        ["4+", "hops", "0"],
        ["unreachable", "16"],
    ]
    assert "town path loss (3GPP UMi below 30 m, Hata urban above)" in result.output
