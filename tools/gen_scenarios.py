"""Regenerate the shipped city and region scenarios (relay/sim/scenarios/*.toml).

The files are committed; this script documents how they were made and remakes them
byte for byte (fixed seeds). The generator itself lives in :mod:`relay.sim.generate`
(so ``relay plan`` and the benchmarks can make regions of any size); the town and site
tables in :mod:`relay.sim.regiondata`. Run: ``python tools/gen_scenarios.py``.
"""

from __future__ import annotations

from pathlib import Path

from relay.sim.generate import Layout, region_toml, render
from relay.sim.regiondata import CITY_SITES, CITY_TOWN

OUT = Path(__file__).resolve().parent.parent / "relay" / "sim" / "scenarios"

CITY = Layout(
    name="city",
    description="Amersfoort: 40 support points, a hub, 2 relay sites on tall buildings",
    environment="urban",
    hub=(52.1590, 5.3800, 20.0),
    sites=CITY_SITES,
    towns=CITY_TOWN,
    base=0x33CC0000,
    seed=2026,
)


def main() -> None:
    files = {
        "region.toml": region_toml(150, relays=8, terrain="open", seed=2025),
        "region-town.toml": region_toml(150, relays=8, terrain="town", seed=2025),
        "city.toml": render(CITY),
    }
    for name, text in files.items():
        (OUT / name).write_text(text, encoding="utf-8")
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
