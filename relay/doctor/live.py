"""Checks that talk to something running: the daemon (over its loopback API) and the radio.

The radio has one API slot: a serial port opens for one program, a TCP radio serves
one client and drops the previous one. So while the daemon runs, the doctor asks the
daemon about the link and does not take the radio from it; the settings comparison
needs the daemon stopped (the fix says how).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from relay.daemon.config import DaemonConfig
from relay.doctor.report import Result
from relay.errors import RelayError
from relay.radio import meshtastic_admin as admin
from relay.radio.compare import RadioSnapshot, differences
from relay.radio.profile import Profile
from relay.wire.keys import format_key_id

TIMEOUT_S = 5


def daemon_state(config: DaemonConfig) -> dict[str, Any] | None:
    """The running daemon's ``/api/state``, or None when nothing answers."""
    state = _get(config, "/api/state")
    return state if isinstance(state, dict) else None


def _get(config: DaemonConfig, path: str) -> Any:
    # Always http://host:port built from the validated config.
    url = config.control_url + path
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:  # noqa: S310
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def daemon(config: DaemonConfig, state: dict[str, Any] | None, key_id: int | None) -> Result:
    """The daemon at the config's address is running, and is the one the config describes
    (role, name and, when the key could be read, its key): another node's daemon answering
    there must not pass."""
    if state is None:
        return Result.fail(
            "daemon",
            f"no daemon answers at {config.control_url}",
            "sudo systemctl start noodrelay; see: journalctl -u noodrelay -n 50",
        )
    if state.get("store_error"):
        return Result.fail(
            "daemon", f"running, but the store failed: {state['store_error']}", "see: relay doctor"
        )
    found = f"{state.get('role')} {state.get('name')}"
    wanted = f"{config.role} {config.name}"
    if found != wanted:
        return Result.fail(
            "daemon",
            f"the daemon at {config.control_url} is {found}, not {wanted} as this config says",
            "another node's daemon holds this address: check [screen] listen in both configs",
        )
    if key_id is not None and state.get("key_id") != format_key_id(key_id):
        return Result.fail(
            "daemon",
            f"the daemon at {config.control_url} signs with key {state.get('key_id')}, not "
            f"with {format_key_id(key_id)} from {config.key}",
            "restart the daemon (sudo systemctl restart noodrelay) after re-provisioning",
        )
    return Result.ok("daemon", f"running as {wanted}")


def contact(config: DaemonConfig, state: dict[str, Any] | None) -> Result:
    """Point: when the hub was last heard. Hub: how many points report."""
    if state is None:
        return Result.skip("hub contact", "needs the running daemon")
    if config.is_hub:
        rows = _get(config, "/api/points") or []
        recent = [r for r in rows if r.get("heard_s_ago", 1e12) <= config.stale_after_s]
        return Result.ok(
            "points", f"{len(recent)} of {len(rows)} known points heard in the last "
            f"{config.stale_after_s / 60:.0f} min"
        )  # fmt: skip
    ago = state.get("hub_heard_s_ago")
    fix = "check the antenna and the radio settings (relay radio check); the hub sends a "
    fix += "heartbeat every 10 minutes"
    if ago is None:
        return Result.fail(
            "hub contact", "the hub has not been heard since the daemon started", fix
        )
    if ago > config.stale_after_s:
        return Result.fail("hub contact", f"last heard {_ago(ago)} ago", fix)
    return Result.ok("hub contact", f"hub heard {_ago(ago)} ago")


def _ago(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def radio(
    config: DaemonConfig,
    state: dict[str, Any] | None,
    profile: Profile | None,
    timeout: float,
) -> list[Result]:
    url = config.radio_url
    names = ("radio region", "radio preset", "radio channel", "radio role", "radio settings")
    if state is not None:
        link = state.get("link")
        first = (
            Result.ok("radio", f"{url}: the daemon's link is {link}")
            if link == "connected"
            else Result.fail(
                "radio", f"{url}: the daemon's link is {link}", "check the cable; ls /dev/tty*"
            )
        )
        why = "the daemon holds the radio"
        fix = "to compare: sudo systemctl stop noodrelay; sudo relay doctor; start it again"
        return [first, *(Result.skip(n, why, fix) for n in names)]
    try:
        with admin.session(url, timeout=timeout) as session:
            snap = session.snapshot()
    except RelayError as err:
        return [
            Result.fail("radio", str(err), "plug the radio in; check radio.url in relay.toml"),
            *(Result.skip(n, "radio not reachable") for n in names),
        ]
    first = Result.ok("radio", f"{url}: node !{snap.node_num:08x}, firmware {snap.firmware}")
    if profile is None:
        return [first, *(Result.skip(n, "no usable radio profile") for n in names)]
    return [first, *_compare(config, snap, profile)]


def _compare(config: DaemonConfig, snap: RadioSnapshot, profile: Profile) -> list[Result]:
    apply = f"sudo relay radio apply {profile.source} --radio {config.radio_url}"
    diffs = {d.path: d for d in differences(profile, snap)}
    groups = {
        "radio region": ["config.lora.region"],
        "radio preset": ["config.lora.modem_preset", "config.lora.use_preset"],
        "radio channel": [p for p in diffs if p.startswith("channel ")],
        "radio role": ["config.device.role", "config.device.rebroadcast_mode"],
    }
    out = []
    for name, paths in groups.items():
        found = [diffs.pop(p) for p in paths if p in diffs]
        if found:
            out.append(Result.fail(name, "; ".join(str(d) for d in found), apply))
        else:
            out.append(Result.ok(name, _good(name, snap, profile)))
    if diffs:
        listed = ", ".join(list(diffs)[:4]) + (" ..." if len(diffs) > 4 else "")
        out.append(Result.fail("radio settings", f"{len(diffs)} differ: {listed}", apply))
    else:
        out.append(Result.ok("radio settings", f"all {len(profile.settings)} match the profile"))
    return out


def _good(name: str, snap: RadioSnapshot, profile: Profile) -> str:
    get = snap.get
    if name == "radio region":
        return str(get("config.lora.region"))
    if name == "radio preset":
        return f"{get('config.lora.modem_preset')!s}, hop limit {get('config.lora.hop_limit')!s}"
    if name == "radio channel":
        ch = snap.channels[0].spec if snap.channels else None
        return f"{ch.name!r}, the region's key" if ch else "(none)"
    mode = get("config.device.rebroadcast_mode")
    return f"{get('config.device.role')!s}, rebroadcast {mode!s}"
