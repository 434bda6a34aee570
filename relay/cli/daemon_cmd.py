"""``relay run`` and the commands that talk to a running daemon."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from relay.cli import human
from relay.cli.client import DEFAULT_CONFIG, DaemonClient
from relay.cli.files import read_message
from relay.web.render import printable
from relay.wire import model as m
from relay.wire import ranges

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    envvar="RELAY_CONFIG",
    show_default=True,
    help="The daemon's relay.toml (or $RELAY_CONFIG).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")


@click.command()
@config_option
def run(config_path: Path) -> None:
    """Run the daemon (hub, support point or national node) until SIGTERM or Ctrl-C."""
    from relay.daemon.main import run_daemon

    run_daemon(config_path)


@click.command()
@click.argument("file")
@config_option
def send(file: str, config_path: Path) -> None:
    """Queue a composed bulletin on the hub; print its cost and queue position."""
    raw = read_message(file)
    r = DaemonClient.from_file(config_path).call("POST", "/api/send", body=raw, auth=True)
    if "priority" not in r:  # the national node publishes to the federation, no radio
        click.echo(f"published national bulletin #{r['seq']} ({r['size']} bytes) to the broker")
        return
    click.echo(
        f"queued bulletin #{r['seq']} ({r['priority']}): {r['size']} bytes, {r['frames']} "
        f"frame(s), {r['airtime_ms']:.0f} ms at {r['preset']}; position {r['position']} "
        f"in the queue, on air in about {r['wait_s']:.0f} s"
    )


def _texts(b: dict[str, Any]) -> str:
    texts = b.get("texts") or []
    if texts:
        t = texts[0]
        return f"{t['headline']}: {t['body']}" if t["headline"] else str(t["body"])
    rendered = b.get("rendered")
    return str(rendered) if rendered else f"template {b.get('template', {}).get('code')}"


@click.command()
@config_option
@json_option
def inbox(config_path: Path, as_json: bool) -> None:
    """The bulletins this support point shows now."""
    items = DaemonClient.from_file(config_path).call("GET", "/api/inbox")
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=1))
        return
    if not items:
        click.echo("no active bulletins")
    for b in items:
        seen = "displayed" if b["displayed"] else "new"
        issued = human.local_time(b["issued"])  # Amsterdam time, as the kiosk shows it
        click.echo(f"#{b['seq']:<4} {issued}  {b['urgency']:9} {b['severity']:8} {seen}")
        click.echo(f"      {printable(_texts(b))}")


@click.command()
@config_option
@json_option
def points(config_path: Path, as_json: bool) -> None:
    """Hub: every support point, last heard, state, needs and receipts."""
    rows = DaemonClient.from_file(config_path).call("GET", "/api/points")
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    click.echo(
        f"{'point':<18} {'heard':>7} {'open':<8} {'power':<10} {'batt':>4} {'visit':>5}  "
        f"{'receipts':<9} needs"
    )
    for r in rows:
        battery = "" if r["battery_pct"] is None else f"{r['battery_pct']}%"
        visitors = "" if r["visitors"] is None else str(r["visitors"])
        receipts = f"{r['holds']}/{r['active']}"
        click.echo(
            f"{r['point_id']:>3} {r['name'][:14]:<14} {human.ago(r['heard_s_ago']):>7} "
            f"{r['open']:<8} {r['power']:<10} {battery:>4} {visitors:>5}  {receipts:<9} "
            f"{', '.join(r['needs'])}"
        )


@click.group()
def status() -> None:
    """A support point's status (open, power, visitors, needs)."""


@status.command("set")
@config_option
@click.option("--open", "open_", type=click.Choice(["open", "limited", "closed"]))
@click.option("--power", type=click.Choice([p.name.lower() for p in m.PowerSource]))
@click.option("--battery", type=click.IntRange(*ranges.BATTERY_PCT), help="Battery in percent.")
@click.option("--visitors", type=click.IntRange(*ranges.VISITORS))
@click.option(
    "--need",
    "needs",
    multiple=True,
    type=click.Choice([n.name.lower() for n in m.Need if n.name]),
    help="What the point needs (repeatable); replaces the list.",
)
@click.option("--no-needs", is_flag=True, help="Clear the needs.")
@click.option("--text", help=f"Short free text (at most {ranges.STATUS_TEXT_CHARS} characters).")
def status_set(
    config_path: Path,
    open_: str | None,
    power: str | None,
    battery: int | None,
    visitors: int | None,
    needs: tuple[str, ...],
    no_needs: bool,
    text: str | None,
) -> None:
    """Change the status; the hub gets it in the next report (within a minute)."""
    change: dict[str, Any] = {}
    for key, value in (
        ("open", open_),
        ("power", power),
        ("battery_pct", battery),
        ("visitors", visitors),
        ("text", text),
    ):
        if value is not None:
            change[key] = value
    if needs or no_needs:
        change["needs"] = list(needs)
    if not change:
        raise click.UsageError("nothing to change; see --help")
    if text is not None:
        ranges.check_text(text)  # refused here, before the daemon is asked
    r = DaemonClient.from_file(config_path).call("POST", "/api/status", json_body=change, auth=True)
    click.echo(
        f"status: {r['open']}, power {r['power']}, visitors {r['visitors']}, "
        f"needs {', '.join(r['needs']) or 'none'}"
    )


@status.command("show")
@config_option
def status_show(config_path: Path) -> None:
    """The node's own state: radio link, hub contact, queue."""
    s = DaemonClient.from_file(config_path).call("GET", "/api/state")
    for line in human.state_lines(s):
        click.echo(line)
