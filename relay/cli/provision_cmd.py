"""``relay provision``: set up a hub or support point from the region's USB stick."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

import relay
from relay.cli.keys_cmd import certify as keys_certify
from relay.errors import ConfigError
from relay.provision import install
from relay.provision.install import Plan, Step, default_exec
from relay.provision.layout import Layout
from relay.provision.node_config import NodeSettings
from relay.provision.stick import Stick
from relay.radio.profile import Location
from relay.wire import hubtime

_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$"


def default_template(kind: str) -> Path:
    """``firmware-config/KIND.yaml`` of the source checkout this relay runs from."""
    path = Path(relay.__file__).resolve().parents[1] / "firmware-config" / f"{kind}.yaml"
    if not path.exists():
        raise ConfigError(
            f"no profile template at {path}; give the template with --profile "
            f"(firmware-config/{kind}.yaml of the noodrelay sources)",
            "--profile",
        )
    return path


def _name(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not re.match(_NAME, value):
        raise click.BadParameter("letters, digits, '.', '_' and '-' only, at most 48")
    return value


def _site_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Options every provisioning command shares."""
    options = [
        click.option("--name", required=True, callback=_name, help="Key and node name."),
        click.option(
            "--stick",
            required=True,
            type=click.Path(file_okay=False, path_type=Path),
            help="The region's USB stick (mount point).",
        ),
        click.option("--radio", "radio_url", default="serial:///dev/ttyACM0", show_default=True),
        click.option("--owner", help="The radio's long name (default: the node name)."),
        click.option("--lat", type=click.FloatRange(-90, 90), required=True),
        click.option("--lon", type=click.FloatRange(-180, 180), required=True),
        click.option("--alt", type=int, default=0, show_default=True, help="Metres."),
        click.option(
            "--profile",
            "template",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Radio profile template (default: firmware-config/ of this installation).",
        ),
        click.option(
            "--listen", default="127.0.0.1:8080", show_default=True, help="Screen address."
        ),
        click.option(
            "--exec",
            "exec_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="The relay command the service runs (default: this one).",
        ),
        click.option(
            "--root",
            type=click.Path(file_okay=False, path_type=Path),
            default=Path("/"),
            show_default=True,
            help="Install below this directory instead of / (for tests and images).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@click.group()
def provision() -> None:
    """Set up a hub or support point: keys, certificate, config, keyring, service."""


@provision.command("point")
@_site_options
@click.option("--point-id", type=click.IntRange(1, 65535), required=True)
@click.option("--group", "groups", multiple=True, help="Target group (repeatable).")
@click.option("--short", help="The radio's short name, at most 4 characters (default P017).")
def point(point_id: int, groups: tuple[str, ...], short: str | None, **site: Any) -> None:
    """Provision this Pi as support point POINT-ID (run it again after certification)."""
    node = NodeSettings(
        "point", site["name"], site["radio_url"], "", site["listen"], point_id, groups
    )
    _run(node, short or f"P{point_id:03d}", "point", None, site)


@provision.command("hub")
@_site_options
@click.option("--short", default="HUB", show_default=True, help="The radio's short name.")
@click.option(
    "--new-channel",
    metavar="NAME",
    help="Create the region's private channel on the stick (once per region).",
)
def hub(short: str, new_channel: str | None, **site: Any) -> None:
    """Provision this computer as the region's hub (run it again after certification)."""
    node = NodeSettings("hub", site["name"], site["radio_url"], "", site["listen"])
    _run(node, short, "hub", new_channel, site)


@provision.command("certify")
@click.option(
    "--stick", required=True, type=click.Path(file_okay=False, path_type=Path), help="USB stick."
)
@click.option("--root", "root_key", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--valid-days", type=click.IntRange(1, 3650), default=730, show_default=True)
@click.pass_context
def certify_all(ctx: click.Context, stick: Path, root_key: Path, valid_days: int) -> None:
    """On the region laptop: certify every request waiting on the stick."""
    requests = Stick(stick).pending_requests()
    if not requests:
        click.echo(f"no requests waiting on {stick}")
    for r in requests:
        (stick / "certs").mkdir(exist_ok=True)
        ctx.invoke(
            keys_certify,
            root_path=root_key,
            subject=stick / "requests" / f"{r.name}.pub",
            role=r.role.name.lower(),
            name=None,
            point_id=r.point_id or None,
            groups=r.groups,
            valid_days=valid_days,
            out=Stick(stick).cert_path(r.name),
        )


def _run(node: NodeSettings, short: str, kind: str, new_channel: str | None, site: Any) -> None:
    plan = Plan(
        node=node,
        stick=Stick(site["stick"]),
        template=site["template"] or default_template(kind),
        owner=site["owner"] or site["name"],
        owner_short=short,
        location=Location(site["lat"], site["lon"], site["alt"]),
        exec_path=site["exec_path"] or default_exec(),
        layout=Layout(site["root"]),
        new_channel=new_channel,
    )
    steps = install.provision(plan, hubtime.from_unix(time.time()))
    _show(steps)
    if any(s.waiting for s in steps):
        click.echo("\nNOT FINISHED: waiting for the certificate (see above).")
        return
    radio = plan.layout.radio_profile
    click.echo(
        f"\nProvisioned {node.role} {node.name}. Next:\n"
        f"  sudo relay radio apply {radio} --radio {node.radio_url}\n"
        "  sudo systemctl start noodrelay\n"
        "  sudo relay doctor"
    )


def _show(steps: list[Step]) -> None:
    for step in steps:
        label = f"[{step.name}]"
        lines = step.detail.splitlines()
        prefix = "WAITING: " if step.waiting else ""
        click.echo(f"{label:16}{prefix}{lines[0]}")
        for line in lines[1:]:
            click.echo(f"{'':16}{line}")
