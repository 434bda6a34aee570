"""``relay provision hub/point/certify`` end to end, below a ``--root`` prefix."""

from __future__ import annotations

import os
import random
import time
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from relay.daemon.build import build_engine
from relay.daemon.config import load_config
from relay.engine.point import PointEngine
from relay.provision.layout import Layout
from relay.radio.channel import load_channel_file
from relay.radio.policy import check_profile
from relay.radio.profile import load_profile
from relay.store.store import Store
from relay.wire import envelope, hubtime
from relay.wire.keys import load_private, load_public
from relay.wire.model import Certificate, Role
from relay.wire.trust import Keyring
from tests.provision.conftest import Region, Relay


def finish(region: Region, relay: Relay, args: list[str]) -> str:
    """First run (request), certification on the 'laptop', second run (install)."""
    first = relay(*args)
    assert first.returncode == 0, first.stderr
    assert "WAITING" in first.stdout and "NOT FINISHED" in first.stdout
    signed = relay(
        "provision", "certify", "--stick", str(region.stick), "--root", str(region.root_key)
    )
    assert signed.returncode == 0, signed.stderr
    second = relay(*args)
    assert second.returncode == 0, second.stderr
    return second.stdout


def test_hub_then_point(region: Region, relay: Relay) -> None:
    out = finish(region, relay, region.hub_args("--new-channel", "noodnet"))
    assert "Provisioned hub hub-utrecht" in out
    channel = load_channel_file(region.stick / "channel.url")
    assert channel.channels[0].name == "noodnet"
    assert (region.stick / "channel.url").stat().st_mode & 0o777 == 0o600

    out = finish(region, relay, region.point_args())
    assert "Provisioned point np-017" in out
    assert "others: hub-utrecht" in out
    layout = Layout(region.base / "point")

    # The private key: 0600, in the state directory, owned by the daemon's user.
    key_path = layout.on_disk(layout.key("np-017"))
    assert key_path.stat().st_mode & 0o777 == 0o600
    assert load_private(key_path).role is Role.POINT
    passwd = layout.on_disk(Path("/etc/passwd")).read_text()
    uid = int(
        next(line for line in passwd.splitlines() if line.startswith("noodrelay:")).split(":")[2]
    )
    if os.geteuid() == 0:
        assert key_path.stat().st_uid == uid
        assert layout.on_disk(layout.state).stat().st_uid == uid
    assert layout.on_disk(layout.state).stat().st_mode & 0o777 == 0o700

    # The keyring: the pinned root, our certificate and the hub's.
    ring = Keyring.load_dir(layout.on_disk(layout.keyring))
    assert {p.name for p in ring.principals()} == {"root", "np-017", "hub-utrecht"}
    assert load_public(layout.on_disk(layout.keyring / "root.pub")).role is Role.ROOT

    # The site's radio profile: complete, the region's channel, 0600.
    profile_path = layout.on_disk(layout.radio_profile)
    assert profile_path.stat().st_mode & 0o777 == 0o600
    profile = check_profile(load_profile(profile_path), complete=True)
    assert profile.channel is not None and profile.channel.channels == channel.channels
    assert profile.owner == "NSP 017 Houten" and profile.owner_short == "P017"

    # The config: the daemon's own loader accepts it, and names the final paths.
    config = load_config(layout.on_disk(layout.config))
    assert config.role == "point" and config.point_id == 17 and config.groups == ("houten",)
    assert config.key == Path("/var/lib/noodrelay/keys/np-017.key")
    assert config.engine.preset == "LONG_FAST"

    # The enabled unit.
    link = layout.on_disk(layout.wants_link)
    assert link.is_symlink() and os.readlink(link) == str(layout.unit)


