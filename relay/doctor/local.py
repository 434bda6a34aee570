"""Checks of what lies on this node's disk: config, radio profile, keys, certificates,
keyring, store, free space, and whether the clock is plausible."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from relay.daemon.config import DaemonConfig
from relay.doctor.report import Result
from relay.errors import InsecureKeyFileError, RelayError
from relay.provision.certs import EXPIRY_WARNING_DAYS
from relay.radio.policy import load_checked
from relay.radio.profile import Profile
from relay.store.db import latest_version
from relay.wire import envelope, hubtime
from relay.wire.keys import PrivateKey, format_key_id, load_private
from relay.wire.model import Certificate, Role
from relay.wire.trust import Keyring

DAY = 86_400
MIN_FREE_BYTES = 100 * 1024 * 1024
MIN_FREE_SHARE = 0.05
#: The clock may differ this much from the hub's before we call it wrong.
CLOCK_TOLERANCE_S = 300


def profile(config: DaemonConfig, path: Path) -> tuple[Result, Profile | None]:
    fix = f"render it again: relay radio render firmware-config/... -o {path}"
    try:
        p = load_checked(path, complete=True)
    except RelayError as err:
        first = str(err).splitlines()
        return Result.fail("profile", " ".join(s.strip() for s in first[:3]), fix), None
    preset = p.get("config.lora.modem_preset")
    if preset != config.engine.preset:
        return (
            Result.fail(
                "profile",
                f"{path} uses {preset!s} but relay.toml says preset = {config.engine.preset}",
                f'set preset = "{preset!s}" in relay.toml (both must match the region)',
            ),
            p,
        )
    role = p.get("config.device.role")
    return Result.ok("profile", f"{path}: {role!s}, {preset!s}, channel set"), p


#: The key role each node role signs with.
_ROLE = {"hub": Role.HUB, "point": Role.POINT, "national": Role.NATIONAL}


def key(config: DaemonConfig) -> tuple[Result, PrivateKey | None]:
    try:
        k = load_private(config.key)
    except InsecureKeyFileError as err:
        return Result.fail("key", str(err).split(";")[0], f"chmod 600 {config.key}"), None
    except RelayError as err:
        return Result.fail("key", str(err), "provision this node again (relay provision)"), None
    wanted = _ROLE[config.role]
    if k.role is not wanted:
        return (
            Result.fail(
                "key",
                f"{config.key} is a {k.role.name.lower()} key in a {config.role}'s config",
                "provision again with the right role",
            ),
            None,
        )
    stranger = _foreign_owner(config.key)
    if stranger is not None:
        return (
            Result.fail(
                "key",
                f"{stranger} belongs to another user than the key: the daemon cannot sign "
                "(was a relay command run with sudo on this key?)",
                f"sudo chown --reference={config.key} {config.key.parent}/*",
            ),
            k,
        )
    return Result.ok("key", f"{k.name} id {format_key_id(k.key_id)}, mode 600"), k


def _foreign_owner(key_path: Path) -> Path | None:
    """A counter or lock file beside the key that its owner (the daemon) cannot write.

    Every signature advances ``NAME.seq`` under ``NAME.seq.lock``; one made by root
    (``sudo relay compose --key ...``) would stop the daemon from signing anything."""
    owner = key_path.stat().st_uid
    for suffix in (".seq", ".seq.lock"):
        other = key_path.with_suffix(suffix)
        if other.exists() and other.stat().st_uid != owner:
            return other
    return None


def certificate(
    config: DaemonConfig, k: PrivateKey | None, now: int, clock_name: str
) -> tuple[Result, Certificate | None, int]:
    """The node's own certificate; also returns the time it was signed (for the clock)."""
    fix = "certify the key again on the region laptop and run relay provision again"
    try:
        msg = envelope.parse(config.cert.read_bytes())
        ring = Keyring.load_dir(config.keyring)
        principal = ring.add_certificate(msg)
    except (OSError, RelayError) as err:
        return Result.fail("certificate", f"{config.cert}: {err}", fix), None, 0
    body = msg.envelope.body
    assert isinstance(body, Certificate)
    problem = _mismatch(config, k, body)
    if problem:
        return Result.fail("certificate", problem, fix), body, msg.envelope.time
    until = hubtime.to_datetime(principal.valid_until).date().isoformat()
    days = (principal.valid_until - now) // DAY
    if now > principal.valid_until:
        detail = f"expired on {until} (by the {clock_name})"
        return Result.fail("certificate", detail, fix), body, msg.envelope.time
    if now < principal.valid_from:
        detail = f"not valid yet by the {clock_name}"
        return Result.fail("certificate", detail, "check the clock"), body, msg.envelope.time
    if days < EXPIRY_WARNING_DAYS:
        detail = f"expires on {until}, in {days} days (by the {clock_name})"
        return Result.fail("certificate", detail, fix), body, msg.envelope.time
    detail = f"{body.name} ({body.role.name.lower()}) valid until {until}, {days} days left"
    return Result.ok("certificate", detail), body, msg.envelope.time


