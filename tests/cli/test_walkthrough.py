"""The README walkthrough, exactly as typed, and the CLI's answers to bad input."""

from __future__ import annotations

import json
import os
import random
import shlex
import tomllib
from pathlib import Path

import pytest

from tests.cli.conftest import Relay, assert_no_traceback

ROOT = Path(__file__).resolve().parent.parent.parent
CAP = ROOT / "tests" / "data" / "cap"


def readme_walkthrough() -> list[list[str]]:
    """The ``relay ...`` lines of the README's walkthrough block (the first ```sh block)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- walkthrough -->", 1)[1].split("```", 2)[1]
    lines = [ln.split("#", 1)[0].strip() for ln in block.splitlines()]
    return [shlex.split(ln) for ln in lines if ln.startswith("relay ")]


@pytest.fixture
def keys(relay: Relay, tmp_path: Path) -> Path:
    for args in (
        "keys new --role root --name root --dir keys",
        "keys new --role hub --name hub-utrecht --dir keys",
        "keys certify --root keys/root.key --subject keys/hub-utrecht.pub --role hub "
        "--out keys/hub-utrecht.cert",
    ):
        proc = relay(*args.split())
        assert proc.returncode == 0, proc.stderr
    return tmp_path / "keys"


HUB = ["--key", "keys/hub-utrecht.key", "--cert", "keys/hub-utrecht.cert"]


def test_readme_walkthrough_works_as_typed(relay: Relay, tmp_path: Path) -> None:
    # The walkthrough runs in a fresh clone: the files it names are the repository's own
    # (docs/examples/alert.xml), never made by the test.
    (tmp_path / "docs").symlink_to(ROOT / "docs", target_is_directory=True)
    steps = readme_walkthrough()
    assert len(steps) >= 9
    outputs = []
    for argv in steps:
        proc = relay(*argv[1:])
        assert_no_traceback(proc)
        assert proc.returncode == 0, f"{shlex.join(argv)}: {proc.stderr}"
        outputs.append(proc.stdout)
    report = json.loads(next(o for o in outputs if o.startswith("{")))
    assert report["valid"] is True
    assert report["kind"] == "bulletin"
    assert report["frames"] == 1
    assert set(report["airtime_ms"]) >= {"LONG_FAST"}


def test_private_keys_are_0600(keys: Path) -> None:
    for key in keys.glob("*.key"):
        assert os.stat(key).st_mode & 0o777 == 0o600


def test_compose_reports_cost(relay: Relay, keys: Path) -> None:
    proc = relay("compose", *HUB, "--text", "Drinkwater bij sporthal De Vliert", "-o", "b.bin")
    assert proc.returncode == 0, proc.stderr
    assert "1 frame(s)" in proc.stdout and "ms on air at LONG_FAST" in proc.stdout


def test_long_bulletin_warns_about_frames(relay: Relay, keys: Path) -> None:
    rng = random.Random(3)
    noise = "".join(rng.choice("qxzjkvwy0123456789 ") for _ in range(600))
    proc = relay("compose", *HUB, "--text", noise, "-o", "long.bin")
    assert proc.returncode == 0
    assert "warning: needs" in proc.stderr


def test_base64_through_stdin_and_stdout(relay: Relay, keys: Path) -> None:
    made = relay("compose", *HUB, "--text", "Test", "--base64", "-o", "-")
    assert made.returncode == 0
    checked = relay("check", "-", "--keyring", "keys", "--json", input=made.stdout)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["valid"] is True


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]), "bad_signature"),
        (lambda raw: raw[:40], "truncated"),
        (lambda raw: b"GIF89a" + raw, "not_noodrelay"),
        (lambda raw: bytes([0xA3]) + raw[1:], "unsupported_version"),
    ],
)
def test_check_refuses_with_one_line(
    relay: Relay, keys: Path, tmp_path: Path, mutate: object, reason: str
) -> None:
    relay("compose", *HUB, "--text", "Drinkwater", "-o", "b.bin")
    raw = (tmp_path / "b.bin").read_bytes()
    (tmp_path / "bad.bin").write_bytes(mutate(raw))  # type: ignore[operator]
    proc = relay("check", "bad.bin", "--keyring", "keys")
    assert proc.returncode != 0
    assert_no_traceback(proc)
    assert len(proc.stderr.strip().splitlines()) == 1
    as_json = relay("check", "bad.bin", "--keyring", "keys", "--json")
    assert json.loads(as_json.stdout)["reason"] == reason


def test_check_with_wrong_keyring(relay: Relay, keys: Path, tmp_path: Path) -> None:
    relay("compose", *HUB, "--text", "Drinkwater", "-o", "b.bin")
    relay("keys", "new", "--role", "root", "--name", "root", "--dir", "other")
    proc = relay("check", "b.bin", "--keyring", "other", "--json")
    assert proc.returncode != 0
    assert json.loads(proc.stdout)["reason"] == "unknown_key"


def test_replay_is_refused_with_state(relay: Relay, keys: Path) -> None:
    relay("compose", *HUB, "--text", "Drinkwater", "-o", "b.bin")
    first = relay("check", "b.bin", "--keyring", "keys", "--state", "seen.json")
    assert first.returncode == 0
    again = relay("check", "b.bin", "--keyring", "keys", "--state", "seen.json", "--json")
    assert again.returncode != 0
    assert json.loads(again.stdout)["reason"] == "duplicate"


def test_point_key_cannot_compose(relay: Relay, keys: Path) -> None:
    relay("keys", "new", "--role", "point", "--name", "np-017", "--dir", "keys")
    cert = relay(
        "keys",
        "certify",
        "--root",
        "keys/root.key",
        "--subject",
        "keys/np-017.pub",
        "--role",
        "point",
        "--point-id",
        "17",
        "--out",
        "keys/np-017.cert",
    )
    assert cert.returncode == 0, cert.stderr
    proc = relay(
        "compose",
        "--key",
        "keys/np-017.key",
        "--cert",
        "keys/np-017.cert",
        "--text",
        "Evacueer",
        "-o",
        "x.bin",
    )
    assert proc.returncode != 0
    assert "may not sign a bulletin" in proc.stderr
    assert_no_traceback(proc)


def test_insecure_key_is_refused(relay: Relay, keys: Path) -> None:
    (keys / "hub-utrecht.key").chmod(0o644)
    proc = relay("compose", *HUB, "--text", "x", "-o", "b.bin")
    assert proc.returncode != 0
    assert "chmod 600" in proc.stderr


def test_cap_update_refers_to_the_alert(relay: Relay, keys: Path, tmp_path: Path) -> None:
    first = relay("compose", *HUB, "--from-cap", str(CAP / "alert.xml"), "-o", "a.bin")
    assert first.returncode == 0, first.stderr
    assert "note: dropped" in first.stdout
    second = relay("compose", *HUB, "--from-cap", str(CAP / "update.xml"), "-o", "u.bin")
    assert second.returncode == 0, second.stderr
    report = json.loads(relay("check", "u.bin", "--keyring", "keys", "--json").stdout)
    assert report["content"]["type"] == "update"
    assert report["content"]["references"] == [1]


def test_airtime_command(relay: Relay) -> None:
    proc = relay("airtime", "--preset", "LONG_FAST", "--bytes", "180")
    assert proc.returncode == 0
    assert "1 frame(s)" in proc.stdout


def test_readme_puts_relay_on_path_before_using_it() -> None:
    """A fresh shell has no relay on PATH: the walkthrough makes the venv and activates it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- walkthrough -->", 1)[1].split("```", 2)[1]
    first = [ln.split("#", 1)[0].strip() for ln in block.splitlines() if ln.strip()][1:3]
    assert first == ["make venv", ". .venv/bin/activate"]
    assert "\nvenv: $(STAMP)" in (ROOT / "Makefile").read_text(encoding="utf-8")
    assert 'relay = "relay.cli.main:main"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_license_is_an_spdx_string() -> None:
    """setuptools >= 77 warns three times per install about a license table."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "EUPL-1.2"
    assert "setuptools>=77" in pyproject["build-system"]["requires"][0]
