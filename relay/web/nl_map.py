"""The national dashboard's offline map: the Netherlands as a simple outline, and each of
the 25 safety regions (veiligheidsregio's) as a labelled marker at its main city.

Not the regions' outlines: no offline source of them was at hand, and a marker at the
right place is what an operator needs to find a region. Coordinates are the cities'
(approximate, WGS84); the outline is a coarse trace of the coast and the borders, good to
a few kilometres, without the Wadden islands. A configured region is placed by its name
(``"gelderland-midden"``, ``"Gelderland-Midden"`` and ``"gelderland_midden"`` all match);
a region whose name matches none is listed beside the map instead.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SafetyRegion:
    name: str
    city: str
    lat: float
    lon: float


SAFETY_REGIONS = (
    SafetyRegion("Groningen", "Groningen", 53.219, 6.567),
    SafetyRegion("Fryslân", "Leeuwarden", 53.201, 5.799),
    SafetyRegion("Drenthe", "Assen", 52.993, 6.562),
    SafetyRegion("IJsselland", "Zwolle", 52.516, 6.083),
    SafetyRegion("Twente", "Enschede", 52.221, 6.894),
    SafetyRegion("Noord- en Oost-Gelderland", "Apeldoorn", 52.211, 5.969),
    SafetyRegion("Gelderland-Midden", "Arnhem", 51.985, 5.899),
    SafetyRegion("Gelderland-Zuid", "Nijmegen", 51.842, 5.853),
    SafetyRegion("Utrecht", "Utrecht", 52.091, 5.122),
    SafetyRegion("Noord-Holland-Noord", "Alkmaar", 52.632, 4.749),
    SafetyRegion("Zaanstreek-Waterland", "Zaandam", 52.439, 4.826),
    SafetyRegion("Kennemerland", "Haarlem", 52.387, 4.646),
    SafetyRegion("Amsterdam-Amstelland", "Amsterdam", 52.370, 4.895),
    SafetyRegion("Gooi en Vechtstreek", "Hilversum", 52.223, 5.176),
    SafetyRegion("Haaglanden", "Den Haag", 52.078, 4.300),
    SafetyRegion("Hollands Midden", "Leiden", 52.160, 4.497),
    SafetyRegion("Rotterdam-Rijnmond", "Rotterdam", 51.922, 4.479),
    SafetyRegion("Zuid-Holland-Zuid", "Dordrecht", 51.813, 4.690),
    SafetyRegion("Zeeland", "Middelburg", 51.499, 3.611),
    SafetyRegion("Midden- en West-Brabant", "Tilburg", 51.560, 5.091),
    SafetyRegion("Brabant-Noord", "'s-Hertogenbosch", 51.690, 5.304),
    SafetyRegion("Brabant-Zuidoost", "Eindhoven", 51.441, 5.470),
    SafetyRegion("Limburg-Noord", "Venlo", 51.370, 6.172),
    SafetyRegion("Zuid-Limburg", "Maastricht", 50.851, 5.691),
    SafetyRegion("Flevoland", "Lelystad", 52.518, 5.471),
)

#: (lon, lat), clockwise from Zeeuws-Vlaanderen: the coast, the German and Belgian borders.
OUTLINE = (
    (3.37, 51.37), (3.55, 51.60), (3.85, 51.80), (4.05, 51.97), (4.25, 52.12),
    (4.45, 52.33), (4.57, 52.47), (4.65, 52.78), (4.73, 52.96), (5.08, 52.95),
    (5.40, 53.15), (5.65, 53.30), (6.00, 53.40), (6.40, 53.42), (6.80, 53.45),
    (7.20, 53.25), (7.20, 53.00), (7.05, 52.65), (6.70, 52.55), (7.05, 52.40),
    (6.98, 52.12), (6.75, 51.95), (6.40, 51.85), (6.00, 51.83), (5.95, 51.72),
    (6.22, 51.40), (6.08, 51.15), (6.02, 50.76), (5.70, 50.76), (5.64, 50.85),
    (5.82, 51.10), (5.55, 51.27), (5.10, 51.43), (4.80, 51.50), (4.40, 51.45),
    (4.25, 51.37), (3.90, 51.21), (3.38, 51.28),
)  # fmt: skip

WIDTH = 600
#: Degrees of longitude are shorter than degrees of latitude at 52°N.
_LON_SCALE = math.cos(math.radians(52.2))
_WEST, _EAST, _SOUTH, _NORTH = 3.2, 7.4, 50.6, 53.6
_SCALE = WIDTH / ((_EAST - _WEST) * _LON_SCALE)
HEIGHT = round((_NORTH - _SOUTH) * _SCALE)


def project(lon: float, lat: float) -> tuple[float, float]:
    """SVG user units (``0 0 WIDTH HEIGHT``): an equirectangular view at 52°N, which
    at this size is indistinguishable from a proper projection."""
    return (round((lon - _WEST) * _LON_SCALE * _SCALE, 1), round((_NORTH - lat) * _SCALE, 1))


def slug(name: str) -> str:
    """``"Noord- en Oost-Gelderland"`` -> ``"noord-en-oost-gelderland"``."""
    folded = name.lower().replace("â", "a")
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


_BY_SLUG = {slug(r.name): r for r in SAFETY_REGIONS}


def find(region: str) -> SafetyRegion | None:
    return _BY_SLUG.get(slug(region))


def map_view(regions: list[str]) -> dict[str, Any]:
    """What the page draws: the outline, a marker per configured region that has a place,
    and the names of those that have none."""
    outline = " ".join(f"{x},{y}" for x, y in (project(lon, lat) for lon, lat in OUTLINE))
    placed, unplaced = [], []
    for name in regions:
        known = find(name)
        if known is None:
            unplaced.append(name)
            continue
        x, y = project(known.lon, known.lat)
        placed.append({"region": name, "label": known.name, "city": known.city, "x": x, "y": y})
    return {
        "viewbox": f"0 0 {WIDTH} {HEIGHT}",
        "outline": outline,
        "regions": placed,
        "unplaced": unplaced,
    }
