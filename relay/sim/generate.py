"""Generated safety regions: Veiligheidsregio Utrecht at any size, on two terrains.

``generate_region()`` gives a :class:`~relay.sim.scenario.Scenario`, ``region_toml()``
the same thing as TOML text (what ``tools/gen_scenarios.py`` writes to the shipped
files). Both are deterministic for their arguments.

Terrains
--------
* ``"open"`` (open country): Okumura-Hata everywhere, point antennas 6-12 m high, 30 %
  of them indoors with 6-12 dB of loss. At 150 points and 8 relays it is the shipped
  ``region.toml``, byte for byte.
* ``"town"``: support points as they are, 1-2 storey buildings: 60 % of the radios
  indoors (1.5 m or 4.5 m up, ITU-R P.2109 building entry loss drawn from its
  interquartile range, 9.4-19.7 dB), the rest on a wall or roof at 4-8 m; links between
  low antennas on 3GPP TR 38.901 UMi street canyon, Hata only to the relay sites and
  the hub's 30 m mast (see :mod:`relay.sim.townmodel`). Shipped as ``region-town.toml``.

Sizes
-----
``points`` other than 150 spreads the points over the same 62 towns in proportion to
their population shares (largest remainder; towns may get none below 150 points), with
the minimum spacing shrunk by ``sqrt(150 / points)`` so each town's density rises
rather than its area. ``relays`` picks the first sites of the region's eight towers,
then eight more ROUTER_LATE sites (16 at most); a sensible number grows with the square
root of the point count, :func:`suggested_relays` (40 -> 4, 150 -> 8, 300 -> 11,
600 -> 16). Above ~240 points node numbers' last bytes (the firmware's relayer ids)
necessarily repeat; the low bytes of the hub and relay sites are never reused.
"""

from __future__ import annotations

import math
import random
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from relay.sim.propagation import FREQUENCY_MHZ
from relay.sim.regiondata import EXTRA_SITES, REGION_SITES, REGION_TOWNS, Site, Town
from relay.sim.scenario import Scenario, parse_scenario
from relay.sim.townmodel import building_entry_loss_db

TERRAINS = ("open", "town")
REGION_POINTS = sum(t.points for t in REGION_TOWNS)
REGION_BASE = 0x55AA0000
KM_PER_DEG_LAT = 111.2
#: Points of the shipped region are at least this far apart (km).
MIN_SPACING_KM = 0.3
#: Town terrain: share of points whose radio is indoors, and its heights (ground, first floor).
INDOOR_SHARE = 0.6
INDOOR_HEIGHTS_M = (1.5, 1.5, 4.5)
OUTDOOR_HEIGHTS_M = (4.0, 5.0, 6.0, 8.0)
#: P.2109 probabilities the indoor loss is drawn between (its interquartile range).
BEL_PROBABILITY = (0.25, 0.75)
HUB_OPEN = (52.0870, 5.1650, 25.0)
HUB_TOWN = (52.0870, 5.1650, 30.0)


@dataclass(frozen=True)
class Layout:
    """Everything one rendering needs besides the random stream."""

    name: str
    description: str
    environment: str
    hub: tuple[float, float, float]
    sites: Sequence[Site]
    towns: Sequence[Town]
    base: int
    seed: int
    terrain: str = "open"
    spacing_km: float = MIN_SPACING_KM


def suggested_relays(points: int) -> int:
    """Relay sites for a region of ``points``: 8 at 150, growing with the square root."""
    return max(2, min(len(REGION_SITES) + len(EXTRA_SITES), round(8 * math.sqrt(points / 150))))


def generate_region(
    points: int = 150,
    *,
    relays: int = 8,
    terrain: str = "town",
    seed: int = 2025,
    name: str | None = None,
) -> Scenario:
    """A Veiligheidsregio Utrecht scenario with ``points`` support points (module doc)."""
    text = region_toml(points, relays=relays, terrain=terrain, seed=seed, name=name)
    return parse_scenario(tomllib.loads(text))


def region_toml(
    points: int = 150,
    *,
    relays: int = 8,
    terrain: str = "town",
    seed: int = 2025,
    name: str | None = None,
) -> str:
    """The TOML text of :func:`generate_region`'s scenario."""
    return render(region_layout(points, relays=relays, terrain=terrain, seed=seed, name=name))


def region_layout(points: int, *, relays: int, terrain: str, seed: int, name: str | None) -> Layout:
    if terrain not in TERRAINS:
        raise ValueError(f"unknown terrain {terrain!r} (known: {', '.join(TERRAINS)})")
    sites = [*REGION_SITES, *EXTRA_SITES]
    if not 0 <= relays <= len(sites):
        raise ValueError(f"relays must be 0..{len(sites)}, not {relays}")
    if points < 1:
        raise ValueError(f"points must be at least 1, not {points}")
    towns = scale_towns(REGION_TOWNS, points)
    used = sum(1 for t in towns if t.points)
    town = terrain == "town"
    default_name = "region-town" if town else "region"
    if (points, relays) != (REGION_POINTS, len(REGION_SITES)):
        default_name += f"-{points}p-{relays}r"
    what = f"{points} support points in {used} towns"
    if town:
        what = f"{what} (most indoors or on low antennas)"
    region = "Veiligheidsregio Utrecht" + (", towns" if town else "")
    return Layout(
        name=name or default_name,
        description=f"{region}: {what}, a hub in Utrecht, {relays} relay sites",
        environment="urban",
        hub=HUB_TOWN if town else HUB_OPEN,
        sites=sites[:relays],
        towns=towns,
        base=REGION_BASE,
        seed=seed,
        terrain=terrain,
        spacing_km=MIN_SPACING_KM * math.sqrt(min(1.0, REGION_POINTS / points)),
    )


