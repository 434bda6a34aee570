"""Provisioning a hub or support point, one resumable run at a time.

The technician runs the same command twice: the first run makes the node's key and
puts a certificate request on the region's USB stick; after the region laptop has
certified it, the second run accepts the certificate and installs everything else.
Every input is checked before the first file is written (a bad profile, a missing
root key, a wrong certificate stop the run with nothing changed), and every run can
be repeated: what is already right is kept.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from relay.atomic import write_atomic
from relay.errors import ConfigError, KeyFileError
from relay.provision import certs, system
from relay.provision.layout import Layout
from relay.provision.node_config import NodeSettings, checked_config
from relay.provision.stick import Request, Stick
from relay.provision.unit import unit_text
from relay.radio.channel import (
    channel_url,
    fingerprint,
    load_channel_file,
    new_channel,
    save_channel_file,
)
from relay.radio.policy import PI_ROLES, load_checked
from relay.radio.profile import ChannelURL, Location
from relay.radio.render import Site, render
from relay.wire.keys import PrivateKey, format_key_id, format_public, load_private, save_keypair
from relay.wire.model import Role
from relay.wire.trust import Keyring


@dataclass(frozen=True, slots=True)
class Step:
    """What one step did: ``done`` (or already right), or ``waiting`` for the technician."""

    name: str
    detail: str
    waiting: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    node: NodeSettings
    stick: Stick
    template: Path
    owner: str
    owner_short: str
    location: Location
    exec_path: Path
    layout: Layout
    #: Hub only: create the region's channel on the stick under this name.
    new_channel: str | None = None

    @property
    def role(self) -> Role:
        return Role.HUB if self.node.role == "hub" else Role.POINT


@dataclass(frozen=True, slots=True)
class _Checked:
    """Everything a run will write, computed and validated before anything is."""

    channel: ChannelURL
    channel_is_new: bool
    profile_text: str
    config_text: str


def default_exec() -> Path:
    """The ``relay`` command of the running installation (ExecStart of the unit)."""
    beside = Path(sys.executable).parent / "relay"
    if beside.exists():
        return beside
    found = shutil.which("relay")
    return Path(found) if found else beside


def provision(plan: Plan, now: int) -> list[Step]:
    """Run every step that can run; ``now`` is hub time from this computer's clock."""
    checked = _check(plan)
    steps = [_keys(plan)]
    key = load_private(plan.layout.on_disk(plan.layout.key(plan.node.name)))
    if checked.channel_is_new:
        steps.append(_new_channel(plan, checked.channel))
    cert_path = plan.stick.cert_path(plan.node.name)
    if not cert_path.exists():
        steps.append(_request(plan, key))
        return steps
    steps += _accept(plan, key, now)
    steps.append(_write(plan, "radio profile", plan.layout.radio_profile, checked.profile_text))
    steps.append(_write(plan, "config", plan.layout.config, checked.config_text))
    steps.append(_service(plan))
    return steps


# --- checks before writing ------------------------------------------------------------


def _check(plan: Plan) -> _Checked:
    if plan.layout.root == Path("/") and os.geteuid() != 0:
        raise ConfigError("provisioning changes /etc and /var/lib: run it with sudo")
    if not os.access(plan.exec_path, os.X_OK):
        raise ConfigError(f"{plan.exec_path} is not an executable relay command", "--exec")
    plan.stick.check()
    plan.stick.root()
    channel, is_new = _channel(plan)
    template = load_checked(plan.template, complete=False)
    role = template.get("config.device.role")
    if role not in PI_ROLES:
        raise ConfigError(
            f"{plan.template} is a profile for a {role!s} radio; a {plan.node.role}'s radio is "
            "CLIENT or CLIENT_MUTE (relay sites are set up with relay radio render/apply)",
            "--profile",
        )
    site = Site(plan.owner, plan.owner_short, plan.location, channel)
    profile, profile_text = render(plan.template, site)
    preset = str(profile.get("config.lora.modem_preset"))
    _config, config_text = checked_config(replace(plan.node, preset=preset), plan.layout)
    return _Checked(channel, is_new, profile_text, config_text)


def _channel(plan: Plan) -> tuple[ChannelURL, bool]:
    path = plan.stick.channel
    if path.exists():
        channel = load_channel_file(path)
        name = channel.channels[0].name
        # "Create if missing": the same command runs again after certification.
        if plan.new_channel and plan.new_channel != name:
            raise ConfigError(
                f"{path} exists: the region has its channel {name!r} already; "
                "leave out --new-channel",
                "--new-channel",
            )
        return channel, False
    if plan.new_channel and plan.role is Role.HUB:
        return channel_url((new_channel(plan.new_channel),)), True
    hint = (
        "give --new-channel NAME to create the region's channel"
        if plan.role is Role.HUB
        else "the hub's provisioning puts it there; copy channel.url from the region's stick"
    )
    raise ConfigError(f"no channel.url on the stick ({path}); {hint}")


