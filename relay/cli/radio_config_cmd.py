"""``relay radio apply/check/render/channel``: radio profiles onto real (or emulated) radios."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from relay.cli.radio_cmd import radio
from relay.radio.compare import Difference, show

profile_arg = click.argument("profile", type=click.Path(dir_okay=False, path_type=Path))
radio_option = click.option(
    "--radio",
    "url",
    required=True,
    help="The radio: serial:///dev/ttyACM0 or tcp://host:4403.",
)
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(1, 600),
    default=30.0,
    show_default=True,
    help="Seconds to wait for the radio.",
)


@click.command("check")
@profile_arg
@radio_option
@timeout_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def check(profile: Path, url: str, timeout: float, as_json: bool) -> None:
    """Compare a radio with a profile; exit 1 when anything differs (nothing is written)."""
    from relay.radio.apply import check_radio
    from relay.radio.policy import load_checked

    wanted = load_checked(profile, complete=False)
    report = check_radio(url, wanted, timeout=timeout)
    node = f"!{report.radio.node_num:08x}"
    if as_json:
        click.echo(
            json.dumps(
                {
                    "matches": not report.after,
                    "node": node,
                    "firmware": report.radio.firmware,
                    "differences": [_diff_json(d) for d in report.after],
                },
                indent=1,
            )
        )
    else:
        click.echo(f"radio {node} (firmware {report.radio.firmware or '?'}) at {url}")
        for d in report.after:
            click.echo(f"  DIFFERS {d}")
        if report.after:
            click.echo(
                f"{len(report.after)} setting(s) differ from {profile}: "
                f"relay radio apply {profile} --radio {url}"
            )
        else:
            click.echo(f"the radio matches {profile} ({len(wanted.settings)} settings checked)")
    if report.after:
        raise click.exceptions.Exit(1)


@click.command("apply")
@profile_arg
@radio_option
@timeout_option
@click.option(
    "--reboot-wait",
    type=click.FloatRange(5, 600),
    default=120.0,
    show_default=True,
    help="Seconds to wait for the radio to come back after a commit.",
)
def apply(profile: Path, url: str, timeout: float, reboot_wait: float) -> None:
    """Write a site's profile to a radio (two steps for a ROUTER), read it back, show a diff."""
    from relay.radio.apply import apply_profile
    from relay.radio.policy import load_checked

    wanted = load_checked(profile, complete=True)
    report = apply_profile(
        url,
        wanted,
        progress=lambda text: click.echo(f"... {text}"),
        timeout=timeout,
        reboot_wait_s=reboot_wait,
    )
    for step in report.steps:
        click.echo(step)
    _table(report.before, report.after)
    if report.after:
        click.echo(f"{len(report.after)} setting(s) still differ after writing:")
        for d in report.after:
            click.echo(f"  {d}")
        raise click.exceptions.Exit(1)
    click.echo(f"the radio !{report.radio.node_num:08x} now matches {profile}")


def _diff_json(d: Difference) -> dict[str, Any]:
    return {"path": d.path, "radio": d.actual, "profile": d.wanted}


def _table(before: list[Difference], after: list[Difference]) -> None:
    if not before:
        return
    still = {d.path: d for d in after}
    rows = []
    for d in before:
        now = still[d.path].actual if d.path in still else d.wanted
        rows.append((d.path, d.actual, now, "STILL DIFFERS" if d.path in still else "ok"))
    widths = [max(len(r[i]) for r in [("setting", "before", "now", ""), *rows]) for i in range(3)]
    for row in [("setting", "before", "now", ""), *rows]:
        cells = [row[i].ljust(widths[i]) for i in range(3)]
        click.echo(f"{cells[0]}  {cells[1]}  {cells[2]}  {row[3]}".rstrip())


@click.command("render")
@click.argument("template", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--channel",
    "channel_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The region's channel.url (on the region's USB stick).",
)
@click.option("--owner", required=True, help="The radio's long name, e.g. 'Relais Domtoren'.")
@click.option("--short", required=True, help="Short name, at most 4 characters.")
@click.option("--lat", type=click.FloatRange(-90, 90), required=True)
@click.option("--lon", type=click.FloatRange(-180, 180), required=True)
@click.option("--alt", type=int, default=0, show_default=True, help="Metres above sea level.")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def render(
    template: Path,
    channel_file: Path,
    owner: str,
    short: str,
    lat: float,
    lon: float,
    alt: int,
    out: Path,
) -> None:
    """Make one site's profile from a template: names, position, the region's channel key."""
    from relay.radio.channel import load_channel_file
    from relay.radio.profile import Location
    from relay.radio.render import Site, write_profile
    from relay.radio.render import render as render_site

    site = Site(owner, short, Location(lat, lon, alt), load_channel_file(channel_file))
    profile, text = render_site(template, site)
    write_profile(out, text)
    click.echo(
        f"wrote {out} (mode 600: it holds the channel key) for {owner}, "
        f"role {show(profile.get('config.device.role'))}"
    )


@click.group("channel")
def channel() -> None:
    """The region's private channel (one per safety region)."""


@channel.command("new")
@click.option("--name", default="noodnet", show_default=True, help="At most 11 characters.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def channel_new(name: str, out: Path) -> None:
    """Generate the region's channel with a fresh 256-bit key (never overwrites)."""
    from relay.radio.channel import fingerprint, new_channel, save_channel_file

    spec = new_channel(name)
    save_channel_file(out, spec)
    click.echo(f"channel {name!r}, key tag {fingerprint(spec.psk)}: {out} (mode 600)")


@channel.command("show")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def channel_show(file: Path) -> None:
    """Name and key tag of a channel file (never the key itself)."""
    from relay.radio.channel import fingerprint, load_channel_file

    spec = load_channel_file(file).channels[0]
    click.echo(f"channel {spec.name!r}, key tag {fingerprint(spec.psk)}")


#: The commands this module adds to ``relay radio`` (the group that also runs the emulator).
COMMANDS = (apply, check, render, channel)
for _command in COMMANDS:
    radio.add_command(_command)
