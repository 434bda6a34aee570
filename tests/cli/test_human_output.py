"""Issue 14 item 12: output a person reads (no reprs, local time, clear refusals)."""

from __future__ import annotations

import re
from pathlib import Path

from relay.demo.run import radios_line, receipt_lines
from relay.sim.scenario import load_scenario
from tests.cli.conftest import Relay, assert_no_traceback

HUB = ["--key", "keys/hub-utrecht.key", "--cert", "keys/hub-utrecht.cert"]
REPR = re.compile(r"\[\]|\[['\d]|\{'|\bNone\b|\bTrue\b|\bFalse\b")


def _region(relay: Relay) -> None:
    for args in (
        "keys new --role root --name root --dir keys",
        "keys new --role hub --name hub-utrecht --dir keys",
        "keys certify --root keys/root.key --subject keys/hub-utrecht.pub --role hub "
        "--out keys/hub-utrecht.cert",
    ):
        assert relay(*args.split()).returncode == 0


def test_certify_with_the_public_root_key_says_so(relay: Relay) -> None:
    _region(relay)
    args = "keys certify --root keys/root.pub --subject keys/hub-utrecht.pub --role hub"
    proc = relay(*args.split(), "--out", "x.cert")
    assert proc.returncode != 0
    assert_no_traceback(proc)
    assert proc.stderr.strip() == (
        "Error: keys/root.pub is a public key; use the private key keys/root.key"
    )


def test_check_prints_no_python_values(relay: Relay, tmp_path: Path) -> None:
    _region(relay)
    cap = Path(__file__).resolve().parents[2] / "docs" / "examples" / "alert.xml"
    made = relay("compose", *HUB, "--from-cap", str(cap), "--group", "west", "--point", "3",
                 "-o", "c.bin")  # fmt: skip
    assert made.returncode == 0, made.stderr
    proc = relay("check", "c.bin", "--keyring", "keys")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert not [ln for ln in lines if REPR.search(ln)], proc.stdout
    assert "categories fire, env" in lines and "target   points 3; groups west" in lines
    assert "expires  01-01-2099 00:00 (Amsterdam)" in lines
    assert any(ln.startswith("signed   ") and "(Amsterdam" in ln for ln in lines)


def test_one_text_limit_with_a_refusal_and_an_override(relay: Relay) -> None:
    _region(relay)
    long_text = "Kook water voor gebruik. " * 80  # 2,000 characters
    refused = relay("compose", *HUB, "--text", long_text, "-o", "long.bin")
    assert refused.returncode == 2
    assert_no_traceback(refused)
    assert "at most 1000" in refused.stderr and "--allow-long" in refused.stderr
    meant = relay("compose", *HUB, "--text", long_text, "--allow-long", "-o", "long.bin")
    assert meant.returncode == 0, meant.stderr


def test_demo_counts_over_all_points_and_names_the_relay_sites() -> None:
    bulletins = [{"seq": 1, "state": "active", "received": 2, "displayed_at_points": 0}]
    lines = receipt_lines(bulletins, reporting=3, total=5, requests=[])
    assert lines[0] == "    #1   received at 2 of 5 points, displayed at 0 of 5"
    assert lines[1] == "    points reporting to the hub: 3 of 5"
    line = radios_line(load_scenario("village"), "village")
    assert "8 emulated Meshtastic radios" in line and "2 of them relay sites" in line
    assert "5 support points" in line


def test_a_points_reporting_reads_as_a_sentence() -> None:
    from relay.cli.human import state_lines

    [line] = state_lines(
        {
            "reporting": {
                "status_interval_s": 1800.0,
                "heard_this_interval": True,
                "hop_limit": 1,
                "next_report_in_s": 640,
            }
        }
    )
    assert "every 30 min, heard by the hub in this one; hop limit 1; next in 11 min" in line
    assert "{" not in line