def test_provisioned_files_build_a_running_engine(region: Region, relay: Relay) -> None:
    finish(region, relay, region.hub_args("--new-channel", "noodnet"))
    finish(region, relay, region.point_args())
    layout = Layout(region.base / "point")
    config = load_config(layout.on_disk(layout.config))
    # What the daemon would open on the Pi, found below the prefix.
    local = replace(
        config,
        key=layout.on_disk(config.key),
        cert=layout.on_disk(config.cert),
        keyring=layout.on_disk(config.keyring),
        store=layout.on_disk(config.store),
    )
    store = Store(local.store)
    try:
        engine = build_engine(local, store, time.monotonic(), random.Random(1))
    finally:
        store.close()
    assert isinstance(engine, PointEngine) and engine.point_id == 17


def test_running_again_keeps_what_is_right(region: Region, relay: Relay) -> None:
    finish(region, relay, region.hub_args("--new-channel", "noodnet"))
    key = Layout(region.base / "hub").on_disk(Path("/var/lib/noodrelay/keys/hub-utrecht.key"))
    before = key.read_bytes()
    again = relay(*region.hub_args())
    assert again.returncode == 0, again.stderr
    assert "kept /var/lib/noodrelay/keys/hub-utrecht.key" in again.stdout
    assert "kept /etc/noodrelay/relay.toml" in again.stdout
    assert key.read_bytes() == before


