"""The region file: where the support points and relay sites are, for the dashboard's map.

Why a file of its own: the hub learns a point's number, name and groups from its
certificate and its state over the air, but never where it stands. The coordinates
are typed once at provisioning (``relay provision point --lat --lon``, for the radio's
fixed position) and belong to the region's planning, not to the radio protocol, so
the least invasive place is a small TOML file next to the hub's ``relay.toml``
(``[screen] region = "region.toml"``), read once at start-up and validated into
frozen records. Nothing goes over the air and no certificate changes::

    [[point]]
    id = 17
    lat = 52.0286
    lon = 5.1681
    municipality = "Houten"
    name = "Sporthal De Vliert"   # optional: the certificate's name wins once heard

    [[relay]]
    name = "Domtoren"
    lat = 52.0908
    lon = 5.1214
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relay.errors import ConfigError


@dataclass(frozen=True, slots=True)
class PlacedPoint:
    point_id: int
    lat: float
    lon: float
    municipality: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class RelaySite:
    name: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class RegionMap:
    points: tuple[PlacedPoint, ...] = ()
    relays: tuple[RelaySite, ...] = ()

    def by_id(self) -> dict[int, PlacedPoint]:
        return {p.point_id: p for p in self.points}


def _number(raw: dict[str, Any], key: str, at: str, lo: float, hi: float) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError("missing or not a number", f"{at}.{key}")
    if not lo <= value <= hi:
        raise ConfigError(f"{value} is outside {lo}..{hi}", f"{at}.{key}")
    return float(value)


def _text(raw: dict[str, Any], key: str, at: str) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or len(value) > 80:
        raise ConfigError("must be text of at most 80 characters", f"{at}.{key}")
    return value


def _table_list(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ConfigError("must be an array of tables ([[...]])", key)
    return items


def _point(raw: dict[str, Any], at: str) -> PlacedPoint:
    pid = raw.get("id")
    if isinstance(pid, bool) or not isinstance(pid, int) or not 1 <= pid <= 65535:
        raise ConfigError("must be a point number 1..65535", f"{at}.id")
    return PlacedPoint(
        pid,
        _number(raw, "lat", at, -90, 90),
        _number(raw, "lon", at, -180, 180),
        _text(raw, "municipality", at),
        _text(raw, "name", at),
    )


def parse_region(data: dict[str, Any]) -> RegionMap:
    """A parsed region file as records; every problem names its entry (``point[3].lat``)."""
    unknown = set(data) - {"point", "relay"}
    if unknown:
        raise ConfigError("unknown key (a typo?)", sorted(unknown)[0])
    points = tuple(_point(raw, f"point[{i}]") for i, raw in enumerate(_table_list(data, "point")))
    seen: set[int] = set()
    for i, p in enumerate(points):
        if p.point_id in seen:
            raise ConfigError(f"point {p.point_id} is listed twice", f"point[{i}].id")
        seen.add(p.point_id)
    relays = tuple(
        RelaySite(
            _text(raw, "name", f"relay[{i}]"),
            _number(raw, "lat", f"relay[{i}]", -90, 90),
            _number(raw, "lon", f"relay[{i}]", -180, 180),
        )
        for i, raw in enumerate(_table_list(data, "relay"))
    )
    return RegionMap(points, relays)


def load_region(path: Path | None) -> RegionMap:
    """The region file at ``path`` (an empty map without one)."""
    if path is None:
        return RegionMap()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"cannot read {path}: {err.strerror}", "screen.region") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path} is not valid TOML: {err}", "screen.region") from err
    try:
        return parse_region(data)
    except ConfigError as err:
        raise ConfigError(f"{path}: {err}", "screen.region") from err


def region_toml(region: RegionMap) -> str:
    """The region file for ``region`` (the demo and the tools write theirs with it)."""
    lines: list[str] = []
    for p in region.points:
        lines += ["[[point]]", f"id = {p.point_id}", f"lat = {p.lat:.6f}", f"lon = {p.lon:.6f}"]
        if p.municipality:
            lines.append(f"municipality = {_quote(p.municipality)}")
        if p.name:
            lines.append(f"name = {_quote(p.name)}")
        lines.append("")
    for r in region.relays:
        lines += ["[[relay]]", f"name = {_quote(r.name)}", f"lat = {r.lat:.6f}"]
        lines += [f"lon = {r.lon:.6f}", ""]
    return "\n".join(lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
