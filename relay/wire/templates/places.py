"""Gazetteer of the Utrecht safety region: stable small codes for place names.

A PLACE parameter travels as one of these codes (one byte on the wire for codes below
128) instead of its name. Codes are noodrelay's own, assigned once and never reused:
1-31 the municipalities of the province of Utrecht (2024), 32 and up towns, villages and
districts. A name not in the list travels as free text. Append only.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_PLACES: dict[int, str] = {
    # municipalities
    1: "Amersfoort",
    2: "Baarn",
    3: "Bunnik",
    4: "Bunschoten",
    5: "De Bilt",
    6: "De Ronde Venen",
    7: "Eemnes",
    8: "Houten",
    9: "IJsselstein",
    10: "Leusden",
    11: "Lopik",
    12: "Montfoort",
    13: "Nieuwegein",
    14: "Oudewater",
    15: "Renswoude",
    16: "Rhenen",
    17: "Soest",
    18: "Stichtse Vecht",
    19: "Utrecht",
    20: "Utrechtse Heuvelrug",
    21: "Veenendaal",
    22: "Vijfheerenlanden",
    23: "Wijk bij Duurstede",
    24: "Woerden",
    25: "Woudenberg",
    26: "Zeist",
    # towns and villages
    32: "Bilthoven",
    33: "Maartensdijk",
    34: "Driebergen-Rijsenburg",
    35: "Doorn",
    36: "Amerongen",
    37: "Leersum",
    38: "Maarn",
    39: "Den Dolder",
    40: "Huis ter Heide",
    41: "Soesterberg",
    42: "Maarssen",
    43: "Breukelen",
    44: "Loenen aan de Vecht",
    45: "Mijdrecht",
    46: "Vinkeveen",
    47: "Abcoude",
    48: "Harmelen",
    49: "Kamerik",
    50: "Zegveld",
    51: "Vianen",
    52: "Leerdam",
    53: "Odijk",
    54: "Werkhoven",
    55: "Cothen",
    56: "Benschop",
    57: "Spakenburg",
    58: "Hoogland",
    59: "Linschoten",
    60: "Schalkwijk",
    61: "Vreeswijk",
    # districts of Utrecht city
    64: "Leidsche Rijn",
    65: "Vleuten",
    66: "De Meern",
    67: "Overvecht",
    68: "Kanaleneiland",
    69: "Lunetten",
    70: "Zuilen",
    71: "Hoograven",
    72: "Binnenstad",
    73: "Utrecht-Oost",
    74: "Utrecht-West",
}

#: Code -> name, read-only.
PLACES: Mapping[int, str] = MappingProxyType(_PLACES)
_BY_KEY = {name.casefold(): code for code, name in _PLACES.items()}


def place_code(name: str) -> int:
    """The gazetteer code of ``name`` (case-insensitive), or 0 when it has none."""
    return _BY_KEY.get(" ".join(name.split()).casefold(), 0)


def place_name(code: int) -> str | None:
    return PLACES.get(code)
