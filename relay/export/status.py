"""The hub's picture of its support points, for systems that do not know noodrelay.

Three forms of the same rows: CSV for a spreadsheet (through :mod:`relay.csvfile`, which
neutralises cells a spreadsheet would run as formulas), and an EDXL-HAVE-*style* document
as XML or JSON. "Style", because HAVE 2.0 describes hospitals (beds, emergency
departments, HL7 codes) and a support point has none of that; what we borrow is HAVE's
shape: one element per facility with its identity, location, an operational status from a
short closed list, its resources and needs, and the time of the last report. The elements
live in our own namespace (:data:`NS`) so that no reader mistakes the document for one
that validates against the OASIS schema; docs/exports.md maps each element to its HAVE
counterpart.

A point is **silent** when the hub has not heard it for ``silent_after`` seconds (the
dashboard's rule: two status intervals, at least the kiosk's stale time), whatever its
last report said; a point in the region file that was never heard is silent too.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from relay import csvfile
from relay.store.store import StoredPoint
from relay.wire import describe
from relay.wire import model as m

NS = "urn:noodrelay:site-status:1"

FIELDS = (
    "site_id",
    "name",
    "municipality",
    "lat",
    "lon",
    "operational_status",
    "reported_status",
    "visitors",
    "power",
    "battery_pct",
    "needs",
    "text",
    "last_report",
    "last_heard",
)


@dataclass(frozen=True, slots=True)
class Place:
    """Where a point stands (from the region file), when the hub knows it."""

    lat: float
    lon: float
    municipality: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class SiteStatus:
    """One support point as the control room sees it."""

    site_id: int
    name: str
    place: Place | None
    #: open, limited, closed, silent or unknown (a point that reported no state yet)
    operational_status: str
    #: what the point's own last report said (silent hides it in operational_status)
    reported_status: str
    status: m.StatusReport
    last_report: str | None  # ISO UTC, hub time of the last status report
    last_heard: str | None  # ISO UTC, the hub's clock when it last heard the point


def sites(
    points: Iterable[StoredPoint],
    places: Mapping[int, Place],
    *,
    now: float,
    silent_after: float,
) -> list[SiteStatus]:
    """Every heard point, then every planned point never heard, by number."""
    out: dict[int, SiteStatus] = {}
    for p in points:
        reported = p.status.open.name.lower()
        silent = now - p.last_heard > silent_after
        out[p.point_id] = SiteStatus(
            site_id=p.point_id,
            name=p.name,
            place=places.get(p.point_id),
            operational_status="silent" if silent else reported,
            reported_status=reported,
            status=p.status,
            last_report=describe.iso(p.status_time) if p.status_seq else None,
            last_heard=_iso_unix(p.last_heard),
        )
    for pid, place in places.items():
        if pid not in out:
            name = place.name or f"#{pid}"
            out[pid] = SiteStatus(
                pid, name, place, "silent", "unknown", m.StatusReport(pid), None, None
            )
    return [out[k] for k in sorted(out)]


def _iso_unix(unix: float) -> str:
    return datetime.fromtimestamp(int(unix), tz=UTC).isoformat().replace("+00:00", "Z")


def _row(s: SiteStatus) -> dict[str, object]:
    st = describe.status(s.status)
    return {
        "site_id": s.site_id,
        "name": s.name,
        "municipality": s.place.municipality if s.place else "",
        "lat": s.place.lat if s.place else None,
        "lon": s.place.lon if s.place else None,
        "operational_status": s.operational_status,
        "reported_status": s.reported_status,
        "visitors": st["visitors"],
        "power": st["power"],
        "battery_pct": st["battery_pct"],
        "needs": st["needs"],
        "text": st["text"],
        "last_report": s.last_report,
        "last_heard": s.last_heard,
    }


def to_csv(rows: list[SiteStatus]) -> str:
    """One line per site; needs joined with ``;``; unknown values empty."""

    def cells(s: SiteStatus) -> dict[str, object]:
        r = _row(s)
        r["needs"] = ";".join(r["needs"])  # type: ignore[arg-type]
        return {k: "" if v is None else v for k, v in r.items()}

    return csvfile.write_dicts(FIELDS, (cells(s) for s in rows))


def to_json(rows: list[SiteStatus], *, region: str, generated: str) -> str:
    doc = {
        "format": NS,
        "region": region,
        "generated": generated,
        "sites": [_row(s) for s in rows],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def _add(parent: ET.Element, tag: str, value: object) -> None:
    if value is None or value == "":
        return
    ET.SubElement(parent, tag).text = str(value)


def _site_xml(parent: ET.Element, s: SiteStatus) -> None:
    r = _row(s)
    site = ET.SubElement(parent, "Site", {"id": str(s.site_id)})
    _add(site, "Name", s.name)
    _add(site, "Municipality", r["municipality"])
    if s.place is not None:
        where = ET.SubElement(site, "GeoLocation")
        _add(where, "Latitude", s.place.lat)
        _add(where, "Longitude", s.place.lon)
    _add(site, "LastUpdateTime", s.last_report)
    _add(site, "LastHeardTime", s.last_heard)
    status = ET.SubElement(site, "OperationalStatus")
    status.text = s.operational_status
    status.set("reported", s.reported_status)
    _add(site, "Visitors", r["visitors"])
    power = ET.SubElement(site, "Power", {"source": str(r["power"])})
    if r["battery_pct"] is not None:
        power.set("batteryPercent", str(r["battery_pct"]))
    needs = ET.SubElement(site, "Needs")
    for need in r["needs"]:  # type: ignore[attr-defined]
        ET.SubElement(needs, "Need").text = str(need)
    _add(site, "Comment", r["text"])


def to_xml(rows: list[SiteStatus], *, region: str, generated: str) -> bytes:
    # The namespace is declared by hand: ElementTree's default_namespace refuses the
    # unqualified attributes (id, region) that a default namespace leaves unqualified anyway.
    attrs = {"xmlns": NS, "region": region, "generated": generated}
    root = ET.Element("SiteStatusReport", attrs)
    for s in rows:
        _site_xml(root, s)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")
