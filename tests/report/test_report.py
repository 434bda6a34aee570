"""``relay report`` on a simulated six-hour exercise of the 150-point region: the store is
written through the real store API (relay/report/sample.py), the command runs as an
operator would run it, and the HTML and CSV files say what happened."""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from relay.cli.main import cli
from relay.report.data import collect
from relay.report.render import html
from relay.report.sample import EXERCISE, FALL_SILENT, NEVER_HEARD, Sample, make_sample
from relay.store.store import Store
from relay.web.region import region_toml
from relay.wire import envelope, hubtime
from relay.wire import model as m
from relay.wire.keys import PrivateKey

SHM = Path("/dev/shm")


@pytest.fixture(scope="module")
def sample() -> Iterator[tuple[Sample, Path]]:
    """One simulated exercise for the module (in memory-backed /tmp-like storage when
    the machine has it: 3,500 single-row transactions with synchronous=FULL are slow on
    a shared disk, and the test is about the report, not the disk)."""
    with tempfile.TemporaryDirectory(dir=SHM if SHM.is_dir() else None) as tmp:
        base = Path(tmp)
        made = make_sample(base)
        (base / "region.toml").write_text(region_toml(made.region), encoding="utf-8")
        config = base / "relay.toml"
        config.write_text(
            'role = "hub"\nname = "hub"\n\n[radio]\nurl = "loop://air/hub"\n\n'
            '[keys]\nkey = "hub.key"\ncert = "hub.cert"\nkeyring = "keyring"\n\n'
            '[store]\npath = "hub.db"\n\n[screen]\nregion = "region.toml"\n\n'
            "[intervals]\nstatus_s = 900\n",
            encoding="utf-8",
        )
        yield made, config


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_report_of_the_exercise(sample: tuple[Sample, Path], tmp_path: Path) -> None:
    _made, config = sample
    out = tmp_path / "report.html"
    code, output = run("report", "--config", str(config), "--exercise", EXERCISE, "-o", str(out))
    assert code == 0, output
    assert "150 steunpunten" in output and "Hulpvragen: 6, waarvan 4 afgesloten" in output
    page = out.read_text(encoding="utf-8")
    # The one-page summary comes first, with the exercise named.
    assert page.index('id="summary"') < page.index("<h2>")
    assert f"OEFENING {EXERCISE}" in page
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 6  # self-contained
    assert "http://" not in page and "https://" not in page
    bulletins = rows(tmp_path / "report-bulletins.csv")
    assert len(bulletins) == 14 and all(b["status"] == "exercise" for b in bulletins)
    assert all(b["50 % (min)"] != "niet bereikt" for b in bulletins)
    # Never-heard points never got anything: no bulletin reached 100 %, and they are named.
    assert all(b["100 % (min)"] == "niet bereikt" for b in bulletins)
    points = {int(p["#"]): p for p in rows(tmp_path / "report-points.csv")}
    assert len(points) == 150
    for pid in NEVER_HEARD:
        assert points[pid]["rapporten"] == "0" and points[pid]["laatst gehoord"] == "–"
        assert all(points[pid]["punt"] in b["nooit ontvangen door"] for b in bulletins)
    for pid in FALL_SILENT:
        # Silent after three of six hours: at most half the intervals heard.
        assert 0 < int(points[pid]["% intervallen gehoord"]) <= 55
    assert sum(1 for p in points.values() if p["stroom (laatst)"] == "generator") > 10
    help_rows = rows(tmp_path / "report-help.csv")
    assert len(help_rows) == 6 and sum(1 for h in help_rows if h["afgesloten"] != "–") == 4
    assert len(rows(tmp_path / "report-radio.csv")) == 361


def test_report_by_period_and_clear_errors(sample: tuple[Sample, Path], tmp_path: Path) -> None:
    _made, config = sample
    out = tmp_path / "r.html"
    code, output = run(
        "report",
        "--config",
        str(config),
        "--from",
        "2026-11-18T12:00",
        "--to",
        "2026-11-18T13:00",
        "-o",
        str(out),
    )
    assert code == 0, output
    assert "(1.0 uur)" in output
    bad = [
        (
            ["--exercise", "Oefening Nergens"],
            f"no exercise named 'Oefening Nergens' (known: {EXERCISE})",
        ),
        (["--from", "gisteren"], "--from: 'gisteren' is not a date and time"),
        (["--from", "2026-11-18T13:00", "--to", "2026-11-18T12:00"], "--to must be after"),
        ([], "give --from (or --exercise NAME)"),
    ]
    for extra, message in bad:
        code, output = run("report", "--config", str(config), "-o", str(out), *extra)
        assert code != 0 and message in output, output
        assert "Traceback" not in output and len(output.strip().splitlines()) == 1


def test_missing_store_is_refused_not_created(tmp_path: Path) -> None:
    config = tmp_path / "relay.toml"
    config.write_text(
        'role = "hub"\nname = "hub"\n[radio]\nurl = "loop://air/hub"\n'
        '[keys]\nkey = "k"\ncert = "c"\nkeyring = "r"\n[store]\npath = "nowhere.db"\n',
        encoding="utf-8",
    )
    code, output = run("report", "--config", str(config), "--from", "2026-11-18T12:00")
    assert code != 0 and "no store at" in output
    assert not (tmp_path / "nowhere.db").exists()


def test_names_from_the_store_are_escaped(tmp_path: Path) -> None:
    store = Store(tmp_path / "hub.db")
    key = PrivateKey.generate("np-001", m.Role.POINT)
    report = m.StatusReport(1, m.OpenState.OPEN)
    msg = envelope.sign(key, 1, hubtime.from_unix(1000.0), report)
    at = hubtime.from_unix(1000.0)
    kw = {"key_id": key.key_id, "seq": 1, "time": at, "report": report}
    store.add_status(msg.raw, **kw, name='<script>alert(1)</script>"', node=1, received_at=1000.0)  # type: ignore[arg-type]
    page = html(collect(store, 0.0, 2000.0))
    store.close()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;&quot;" in page
