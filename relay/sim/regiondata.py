"""Where the shipped region and city scenarios put their towns and relay sites.

Town centres are real (rounded to ~100 m); ``points`` is each town's share of the
region's 150 support points, in proportion to population; ``radius_km`` is how far from
the centre its points are spread. Relay sites stand on real tall buildings; the first
eight are the shipped region's, the rest (approximate positions, at the town centres)
are there for larger generated regions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Town:
    name: str
    lat: float
    lon: float
    points: int
    radius_km: float


@dataclass(frozen=True)
class Site:
    name: str
    lat: float
    lon: float
    height_m: float
    role: str
    note: str


# Veiligheidsregio Utrecht: 26 municipalities, ~1,400 km², ~1.4 million people.
REGION_TOWNS = [
    Town("utrecht", 52.0907, 5.1214, 30, 4.5),
    Town("amersfoort", 52.1561, 5.3878, 14, 3.2),
    Town("nieuwegein", 52.0290, 5.0800, 6, 2.0),
    Town("veenendaal", 52.0263, 5.5544, 6, 2.0),
    Town("zeist", 52.0893, 5.2332, 5, 2.0),
    Town("houten", 52.0283, 5.1681, 4, 1.6),
    Town("ijsselstein", 52.0200, 5.0430, 3, 1.2),
    Town("woerden", 52.0850, 4.8836, 4, 1.6),
    Town("soest", 52.1733, 5.2911, 4, 1.8),
    Town("maarssen", 52.1351, 5.0413, 3, 1.4),
    Town("bilthoven", 52.1290, 5.2040, 3, 1.4),
    Town("baarn", 52.2117, 5.2883, 3, 1.2),
    Town("leusden", 52.1325, 5.4300, 3, 1.2),
    Town("mijdrecht", 52.2070, 4.8620, 3, 1.2),
    Town("vianen", 51.9920, 5.0920, 3, 1.2),
    Town("wijk-bij-duurstede", 51.9740, 5.3420, 3, 1.0),
    Town("rhenen", 51.9590, 5.5680, 2, 1.0),
    Town("driebergen", 52.0530, 5.2800, 2, 1.0),
    Town("doorn", 52.0330, 5.3430, 2, 1.0),
    Town("spakenburg", 52.2440, 5.3760, 2, 1.0),
    Town("breukelen", 52.1730, 5.0000, 2, 0.8),
    Town("leerdam", 51.8930, 5.0920, 2, 1.0),
    Town("vleuten", 52.1080, 5.0130, 2, 1.0),
    Town("montfoort", 52.0460, 4.9520, 1, 0.6),
    Town("oudewater", 52.0250, 4.8680, 1, 0.6),
    Town("lopik", 51.9710, 4.9480, 1, 0.6),
    Town("bunnik", 52.0670, 5.1980, 1, 0.6),
    Town("odijk", 52.0530, 5.2350, 1, 0.6),
    Town("de-meern", 52.0800, 5.0300, 1, 0.6),
    Town("maartensdijk", 52.1550, 5.1720, 1, 0.6),
    Town("den-dolder", 52.1400, 5.2460, 1, 0.6),
    Town("woudenberg", 52.0800, 5.4160, 1, 0.6),
    Town("renswoude", 52.0740, 5.5400, 1, 0.5),
    Town("eemnes", 52.2540, 5.2570, 1, 0.6),
    Town("amerongen", 51.9980, 5.4600, 1, 0.5),
    Town("leersum", 52.0120, 5.4300, 1, 0.5),
    Town("maarn", 52.0640, 5.3700, 1, 0.5),
    Town("vinkeveen", 52.2130, 4.9360, 1, 0.6),
    Town("abcoude", 52.2720, 4.9700, 1, 0.5),
    Town("loenen", 52.2100, 5.0230, 1, 0.5),
    Town("harmelen", 52.0900, 4.9630, 1, 0.5),
    Town("kamerik", 52.1110, 4.8930, 1, 0.4),
    Town("linschoten", 52.0640, 4.9160, 1, 0.4),
    Town("benschop", 52.0080, 4.9770, 1, 0.4),
    Town("polsbroek", 51.9780, 4.8530, 1, 0.4),
    Town("schalkwijk", 52.0070, 5.1870, 1, 0.4),
    Town("cothen", 51.9960, 5.3110, 1, 0.4),
    Town("werkhoven", 52.0250, 5.2430, 1, 0.4),
    Town("langbroek", 52.0100, 5.3300, 1, 0.4),
    Town("hoogland", 52.1870, 5.3750, 1, 0.6),
    Town("achterveld", 52.1400, 5.4950, 1, 0.4),
    Town("lexmond", 51.9650, 5.0300, 1, 0.4),
    Town("meerkerk", 51.9180, 4.9930, 1, 0.4),
    Town("hagestein", 51.9780, 5.1200, 1, 0.3),
    Town("everdingen", 51.9530, 5.1350, 1, 0.3),
    Town("zegveld", 52.1150, 4.8380, 1, 0.4),
    Town("westbroek", 52.1630, 5.1200, 1, 0.4),
    Town("tienhoven", 52.1700, 5.0900, 1, 0.3),
    Town("nigtevecht", 52.2750, 5.0300, 1, 0.3),
    Town("overberg", 52.0420, 5.4780, 1, 0.3),
    Town("elst", 51.9930, 5.4930, 1, 0.3),
    Town("maarsbergen", 52.0570, 5.4030, 1, 0.3),
]

REGION_SITES = [
    Site("relay-dom", 52.0908, 5.1213, 90, "ROUTER", "Domtoren, Utrecht (112 m)"),
    Site("relay-gerbrandy", 52.0100, 5.0550, 100, "ROUTER", "Gerbrandytoren, IJsselstein"),
    Site("relay-lievevrouw", 52.1555, 5.3880, 60, "ROUTER", "Onze Lieve Vrouwetoren, Amersfoort"),
    Site("relay-cunera", 51.9600, 5.5700, 60, "ROUTER", "Cuneratoren, Rhenen"),
    Site("relay-petrus", 52.0860, 4.8830, 40, "ROUTER_LATE", "Petruskerk, Woerden"),
    Site("relay-mijdrecht", 52.2060, 4.8640, 35, "ROUTER_LATE", "office tower, Mijdrecht"),
    Site("relay-veenendaal", 52.0280, 5.5580, 45, "ROUTER", "tower block, Veenendaal"),
    Site("relay-leerdam", 51.8940, 5.0920, 35, "ROUTER_LATE", "church tower, Leerdam"),
]

#: More relay sites for generated regions with more than eight (ROUTER_LATE: they relay
#: after the towers above, so they fill gaps instead of doubling every flood).
EXTRA_SITES = [
    Site("relay-nieuwegein", 52.0300, 5.0820, 45, "ROUTER_LATE", "office tower, Nieuwegein"),
    Site("relay-zeist", 52.0890, 5.2350, 35, "ROUTER_LATE", "water tower, Zeist"),
    Site("relay-soest", 52.1740, 5.2920, 35, "ROUTER_LATE", "church tower, Soest"),
    Site("relay-houten", 52.0290, 5.1690, 35, "ROUTER_LATE", "church tower, Houten"),
    Site("relay-maarssen", 52.1360, 5.0420, 35, "ROUTER_LATE", "church tower, Maarssen"),
    Site("relay-wijk", 51.9745, 5.3430, 35, "ROUTER_LATE", "Grote Kerk, Wijk bij Duurstede"),
    Site("relay-baarn", 52.2120, 5.2890, 35, "ROUTER_LATE", "church tower, Baarn"),
    Site("relay-leusden", 52.1330, 5.4310, 35, "ROUTER_LATE", "water tower, Leusden"),
]

CITY_TOWN = [Town("amersfoort", 52.1561, 5.3878, 40, 3.5)]
CITY_SITES = [
    Site("relay-lievevrouw", 52.1555, 5.3880, 60, "ROUTER", "Onze Lieve Vrouwetoren"),
    Site(
        "relay-flat-noord",
        52.1750,
        5.3950,
        30,
        "ROUTER_LATE",
        "residential tower, Amersfoort-Noord",
    ),
]