# --- steps ----------------------------------------------------------------------------


def _keys(plan: Plan) -> Step:
    layout = plan.layout
    key_path = layout.on_disk(layout.key(plan.node.name))
    if key_path.exists():
        key = load_private(key_path)
        if key.role is not plan.role:
            raise KeyFileError(
                f"{key_path} is a {key.role.name.lower()} key; this node is a "
                f"{plan.role.name.lower()}. Move it away to start over"
            )
        return Step("keys", f"kept {layout.key(plan.node.name)} (id {format_key_id(key.key_id)})")
    for directory in (layout.on_disk(layout.state), key_path.parent):
        directory.mkdir(parents=True, exist_ok=True)
        directory.chmod(0o700)
    key = PrivateKey.generate(plan.node.name, plan.role)
    save_keypair(key, key_path.parent)
    return Step(
        "keys", f"created {layout.key(plan.node.name)} (id {format_key_id(key.key_id)}, mode 0600)"
    )


def _new_channel(plan: Plan, channel: ChannelURL) -> Step:
    spec = channel.channels[0]
    save_channel_file(plan.stick.channel, spec)
    return Step(
        "channel",
        f"created the region's channel {spec.name!r} (key tag {fingerprint(spec.psk)}) in "
        f"{plan.stick.channel}; every radio of the region gets it from there",
    )


def _request(plan: Plan, key: PrivateKey) -> Step:
    request = Request(
        name=plan.node.name,
        role=plan.role,
        key_id=key.key_id,
        point_id=plan.node.point_id,
        groups=plan.node.groups,
    )
    path = plan.stick.write_request(key.public, request)
    return Step(
        "certificate",
        f"request written to {path}. Take the stick to the region laptop and run:\n"
        f"    {request.certify_command(plan.stick.path)}\n"
        "(or certify every request on the stick: relay provision certify --stick STICK "
        "--root region/root.key), then run this same command here again",
        waiting=True,
    )


def _accept(plan: Plan, key: PrivateKey, now: int) -> list[Step]:
    layout, stick = plan.layout, plan.stick
    root = stick.root()
    cert_path = stick.cert_path(plan.node.name)
    own = certs.accept_own(
        root,
        stick.certificate_at(cert_path),
        cert_path,
        key=key.public,
        role=plan.role,
        point_id=plan.node.point_id,
        now=now,
    )
    others, skipped = certs.usable_others(root, stick.certificates(), plan.node.name, now)
    detail = f"{own.body.name} certified until {own.until} by root {format_key_id(root.key_id)}"
    if own.days_left(now) < certs.EXPIRY_WARNING_DAYS:
        detail += f" (WARNING: only {own.days_left(now)} days left; certify again soon)"
    ring = layout.on_disk(layout.keyring)
    write_atomic(ring / "root.pub", format_public(root))
    write_atomic(layout.on_disk(layout.cert(plan.node.name)), own.message.raw)
    for other in others:
        write_atomic(ring / f"{other.body.name}.cert", other.message.raw)
    Keyring.load_dir(ring)  # exactly what the daemon will load
    names = ", ".join(o.body.name for o in others) or "none yet"
    ring_detail = f"{layout.keyring}: root.pub, {plan.node.name}.cert; others: {names}"
    if plan.role is Role.POINT and not any(o.body.role is Role.HUB for o in others):
        ring_detail += " (no hub certificate on the stick: the point fetches it over the air)"
    if skipped:
        ring_detail += "; left out: " + "; ".join(skipped)
    return [Step("certificate", detail), Step("keyring", ring_detail)]


def _write(plan: Plan, name: str, target: Path, text: str) -> Step:
    path = plan.layout.on_disk(target)
    mode = 0o600 if target == plan.layout.radio_profile else 0o644
    old = path.read_text(encoding="utf-8") if path.exists() else None
    write_atomic(path, text, mode)
    verb = "wrote" if old is None else ("kept" if old == text else "updated")
    return Step(name, f"{verb} {target} (mode {mode:o})")


def _service(plan: Plan) -> Step:
    layout, node = plan.layout, plan.node
    account = system.create_user(layout)
    serial = node.radio_url.startswith("serial:")
    loopback = serial and node.listen.split(":")[0] in ("127.0.0.1", "localhost")
    text = unit_text(
        exec_path=plan.exec_path,
        config=layout.config,
        role=node.role,
        name=node.name,
        serial_radio=serial,
        loopback_only=loopback,
    )
    write_atomic(layout.on_disk(layout.unit), text)
    owned = system.chown_tree(layout.on_disk(layout.state), account)
    reloaded = system.enable(layout)
    detail = f"{layout.unit} enabled, runs as user noodrelay (uid {account.uid})"
    if not owned:
        detail += f"; not root, so {layout.state} still belongs to you"
    if reloaded:
        detail += "; systemd reloaded"
    return Step("service", detail)
