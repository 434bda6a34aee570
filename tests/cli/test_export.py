"""``relay export cap`` and ``relay export status`` on the stores of a real in-process
region (real keys, SQLite, engine), run as the ``relay`` command a control room types."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from relay.daemon import ops
from relay.demo.inprocess import InProcessRegion
from relay.export.status import NS as SITE_NS
from relay.export.status import Place, sites
from relay.store.store import StoredPoint
from relay.wire import model as m
from relay.wire.cap import NS as CAP_NS
from relay.wire.cap import parse_cap
from tests.cli.conftest import Relay, assert_no_traceback
from tests.daemon.conftest import make_keys, wait_for

REGION = """
[[point]]
id = 1
lat = 52.0286
lon = 5.1681
municipality = "Houten"

[[point]]
id = 2
lat = 52.09
lon = 5.12
municipality = "Utrecht"

[[point]]
id = 3
lat = 52.1
lon = 5.2
municipality = "Zeist"
name = "Dorpshuis"
"""


def hub_toml(base: Path) -> Path:
    path = base / "hub.toml"
    path.write_text(
        'role = "hub"\nname = "hub-utrecht"\n'
        '[radio]\nurl = "loop://air/hub-utrecht"\n'
        '[keys]\nkey = "keys/hub-utrecht.key"\ncert = "keys/hub-utrecht.cert"\nkeyring = "keys"\n'
        '[store]\npath = "hub-utrecht.db"\n'
        '[screen]\nregion = "region.toml"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
async def region(tmp_path: Path) -> Path:
    """A hub that issued four bulletins and heard two points; then stopped."""
    make_keys(tmp_path / "keys", 2)
    (tmp_path / "region.toml").write_text(REGION, encoding="utf-8")
    c = InProcessRegion(tmp_path, region_file=tmp_path / "region.toml")
    try:
        hub = await c.start("hub-utrecht", "hub")
        p1 = await c.start("np-001", "point", 1)
        p2 = await c.start("np-002", "point", 2)
        fire = m.Bulletin(
            texts=(m.LocalizedText("nl", "Brand", "Blijf binnen."),),
            urgency=m.Urgency.IMMEDIATE,
            severity=m.Severity.SEVERE,
            certainty=m.Certainty.OBSERVED,
            categories=m.Category.FIRE,
            expires_in_min=120,
        )
        first = ops.issue(hub, fire)["seq"]
        ops.issue(hub, replace(fire, type=m.MsgType.UPDATE, references=(first,)))
        ops.issue(hub, replace(fire, status=m.AlertStatus.EXERCISE))
        ops.issue(hub, m.Bulletin(texts=(m.LocalizedText("nl", "", "Drinkwater"),)))
        ops.set_status(
            p1,
            m.StatusReport(
                1,
                open=m.OpenState.LIMITED,
                power=m.PowerSource.GENERATOR,
                battery_pct=80,
                visitors=40,
                needs=m.Need.FUEL | m.Need.DRINKING_WATER,
                text="=HYPERLINK(1)",
            ),
        )
        ops.set_status(p2, m.StatusReport(2, open=m.OpenState.OPEN, visitors=12))

        def heard() -> bool:
            got = {p.point_id: p.status for p in hub.store.points()}
            return got.get(1, m.StatusReport(1)).visitors == 40 and 2 in got

        await wait_for(heard, timeout=30)
    finally:
        await c.close()
    hub_toml(tmp_path)
    return tmp_path


def ok(proc: object) -> str:
    assert_no_traceback(proc)  # type: ignore[arg-type]
    assert proc.returncode == 0, proc.stderr  # type: ignore[attr-defined]
    return str(proc.stdout)  # type: ignore[attr-defined]


async def test_export_cap_from_the_hub_store(region: Path, relay: Relay) -> None:
    ok(relay("export", "cap", "--config", "hub.toml", "--out", "cap", "--area", "VR Utrecht"))
    files = sorted((region / "cap").glob("*.xml"))
    assert len(files) == 4
    alerts = {a.identifier: a for a in (parse_cap(f.read_bytes()) for f in files)}
    by_seq = {int(i.rsplit("-", 1)[1]): a for i, a in alerts.items()}
    first, update, exercise, water = (by_seq[s] for s in sorted(by_seq))
    assert first.msg_type is m.MsgType.ALERT and first.status is m.AlertStatus.ACTUAL
    assert update.msg_type is m.MsgType.UPDATE
    assert update.references == (first.identifier,)
    assert exercise.status is m.AlertStatus.EXERCISE
    assert water.infos[0].description == "Drinkwater"
    assert first.infos[0].area == "VR Utrecht"
    # --active: the first alert was replaced by its Update, so it is left out.
    ok(relay("export", "cap", "--config", "hub.toml", "--active", "-o", "active"))
    active = sorted(p.name for p in (region / "active").glob("*.xml"))
    assert active == sorted(f.name for f in files if f.name != f"{first.identifier}.xml")
    root = ET.fromstring(files[0].read_bytes())
    assert root.tag == f"{{{CAP_NS}}}alert"
    assert root.findtext(f"{{{CAP_NS}}}info/{{{CAP_NS}}}senderName") == "hub-utrecht"


async def test_export_cap_of_a_message_file_verifies_it_first(
    region: Path, relay: Relay, tmp_path: Path
) -> None:
    hub_key = ["--key", "keys/hub-utrecht.key", "--cert", "keys/hub-utrecht.cert"]
    ok(relay("compose", *hub_key, "--text", "Kook water", "--category", "health", "-o", "b.bin"))
    xml = ok(relay("export", "cap", "b.bin", "--keyring", "keys"))
    alert = parse_cap(xml.encode())
    assert alert.status is m.AlertStatus.ACTUAL and alert.categories == m.Category.HEALTH
    assert alert.infos[0].description == "Kook water"
    data = bytearray((tmp_path / "b.bin").read_bytes())
    data[-1] ^= 1
    (tmp_path / "bad.bin").write_bytes(bytes(data))
    proc = relay("export", "cap", "bad.bin", "--keyring", "keys")
    assert proc.returncode != 0 and not proc.stdout
    assert proc.stderr.strip().count("\n") == 0 and "signature" in proc.stderr
    proc = relay("export", "cap", "b.bin")
    assert proc.returncode == 2 and "--keyring" in proc.stderr


async def test_export_status_csv_is_spreadsheet_safe(region: Path, relay: Relay) -> None:
    rows = list(csv.DictReader(io.StringIO(ok(relay("export", "status", "--config", "hub.toml")))))
    by_id = {r["site_id"]: r for r in rows}
    assert set(by_id) == {"1", "2", "3"}
    one = by_id["1"]
    assert one["operational_status"] == "limited"
    assert one["visitors"] == "40" and one["power"] == "generator"
    assert one["needs"] == "drinking_water;fuel"
    assert one["text"] == "'=HYPERLINK(1)"  # shown as text, never run
    assert one["municipality"] == "Houten" and one["lat"] == "52.0286"
    assert one["last_report"].endswith("Z") and one["last_heard"].endswith("Z")
    assert by_id["2"]["operational_status"] == "open"
    assert by_id["3"]["operational_status"] == "silent"  # planned, never heard
    assert by_id["3"]["name"] == "Dorpshuis" and by_id["3"]["last_report"] == ""


async def test_export_status_have_json_and_xml(region: Path, relay: Relay) -> None:
    doc = json.loads(ok(relay("export", "status", "--config", "hub.toml", "--format", "have-json")))
    assert doc["format"] == SITE_NS and doc["region"] == "hub-utrecht"
    assert [s["site_id"] for s in doc["sites"]] == [1, 2, 3]
    assert doc["sites"][0]["needs"] == ["drinking_water", "fuel"]
    ok(relay("export", "status", "--config", "hub.toml", "--format", "have-xml", "--out", "s.xml"))
    root = ET.parse(region / "s.xml").getroot()
    q = f"{{{SITE_NS}}}"
    assert root.tag == q + "SiteStatusReport"
    site = root.find(q + "Site")
    assert site is not None and site.get("id") == "1"
    assert site.findtext(q + "OperationalStatus") == "limited"
    assert site.findtext(f"{q}GeoLocation/{q}Latitude") == "52.0286"
    assert [n.text for n in site.iter(q + "Need")] == ["drinking_water", "fuel"]
    assert site.find(q + "Power").get("batteryPercent") == "80"  # type: ignore[union-attr]


async def test_export_status_refuses_a_point_config(region: Path, relay: Relay) -> None:
    text = (region / "hub.toml").read_text().replace('role = "hub"', 'role = "point"')
    (region / "point.toml").write_text(text + "[point]\nid = 1\n")
    proc = relay("export", "status", "--config", "point.toml")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "on the hub" in proc.stderr


def test_a_point_not_heard_for_two_intervals_is_silent() -> None:
    report = m.StatusReport(5, open=m.OpenState.OPEN)
    p = StoredPoint(5, "np-005", 1, 2, 1000.0, report, 3, 60_000_000, None, None)
    (fresh,) = sites([p], {}, now=1500.0, silent_after=600)
    (old,) = sites([p], {5: Place(52.0, 5.0)}, now=1700.0, silent_after=600)
    assert (fresh.operational_status, old.operational_status) == ("open", "silent")
    assert old.reported_status == "open" and old.place == Place(52.0, 5.0)
