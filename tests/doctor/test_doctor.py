"""``relay doctor`` on provisioned nodes: an emulated radio, a running daemon, and bad cases."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from relay.daemon.api import ensure_token, make_app
from relay.daemon.config import load_config
from relay.doctor import live, local
from relay.doctor.report import Status
from relay.doctor.run import Options, run
from relay.emulator.node import NodeOptions
from relay.provision.layout import Layout
from relay.radio.channel import channel_url, new_channel
from relay.radio.profile import Location
from relay.radio.render import Site, render, write_profile
from relay.wire import envelope, hubtime
from relay.wire.keys import format_key_id, load_private
from relay.wire.model import Certificate, Role
from tests.daemon.conftest import Cluster, make_keys, wait_for
from tests.helpers import free_port
from tests.provision.conftest import Region
from tests.provision.conftest import Relay as RelayRun
from tests.radio.emulated import EmulatedSite

REPO = Path(__file__).resolve().parents[2]


def doctor(relay: RelayRun, root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return relay("doctor", "--root", str(root), "--timeout", "5", *extra)


def lines(out: str) -> dict[str, str]:
    """Check name -> its line."""
    found = {}
    for line in out.splitlines():
        if line[:4] in ("PASS", "FAIL", "----"):
            found[line[6:21].strip()] = line
    return found


@pytest.fixture
def radio() -> Iterator[EmulatedSite]:
    site = EmulatedSite(NodeOptions(region="US")).start()
    yield site
    site.stop()


def provision_point(region: Region, relay: RelayRun, radio_url: str) -> Path:
    """A point provisioned below a --root, its radio at ``radio_url``; returns the root.
    Its screen gets a free port: a daemon of someone else's on the default 8080 would
    answer the doctor's daemon check (the machine is shared)."""
    args = ("--radio", radio_url, "--listen", f"127.0.0.1:{free_port()}")
    for step in (region.hub_args("--new-channel", "noodnet"), region.point_args(*args)):
        assert relay(*step).returncode == 0
        assert relay(*region.certify_args()).returncode == 0
        done = relay(*step)
        assert done.returncode == 0, done.stderr
    return region.base / "point"


def test_provisioned_point_before_and_after_radio_apply(
    region: Region, relay: RelayRun, radio: EmulatedSite
) -> None:
    root = provision_point(region, relay, radio.url)
    before = doctor(relay, root)
    assert before.returncode == 1
    found = lines(before.stdout)
    for name in ("config", "profile", "key", "certificate", "keyring", "store", "disk", "clock"):
        assert found[name].startswith("PASS"), found[name]
    assert found["daemon"].startswith("FAIL") and "systemctl start noodrelay" in found["daemon"]
    assert found["radio"].startswith("PASS") and "node !7e57aa01" in found["radio"]
    assert found["radio region"].startswith("FAIL")
    assert "radio has US, profile wants EU_868" in found["radio region"]
    assert "-> sudo relay radio apply" in found["radio region"]
    assert found["radio channel"].startswith("FAIL")

    profile = Layout(root).on_disk(Path("/etc/noodrelay/radio.yaml"))
    applied = relay("radio", "apply", str(profile), "--radio", radio.url)
    assert applied.returncode == 0, applied.stdout

    after = lines(doctor(relay, root).stdout)
    for name in ("radio", "radio region", "radio preset", "radio channel", "radio role"):
        assert after[name].startswith("PASS"), after[name]
    assert after["radio settings"].startswith("PASS")
    assert "'noodnet', the region's key" in after["radio channel"]


def test_json_output(region: Region, relay: RelayRun, radio: EmulatedSite) -> None:
    root = provision_point(region, relay, radio.url)
    proc = doctor(relay, root, "--json")
    data = json.loads(proc.stdout)
    assert data["ok"] is False and proc.returncode == 1
    by_name = {c["name"]: c for c in data["checks"]}
    assert by_name["key"]["status"] == "pass"
    assert by_name["radio region"]["status"] == "fail"
    assert by_name["radio region"]["fix"].startswith("sudo relay radio apply")