def _mismatch(config: DaemonConfig, k: PrivateKey | None, body: Certificate) -> str:
    if k is not None and body.public_key != k.public.raw:
        return f"{config.cert} is for another key than {config.key}"
    wanted = _ROLE[config.role]
    if body.role is not wanted:
        return f"certifies a {body.role.name.lower()}, this node is a {config.role}"
    if wanted is Role.POINT and body.point_id != config.point_id:
        return f"is for point {body.point_id}, relay.toml says point.id = {config.point_id}"
    return ""


def keyring(config: DaemonConfig, now: int) -> Result:
    try:
        ring = Keyring.load_dir(config.keyring)
    except RelayError as err:
        return Result.fail("keyring", str(err), "provision again (relay provision)")
    roots = ", ".join(format_key_id(r.key_id) for r in ring.roots)
    hubs = [p for p in ring.principals() if p.role is Role.HUB]
    for hub in hubs:
        if hub.valid_until and hub.valid_until - now < EXPIRY_WARNING_DAYS * DAY:
            until = hubtime.to_datetime(hub.valid_until).date().isoformat()
            return Result.fail(
                "keyring",
                f"the hub certificate of {hub.name} runs out on {until}",
                "the region must renew the hub's certificate (relay keys certify)",
            )
    note = (
        f"hub {', '.join(h.name for h in hubs)}"
        if hubs
        else "no hub certificate yet (fetched over the air when the hub is heard)"
    )
    return Result.ok("keyring", f"root {roots} pinned; {note}")


def store(config: DaemonConfig) -> Result:
    path = config.store
    if not path.exists():
        return Result.ok("store", f"{path} not created yet (the daemon creates it at start)")
    fix = f"stop the daemon, move {path} aside, start it again (the hub resends what is active)"
    try:
        result, version = _integrity(path)
    except sqlite3.Error as err:
        return Result.fail("store", f"{path}: {err}", fix)
    if result != "ok":
        return Result.fail("store", f"{path} failed its integrity check: {result}", fix)
    if version > latest_version():
        return Result.fail(
            "store", f"schema {version} is newer than this noodrelay", "install noodrelay again"
        )
    size = path.stat().st_size // 1024
    return Result.ok("store", f"{path}: integrity ok, schema {version}, {size} KiB")


def _integrity(path: Path) -> tuple[str, int]:
    """Read-only check. A read-only WAL reader may create the -wal and -shm files; made
    by root they would lock the daemon's user out, so they get the store's owner."""
    extra = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    existed = {p for p in extra if p.exists()}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()
        owner = path.stat()
        for p in extra:
            if p not in existed and p.exists() and os.geteuid() == 0:
                os.chown(p, owner.st_uid, owner.st_gid)
    return result, version


def disk(config: DaemonConfig) -> Result:
    where = config.store.parent if config.store.parent.exists() else Path("/")
    usage = shutil.disk_usage(where)
    share = usage.free / usage.total if usage.total else 0.0
    detail = f"{usage.free / 2**30:.1f} GiB free of {usage.total / 2**30:.1f} GiB ({share:.0%})"
    if usage.free < MIN_FREE_BYTES or share < MIN_FREE_SHARE:
        return Result.fail(
            "disk", detail, "free space: sudo journalctl --vacuum-size=50M; sudo apt clean"
        )
    return Result.ok("disk", detail)


def clock(now_unix: float, hub_time: int | None, signed_at: int) -> Result:
    """The Pi's clock (no RTC, no NTP in a blackout): plausible, and near the hub's?"""
    shown = hubtime.to_datetime(hubtime.from_unix(now_unix)).strftime("%Y-%m-%d %H:%M UTC")
    set_it = "noodrelay itself uses hub time, but logs need it: sudo date -u -s 'YYYY-MM-DD HH:MM'"
    if hub_time:
        hub_unix = hubtime.to_unix(hub_time)
        off = now_unix - hub_unix
        if abs(off) > CLOCK_TOLERANCE_S:
            hub_shown = hubtime.to_datetime(hub_time).strftime("%Y-%m-%d %H:%M UTC")
            return Result.fail(
                "clock",
                f"{shown}, {abs(off) / 60:.0f} min {'ahead of' if off > 0 else 'behind'} the hub",
                f"sudo date -u -s '{hub_shown}' (the hub's time)",
            )
        return Result.ok("clock", f"{shown}, within {abs(off):.0f} s of the hub")
    earliest = max(hubtime.HUB_EPOCH_UNIX, hubtime.to_unix(signed_at) - DAY if signed_at else 0)
    if now_unix < earliest:
        return Result.fail(
            "clock", f"{shown} is before this node was certified: the clock is wrong", set_it
        )
    return Result.ok("clock", f"{shown} (plausible; the hub's time is not known yet)")