def scale_towns(towns: Sequence[Town], points: int) -> list[Town]:
    """The towns with ``points`` shared out by their shares (largest remainder)."""
    total = sum(t.points for t in towns)
    if points == total:
        return list(towns)
    exact = [t.points * points / total for t in towns]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(towns)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: points - sum(counts)]:
        counts[i] += 1
    return [replace(t, points=n) for t, n in zip(towns, counts, strict=True)]


# --- rendering --------------------------------------------------------------------------


def render(layout: Layout) -> str:
    rng = random.Random(layout.seed)  # noqa: S311 (a reproducible map, not a secret)
    town = layout.terrain == "town"
    lines = [*_header(layout), *_hub(layout, town)]
    for i, site in enumerate(layout.sites):
        lines += [f"# {site.note}"]
        lines += _node(
            site.name, layout.base + 2 + i, "relay", site.role, site.lat, site.lon, site.height_m
        )
        # Set explicitly: the firmware's ROUTER default (CORE_PORTNUMS_ONLY) drops port 256.
        lines += ['rebroadcast_mode = "ALL"', ""]
    placed: list[tuple[float, float]] = [(layout.hub[0], layout.hub[1])]
    numbers = _point_numbers(layout)
    for t in layout.towns:
        for k, (lat, lon) in enumerate(_spread(t, rng, placed, layout.spacing_km), start=1):
            placed.append((lat, lon))
            point = _town_point if town else _open_point
            lines += point(f"p-{t.name}-{k}", next(numbers), lat, lon, rng)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _header(layout: Layout) -> list[str]:
    if layout.terrain == "town":
        made = f"# Generated by relay/sim/generate.py (seed {layout.seed}, tools/gen_scenarios.py)"
        lines = [made + "; edit the generator, not this file."]
    else:
        made = f"# Generated by tools/gen_scenarios.py (seed {layout.seed})"
        lines = [made + "; edit that script, not this file."]
    lines += [
        f'name = "{layout.name}"',
        f'description = "{layout.description}"',
        "",
        "[radio]",
        'preset = "LONG_FAST"',
        "hop_limit = 3",
        f'environment = "{layout.environment}"',
    ]
    if layout.terrain == "town":
        lines += ['path_loss = "town"  # 3GPP TR 38.901 UMi below 30 m, Hata above']
    return [*lines, ""]


def _hub(layout: Layout, town: bool) -> list[str]:
    where = "a 30 m mast on" if town else "antenna on"
    return [
        f"# The regional hub's daemon, {where} the roof of the crisis centre.",
        *_node("hub", layout.base + 1, "hub", "CLIENT", *layout.hub),
        "",
    ]


def _point_numbers(layout: Layout) -> Iterator[int]:
    """Node numbers for points, never reusing the low byte of the hub or a relay site."""
    reserved = 0x10 if len(layout.sites) <= 14 else 0x20
    num = layout.base + reserved
    while True:
        if num & 0xFF >= reserved:
            yield num
        num += 1


def _open_point(name: str, num: int, lat: float, lon: float, rng: random.Random) -> list[str]:
    height = rng.choice([6, 8, 8, 10, 10, 12])
    lines = _node(name, num, "point", "CLIENT", lat, lon, height)
    if rng.random() < 0.3:
        lines += [f"extra_loss_db = {rng.choice([6, 8, 10, 12])}.0  # antenna indoors"]
    return lines


def _town_point(name: str, num: int, lat: float, lon: float, rng: random.Random) -> list[str]:
    if rng.random() < INDOOR_SHARE:
        height = rng.choice(INDOOR_HEIGHTS_M)
        loss = building_entry_loss_db(FREQUENCY_MHZ / 1000.0, rng.uniform(*BEL_PROBABILITY))
        return [
            *_node(name, num, "point", "CLIENT", lat, lon, height),
            f"extra_loss_db = {loss:.1f}  # radio indoors: ITU-R P.2109 building entry loss",
        ]
    height = rng.choice(OUTDOOR_HEIGHTS_M)
    return [*_node(name, num, "point", "CLIENT", lat, lon, height), "# antenna on wall or roof"]


def _spread(
    town: Town, rng: random.Random, placed: list[tuple[float, float]], spacing_km: float
) -> list[tuple[float, float]]:
    """Points uniformly in a disc around the centre, at least ``spacing_km`` apart."""
    out: list[tuple[float, float]] = []
    km_per_deg_lon = KM_PER_DEG_LAT * math.cos(math.radians(town.lat))
    while len(out) < town.points:
        r = town.radius_km * math.sqrt(rng.random())
        a = rng.uniform(0, 2 * math.pi)
        lat = town.lat + r * math.sin(a) / KM_PER_DEG_LAT
        lon = town.lon + r * math.cos(a) / km_per_deg_lon
        near = any(
            math.hypot((lat - p[0]) * KM_PER_DEG_LAT, (lon - p[1]) * km_per_deg_lon) < spacing_km
            for p in placed + out
        )
        if not near:
            out.append((round(lat, 4), round(lon, 4)))
    return out


def _node(name: str, num: int, kind: str, role: str, lat: float, lon: float, h: float) -> list[str]:
    return [
        "[[nodes]]",
        f'name = "{name}"',
        f"num = 0x{num:08x}",
        f'kind = "{kind}"',
        f'role = "{role}"',
        f"lat = {lat}",
        f"lon = {lon}",
        f"height_m = {h}",
    ]
