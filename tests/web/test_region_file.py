"""The region file: read once, every mistake named by its entry, nothing half-loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from relay.demo.places import municipality_of, region_of
from relay.errors import ConfigError
from relay.sim.scenario import load_scenario
from relay.web.region import RegionMap, load_region, region_toml

GOOD = """
[[point]]
id = 17
lat = 52.0286
lon = 5.1681
municipality = "Houten"
name = "Sporthal \\"De Vliert\\""

[[relay]]
name = "Domtoren"
lat = 52.0908
lon = 5.1214
"""


def test_a_good_file_and_its_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "region.toml"
    path.write_text(GOOD, encoding="utf-8")
    region = load_region(path)
    assert region.by_id()[17].municipality == "Houten"
    assert region.by_id()[17].name == 'Sporthal "De Vliert"'
    assert [r.name for r in region.relays] == ["Domtoren"]
    path.write_text(region_toml(region), encoding="utf-8")
    assert load_region(path) == region
    assert load_region(None) == RegionMap()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[point]]\nid = 1\nlat = 95\nlon = 5", "point[0].lat: 95 is outside -90..90"),
        ("[[point]]\nid = 0\nlat = 52\nlon = 5", "point[0].id: must be a point number"),
        ("[[point]]\nid = 1\nlon = 5", "point[0].lat: missing or not a number"),
        ("[[point]]\nid = 1\nlat = true\nlon = 5", "point[0].lat: missing or not a number"),
        (
            "[[point]]\nid = 1\nlat = 52\nlon = 5\n[[point]]\nid = 1\nlat = 52\nlon = 5",
            "point[1].id: point 1 is listed twice",
        ),
        ("[[points]]\nid = 1", "points: unknown key (a typo?)"),
        ("point = 3", "point: must be an array of tables"),
        ("[[point]\nid=", "is not valid TOML"),
    ],
)
def test_bad_entries_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "region.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_region(path)
    assert str(err.value).startswith("screen.region: ") and message in str(err.value)
    assert "\n" not in str(err.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"screen\.region: cannot read .*nowhere\.toml"):
        load_region(tmp_path / "nowhere.toml")


def test_the_shipped_region_scenario_has_every_point_placed_in_a_municipality() -> None:
    region = region_of(load_scenario("region"))
    assert len(region.points) == 150 and len(region.relays) == 8
    assert all(p.municipality for p in region.points)
    assert len({p.municipality for p in region.points}) == 26
    assert municipality_of("p-wijk-bij-duurstede-2") == "Wijk bij Duurstede"
    assert municipality_of("hub") == ""