def test_systemd_unit_is_hardened_and_verifies(region: Region, relay: Relay) -> None:
    import shutil
    import subprocess

    finish(region, relay, region.hub_args("--new-channel", "noodnet"))
    layout = Layout(region.base / "hub")
    unit = layout.on_disk(layout.unit)
    text = unit.read_text()
    for line in (
        "User=noodrelay",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "StateDirectory=noodrelay",
        "Restart=on-failure",
        "StandardOutput=journal",
        "DevicePolicy=closed",
        "DeviceAllow=char-ttyACM rw",
        "IPAddressDeny=any",
        "CapabilityBoundingSet=\n",
    ):
        assert line in text, line
    assert "ReadWritePaths" not in text  # the state directory is the only writable place
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed (.ci/run installs systemd)")
    verify = subprocess.run(
        [tool, "verify", str(unit)], capture_output=True, text=True, check=False
    )
    assert verify.returncode == 0, verify.stderr
    assert unit.name not in verify.stderr, verify.stderr  # no warning about our file
    security = subprocess.run(
        [tool, "security", "--offline=yes", "--threshold=20", str(unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert security.returncode == 0, security.stdout + security.stderr
    overall = next(line for line in security.stdout.splitlines() if "Overall exposure" in line)
    assert float(overall.split("for noodrelay.service:")[1].split()[0]) <= 2.0, overall


# --- bad input: each stops the run and says what to do ------------------------------------


def test_readable_private_key_is_refused(region: Region, relay: Relay) -> None:
    first = relay(*region.hub_args("--new-channel", "noodnet"))
    assert first.returncode == 0
    key = Layout(region.base / "hub").on_disk(Path("/var/lib/noodrelay/keys/hub-utrecht.key"))
    key.chmod(0o644)
    again = relay(*region.hub_args())
    assert again.returncode == 5
    assert "readable by others" in again.stderr and "chmod 600" in again.stderr


def test_expired_certificate_is_refused_and_nothing_installed(region: Region, relay: Relay) -> None:
    first = relay(*region.hub_args("--new-channel", "noodnet"))
    assert first.returncode == 0
    layout = Layout(region.base / "hub")
    key = load_private(layout.on_disk(Path("/var/lib/noodrelay/keys/hub-utrecht.key")))
    root = load_private(region.root_key)
    now = hubtime.from_unix(time.time())
    cert = Certificate(key.public.raw, Role.HUB, "hub-utrecht", now - 400 * 86400, now - 35 * 86400)
    (region.stick / "certs").mkdir()
    (region.stick / "certs" / "hub-utrecht.cert").write_bytes(envelope.sign(root, 1, now, cert).raw)
    again = relay(*region.hub_args())
    assert again.returncode == 4
    assert "expired on" in again.stderr and "certify the key again" in again.stderr
    assert not layout.on_disk(layout.config).exists()
    assert not layout.on_disk(layout.unit).exists()


def test_certificate_for_another_key_is_refused(region: Region, relay: Relay) -> None:
    relay(*region.hub_args("--new-channel", "noodnet"))
    relay(*region.point_args())
    relay(*region.certify_args())
    # The technician starts over on this Pi with a fresh key; the old certificate stays.
    layout = Layout(region.base / "point")
    for f in layout.on_disk(layout.keys).iterdir():
        f.unlink()
    again = relay(*region.point_args())
    assert again.returncode == 4
    assert "not this node's key" in again.stderr


def test_certificate_for_another_point_number_is_refused(region: Region, relay: Relay) -> None:
    relay(*region.hub_args("--new-channel", "noodnet"))
    first = relay(*region.point_args())
    assert first.returncode == 0
    request = region.stick / "requests" / "np-017.request"
    request.write_text(request.read_text().replace("point_id = 17", "point_id = 18"))
    relay(*region.certify_args())
    again = relay(*region.point_args())
    assert again.returncode == 4
    assert "is for point 18, but this is point 17" in again.stderr


def test_point_needs_the_regions_channel(region: Region, relay: Relay) -> None:
    proc = relay(*region.point_args())
    assert proc.returncode == 6
    assert "no channel.url on the stick" in proc.stderr
    assert not (region.base / "point").exists()  # nothing written


def test_second_region_channel_is_refused(region: Region, relay: Relay) -> None:
    relay(*region.hub_args("--new-channel", "noodnet"))
    again = relay(*region.hub_args("--new-channel", "other"))
    assert again.returncode == 6
    assert "has its channel 'noodnet' already" in again.stderr


def test_relay_site_profile_is_not_for_a_point(region: Region, relay: Relay) -> None:
    relay(*region.hub_args("--new-channel", "noodnet"))
    repo = Path(__file__).resolve().parents[2]
    proc = relay(*region.point_args("--profile", str(repo / "firmware-config" / "relay-site.yaml")))
    assert proc.returncode == 6
    assert "ROUTER_LATE radio" in proc.stderr
    assert not (region.base / "point").exists()


def test_bad_profile_template_stops_before_anything_is_written(
    region: Region, relay: Relay, tmp_path: Path
) -> None:
    relay(*region.hub_args("--new-channel", "noodnet"))
    repo = Path(__file__).resolve().parents[2]
    bad = tmp_path / "bad.yaml"
    text = (repo / "firmware-config" / "point.yaml").read_text()
    bad.write_text(text.replace("region: EU_868", "region: US").replace("hop_limit", "hop_limt"))
    proc = relay(*region.point_args("--profile", str(bad)))
    assert proc.returncode == 6
    assert "config.lora.region: US is not the Dutch band" in proc.stderr
    assert "config.lora.hop_limt: meshtastic's LoRaConfig has no setting" in proc.stderr
    assert not (region.base / "point").exists()


def test_missing_root_key_on_the_stick(region: Region, relay: Relay) -> None:
    (region.stick / "root.pub").unlink()
    proc = relay(*region.hub_args("--new-channel", "noodnet"))
    assert proc.returncode == 5
    assert "copy root.pub from the region laptop" in proc.stderr


def test_request_file_names_the_certify_command(region: Region, relay: Relay) -> None:
    relay(*region.hub_args("--new-channel", "noodnet"))
    relay(*region.point_args())
    data = tomllib.loads((region.stick / "requests" / "np-017.request").read_text())
    assert data == {
        "name": "np-017",
        "role": "point",
        "key_id": data["key_id"],
        "point_id": 17,
        "groups": ["houten"],
    }
    text = (region.stick / "requests" / "np-017.request").read_text()
    assert "relay keys certify --root region/root.key" in text and "--point-id 17" in text


def test_certify_with_nothing_waiting(region: Region, relay: Relay) -> None:
    proc = relay(
        "provision", "certify", "--stick", str(region.stick), "--root", str(region.root_key)
    )
    assert proc.returncode == 0 and "no requests waiting" in proc.stdout
