"""``relay keys`` for a national authority, and a national bulletin checked by a region's
keyring that pins the national root (issue 13)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.cli.conftest import Relay, assert_no_traceback


def _ok(relay: Relay, *args: str) -> None:
    proc = relay(*args)
    assert proc.returncode == 0, proc.stderr


def national_keys(relay: Relay) -> None:
    for line in (
        "keys new --role national-root --name national-root --dir nat",
        "keys new --role national --name NCC --dir nat",
        "keys certify --root nat/national-root.key --subject nat/NCC.pub --role national "
        "--out nat/NCC.cert",
        "keys new --role root --name root --dir region",
        "keys new --role hub --name hub-utrecht --dir region",
    ):
        _ok(relay, *line.split())


def test_a_national_bulletin_checks_with_a_keyring_pinning_the_national_root(
    relay: Relay, tmp_path: Path
) -> None:
    national_keys(relay)
    ring = tmp_path / "ring"
    ring.mkdir()
    for name in ("region/root.pub", "nat/national-root.pub", "nat/NCC.cert"):
        shutil.copy(tmp_path / name, ring)
    _ok(relay, "compose", "--key", "nat/NCC.key", "--cert", "nat/NCC.cert",
        "--text", "Landelijk: blijf binnen", "-o", "n.bin")  # fmt: skip
    report = json.loads(relay("check", "n.bin", "--keyring", "ring", "--json").stdout)
    assert report["valid"] is True, report
    assert "NCC" in json.dumps(report)


def test_a_region_root_cannot_certify_a_national_key(relay: Relay) -> None:
    national_keys(relay)
    proc = relay("keys", "certify", "--root", "region/root.key", "--subject", "nat/NCC.pub",
                 "--role", "national", "--out", "x.cert")  # fmt: skip
    assert proc.returncode != 0
    assert_no_traceback(proc)
    assert "national root" in proc.stderr


def test_the_national_root_cannot_certify_a_hub(relay: Relay) -> None:
    national_keys(relay)
    proc = relay("keys", "certify", "--root", "nat/national-root.key", "--subject",
                 "region/hub-utrecht.pub", "--role", "hub", "--out", "x.cert")  # fmt: skip
    assert proc.returncode != 0
    assert_no_traceback(proc)
    assert "region root" in proc.stderr