def test_readable_key_expired_certificate_and_corrupt_store(
    region: Region, relay: RelayRun, tmp_path: Path
) -> None:
    root = provision_point(region, relay, "tcp://127.0.0.1:1")
    layout = Layout(root)
    key_path = layout.on_disk(layout.key("np-017"))
    key = load_private(key_path)
    key_path.chmod(0o640)
    # A certificate that ran out a month ago, properly signed by the region root.
    root_key = load_private(region.root_key)
    now = hubtime.from_unix(time.time())
    body = Certificate(
        key.public.raw, Role.POINT, "np-017", now - 400 * 86400, now - 30 * 86400, 17
    )
    signed = envelope.sign(root_key, 50, now, body)
    layout.on_disk(layout.cert("np-017")).write_bytes(signed.raw)
    store = layout.on_disk(layout.store)
    store.write_bytes(b"this is not a database" * 100)
    found = lines(doctor(relay, root).stdout)
    assert found["key"].startswith("FAIL") and f"-> chmod 600 {key_path}" in found["key"]
    assert found["certificate"].startswith("FAIL") and "expired on" in found["certificate"]
    assert "certify the key again" in found["certificate"]
    assert found["store"].startswith("FAIL") and "move" in found["store"]
    assert found["radio"].startswith("FAIL") and "cannot reach the radio" in found["radio"]
    assert found["radio region"].startswith("----")


def test_certificate_expiring_soon(region: Region, relay: RelayRun) -> None:
    root = provision_point(region, relay, "tcp://127.0.0.1:1")
    layout = Layout(root)
    key = load_private(layout.on_disk(layout.key("np-017")))
    now = hubtime.from_unix(time.time())
    body = Certificate(key.public.raw, Role.POINT, "np-017", now - 86400, now + 10 * 86400, 17)
    signed = envelope.sign(load_private(region.root_key), 60, now, body)
    layout.on_disk(layout.cert("np-017")).write_bytes(signed.raw)
    found = lines(doctor(relay, root).stdout)
    assert found["certificate"].startswith("FAIL")
    assert "in 9 days" in found["certificate"] or "in 10 days" in found["certificate"]


def test_profile_and_config_preset_must_agree(region: Region, relay: RelayRun) -> None:
    root = provision_point(region, relay, "tcp://127.0.0.1:1")
    config = Layout(root).on_disk(Path("/etc/noodrelay/relay.toml"))
    config.write_text(config.read_text().replace('preset = "LONG_FAST"', 'preset = "MEDIUM_FAST"'))
    found = lines(doctor(relay, root).stdout)
    assert found["profile"].startswith("FAIL")
    assert "uses LONG_FAST but relay.toml says preset = MEDIUM_FAST" in found["profile"]


def test_missing_config(relay: RelayRun, tmp_path: Path) -> None:
    proc = relay("doctor", "--config", str(tmp_path / "nothing.toml"))
    assert proc.returncode == 1
    assert proc.stdout.startswith("FAIL  config") and "no configuration file" in proc.stdout


# --- the clock ------------------------------------------------------------------------


def test_clock_checks() -> None:
    now = time.time()
    hub = hubtime.from_unix(now)
    assert local.clock(now, hub + 30, 0).status is Status.PASS
    late = local.clock(now + 3600, hub, 0)
    assert late.status is Status.FAIL and "60 min ahead of the hub" in late.detail
    assert "sudo date -u -s" in late.fix
    # A Pi without RTC and NTP boots in 1970 (or at its last shutdown).
    stale = local.clock(0.0, None, hub - 86400 * 30)
    assert stale.status is Status.FAIL and "clock is wrong" in stale.detail
    assert local.clock(now, None, hub - 86400).status is Status.PASS


# --- a running daemon ---------------------------------------------------------------------


def _point_config(tmp_path: Path, port: int) -> Path:
    config = tmp_path / "relay.toml"
    config.write_text(
        'role = "point"\nname = "np-001"\n[radio]\nurl = "loop://air/np-001"\n'
        f'[keys]\nkey = "keys/np-001.key"\ncert = "keys/np-001.cert"\nkeyring = "keys"\n'
        f'[store]\npath = "np-001.db"\n[screen]\nlisten = "127.0.0.1:{port}"\n'
        'token_file = "np-001.token"\n[point]\nid = 1\n'
    )
    return config


