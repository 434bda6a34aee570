"""The dashboard's region: every point (heard or only planned), where it stands, what it
is missing, and the receipt matrix in a compact form that stays small at 150 points.

A point listed in the region file but never heard still counts: "148/150 received" must
be out of the points the region has, not only the ones that happened to report.
"""

from __future__ import annotations

from typing import Any

from relay.daemon import ops
from relay.daemon.node import Node
from relay.engine.hub import HubEngine
from relay.web.region import RegionMap
from relay.web.render import render_bulletin
from relay.wire import describe
from relay.wire import model as m

#: One character per cell keeps the matrix ~150 bytes per bulletin at 150 points.
CELL = {(True, True): "d", (False, True): "d", (True, False): "r", (False, False): "-"}


def region_points(node: Node, region: RegionMap, silent_after: float) -> list[dict[str, Any]]:
    """Heard points with their place, then planned points never heard (silent)."""
    placed = region.by_id()
    rows = ops.points(node)
    heard = {r["point_id"] for r in rows}
    active = len(ops.hub_engine(node).catalogue.active(ops.hub_engine(node).key_id))
    for r in rows:
        r["silent"] = r["heard_s_ago"] > silent_after
    for pid, place in placed.items():
        if pid in heard:
            continue
        rows.append(
            {
                **describe.status(m.StatusReport(pid)),
                "name": place.name or f"#{pid}",
                "node": None,
                "last_heard": None,
                "heard_s_ago": None,
                "holds": 0,
                "active": active,
                "silent": True,
            }
        )
    for r in rows:
        where = placed.get(r["point_id"])
        r["municipality"] = where.municipality if where else ""
        r["lat"] = where.lat if where else None
        r["lon"] = where.lon if where else None
    return sorted(rows, key=lambda r: int(r["point_id"]))


def receipt_matrix(node: Node, hub: HubEngine, region: RegionMap) -> dict[str, Any]:
    """Per active bulletin one string of cells (``d`` displayed, ``r`` received, ``-``
    missing) over ``points`` (heard and planned, by number), with totals."""
    names = {p.point_id: p.name for p in node.store.points()}
    planned = region.by_id()
    point_ids = sorted(set(hub.points) | set(planned))
    matrix = hub.receipt_matrix()
    rows: list[dict[str, Any]] = []
    for seq in sorted(hub.catalogue.active(hub.key_id), reverse=True):
        record = hub.catalogue.get((hub.key_id, seq))
        text = render_bulletin(record.bulletin, "nl", record.issued) if record else None
        cells = "".join(CELL[matrix.get(pid, {}).get(seq, (False, False))] for pid in point_ids)
        rows.append(
            {
                "seq": seq,
                "headline": (text.headline or text.body[:80]) if text else "",
                "cells": cells,
                "received": len(cells) - cells.count("-"),
                "displayed": cells.count("d"),
            }
        )
    columns = [
        {
            "point_id": pid,
            "name": names.get(pid)
            or (planned[pid].name if pid in planned else "")
            or (hub.points[pid].name if pid in hub.points else f"#{pid}"),
        }
        for pid in point_ids
    ]
    return {"points": columns, "rows": rows, "bulletins": len(rows)}


def relay_sites(region: RegionMap) -> list[dict[str, Any]]:
    return [{"name": r.name, "lat": r.lat, "lon": r.lon} for r in region.relays]
