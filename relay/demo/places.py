"""The region file for a scenario: its points' and relay sites' coordinates, and the
municipality each point lies in, so the demo's (and the tools') dashboard draws its map.

Points are numbered in scenario order, as :func:`relay.demo.region.build_region` numbers
them. The shipped region scenario names points ``p-<town>-<n>``; the towns belong to the
26 municipalities of Veiligheidsregio Utrecht (CBS municipal division 2025).
"""

from __future__ import annotations

import re

from relay.sim.scenario import NodeKind, Scenario
from relay.web.region import PlacedPoint, RegionMap, RelaySite

_MUNICIPALITIES: dict[str, tuple[str, ...]] = {
    "Utrecht": ("utrecht", "vleuten", "de-meern"),
    "Amersfoort": ("amersfoort", "hoogland"),
    "Nieuwegein": ("nieuwegein",),
    "Veenendaal": ("veenendaal",),
    "Zeist": ("zeist", "den-dolder"),
    "Houten": ("houten", "schalkwijk"),
    "IJsselstein": ("ijsselstein",),
    "Woerden": ("woerden", "harmelen", "kamerik", "zegveld"),
    "Soest": ("soest",),
    "Stichtse Vecht": ("maarssen", "breukelen", "loenen", "tienhoven", "nigtevecht"),
    "De Bilt": ("bilthoven", "maartensdijk", "westbroek"),
    "Baarn": ("baarn",),
    "Leusden": ("leusden", "achterveld"),
    "De Ronde Venen": ("mijdrecht", "vinkeveen", "abcoude"),
    "Vijfheerenlanden": ("vianen", "lexmond", "meerkerk", "hagestein", "everdingen", "leerdam"),
    "Wijk bij Duurstede": ("wijk-bij-duurstede", "cothen"),
    "Rhenen": ("rhenen", "elst"),
    "Utrechtse Heuvelrug": (
        "driebergen",
        "doorn",
        "amerongen",
        "leersum",
        "maarn",
        "maarsbergen",
        "overberg",
        "langbroek",
    ),
    "Bunschoten": ("spakenburg",),
    "Montfoort": ("montfoort", "linschoten"),
    "Oudewater": ("oudewater",),
    "Lopik": ("lopik", "benschop", "polsbroek"),
    "Bunnik": ("bunnik", "odijk", "werkhoven"),
    "Woudenberg": ("woudenberg",),
    "Renswoude": ("renswoude",),
    "Eemnes": ("eemnes",),
}
TOWN_MUNICIPALITY = {town: name for name, towns in _MUNICIPALITIES.items() for town in towns}
_POINT_NAME = re.compile(r"^p-(?P<town>[a-z-]+?)-\d+$")


def municipality_of(node_name: str) -> str:
    """The municipality of a scenario point named ``p-<town>-<n>`` ("" if unknown)."""
    match = _POINT_NAME.match(node_name)
    return TOWN_MUNICIPALITY.get(match["town"], "") if match else ""


def region_of(scenario: Scenario) -> RegionMap:
    """Every placed point (numbered in scenario order) and relay site of ``scenario``."""
    points = []
    for point_id, spec in enumerate(scenario.of_kind(NodeKind.POINT), start=1):
        if spec.position is not None:
            where = spec.position
            points.append(
                PlacedPoint(point_id, where.lat, where.lon, municipality_of(spec.name), spec.name)
            )
    relays = tuple(
        RelaySite(spec.name, spec.position.lat, spec.position.lon)
        for spec in scenario.of_kind(NodeKind.RELAY)
        if spec.position is not None
    )
    return RegionMap(tuple(points), relays)