async def test_another_nodes_daemon_at_the_address_does_not_pass(tmp_path: Path) -> None:
    """Issue 14 item 10: a hub answering at a point's address passed as 'daemon running'."""
    make_keys(tmp_path / "keys", 1)
    cluster = Cluster(tmp_path)
    port = free_port()
    config = _point_config(tmp_path, port)
    try:
        hub = await cluster.start("hub-utrecht", "hub")
        runner = web.AppRunner(make_app(hub, ensure_token(tmp_path / "hub.token")))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        results = await asyncio.to_thread(run, Options(config), time.time())
        await runner.cleanup()
    finally:
        await cluster.close()
    [daemon] = [r for r in results if r.name == "daemon"]
    assert daemon.status is Status.FAIL
    assert "is hub hub-utrecht, not point np-001" in daemon.detail and "listen" in daemon.fix


def test_a_daemon_with_another_key_does_not_pass(tmp_path: Path) -> None:
    make_keys(tmp_path / "keys", 1)
    config = load_config(_point_config(tmp_path, 1))
    state = {"role": "point", "name": "np-001", "key_id": "0badc0de"}
    key = load_private(tmp_path / "keys" / "np-001.key")
    result = live.daemon(config, state, key.key_id)
    assert result.status is Status.FAIL and "signs with key 0badc0de" in result.detail
    state["key_id"] = format_key_id(key.key_id)
    assert live.daemon(config, state, key.key_id).status is Status.PASS


async def test_running_point_heard_the_hub(tmp_path: Path) -> None:
    make_keys(tmp_path / "keys", 1)
    cluster = Cluster(tmp_path)
    port = free_port()
    channel = channel_url((new_channel("noodnet"),))
    site = Site("NSP 001", "P001", Location(52.0, 5.1, 2), channel)
    _profile, text = render(REPO / "firmware-config" / "point.yaml", site)
    write_profile(tmp_path / "radio.yaml", text)
    config = _point_config(tmp_path, port)
    try:
        await cluster.start("hub-utrecht", "hub")
        point = await cluster.start("np-001", "point", 1)
        runner = web.AppRunner(make_app(point, ensure_token(tmp_path / "np-001.token")))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        await wait_for(lambda: point.state()["hub_heard_s_ago"] is not None)
        results = await asyncio.to_thread(run, Options(config), time.time())
        await runner.cleanup()
    finally:
        await cluster.close()
    found = {r.name: r for r in results}
    assert found["daemon"].status is Status.PASS, found["daemon"]
    assert found["hub contact"].status is Status.PASS and "hub heard" in found["hub contact"].detail
    assert found["clock"].status is Status.PASS and "of the hub" in found["clock"].detail
    assert found["radio"].status is Status.PASS and "link is connected" in found["radio"].detail
    # The daemon holds the radio: its settings are not compared, and that is no pass.
    assert found["radio region"].status is Status.SKIP
    assert "sudo systemctl stop noodrelay" in found["radio region"].fix
    assert found["store"].status is Status.PASS


def test_doctor_never_leaves_root_owned_wal_files(tmp_path: Path) -> None:
    """The integrity check must not lock the daemon's user out of its own store."""
    import sqlite3

    if os.geteuid() != 0:
        pytest.skip("needs root: only root's checks could leave files the daemon cannot open")
    store = tmp_path / "relay.db"
    conn = sqlite3.connect(store)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    os.chown(store, 4321, 4321)
    result, _version = local._integrity(store)
    assert result == "ok"
    created = [store.with_name(store.name + s) for s in ("-wal", "-shm")]
    assert any(p.exists() for p in created)  # SQLite did create them...
    for extra in created:
        if extra.exists():
            assert extra.stat().st_uid == 4321  # ...and they belong to the store's owner


def test_counter_file_of_another_user_is_found(region: Region, relay: RelayRun) -> None:
    """``sudo relay compose --key ...`` would leave a root-owned counter the daemon can't use."""
    if os.geteuid() != 0:
        pytest.skip("needs root to give the counter file another owner")
    root = provision_point(region, relay, "tcp://127.0.0.1:1")
    layout = Layout(root)
    key_path = layout.on_disk(layout.key("np-017"))
    counter = key_path.with_suffix(".seq")
    counter.write_text("5\n")
    os.chown(counter, key_path.stat().st_uid + 1, 0)
    found = lines(doctor(relay, root).stdout)
    assert found["key"].startswith("FAIL") and "np-017.seq belongs to another user" in found["key"]
    assert f"sudo chown --reference={key_path}" in found["key"]
