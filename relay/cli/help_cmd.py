"""``relay help``: help requests from a support point to the hub's control room."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click

from relay.cli.client import DaemonClient
from relay.cli.daemon_cmd import config_option, json_option
from relay.wire.model import HelpType, HelpUrgency

TYPES = [t.name.lower() for t in HelpType]
URGENCIES = [u.name.lower() for u in HelpUrgency if u is not HelpUrgency.UNKNOWN]


@click.group(name="help")
def help_() -> None:
    """Help requests: a point reaches the control room when 112 cannot."""


def _line(r: dict[str, Any]) -> str:
    age = r["age_s"]
    ago = f"{age // 60} min" if age >= 120 else f"{age} s"
    line = (
        f"{r['id']:<14} {r['state']:<13} {r['type']:<17} {r['urgency']:<16} "
        f"{r['people']:>3} pers.  {r['point'] or r['point_id']}  {ago} ago"
    )
    if r["state"] not in ("queued", "sent", "received", "closed") and not r["delivered"]:
        line += "  (not yet at the point)"
    return line


def _details(r: dict[str, Any]) -> list[str]:
    out = []
    for key, label in (
        ("location", "where"),
        ("text", "what"),
        ("handler", "handled by"),
        ("reply", "reply"),
        ("operator", "operator"),
        ("details_error", "unreadable"),
    ):
        if r.get(key):
            out.append(f"    {label}: {r[key]}")
    return out


@help_.command()
@click.option("--type", "type_", type=click.Choice(TYPES), required=True, help="What happened.")
@click.option("--urgency", type=click.Choice(URGENCIES), default="urgent", show_default=True)
@click.option("--people", type=click.IntRange(0, 10_000), default=1, show_default=True)
@click.option("--location", default="", help="Address or where, relative to the point.")
@click.option("--text", default="", help="What is going on (short).")
@click.option("--handler", default="", help="Who at the point handles it.")
@config_option
@json_option
def send(
    type_: str,
    urgency: str,
    people: int,
    location: str,
    text: str,
    handler: str,
    config_path: Path,
    as_json: bool,
) -> None:
    """Ask the control room for help (on a support point); sent first, retried until
    the hub answers."""
    body = {
        "type": type_,
        "urgency": urgency,
        "people": people,
        "location": location,
        "text": text,
        "handler": handler,
    }
    r = DaemonClient.from_file(config_path).call("POST", "/api/help", json_body=body, auth=True)
    if as_json:
        click.echo(json.dumps(r, ensure_ascii=False, indent=1))
        return
    click.echo(f"help request {r['id']} queued first ({r['size']} bytes, one frame)")
    if r.get("warning"):
        click.echo(f"warning: {r['warning']}", err=True)
    click.echo("follow it with: relay help list")


@help_.command(name="list")
@click.option("--open", "open_only", is_flag=True, help="Only requests not yet closed.")
@config_option
@json_option
def list_(open_only: bool, config_path: Path, as_json: bool) -> None:
    """Help requests and their state, newest first (personal details included)."""
    path = "/api/help?open=1" if open_only else "/api/help"
    rows = DaemonClient.from_file(config_path).call("GET", path, auth=True)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo("no help requests")
    for r in rows:
        click.echo(_line(r))
        for detail in _details(r):
            click.echo(detail)


def _step(config_path: Path, rid: str, action: str, text: str = "", operator: str = "") -> None:
    body = {"action": action, "text": text, "operator": operator}
    path = f"/api/help/{quote(rid, safe='')}"
    r = DaemonClient.from_file(config_path).call("POST", path, json_body=body, auth=True)
    click.echo(f"{r['id']}: {r['state']}; the point is told (signed, retried until it confirms)")


operator_option = click.option("--operator", default="", help="Your name, shown at the point.")


@help_.command()
@click.argument("request_id")
@operator_option
@config_option
def ack(request_id: str, operator: str, config_path: Path) -> None:
    """Acknowledge a request (on the hub): the point sees that the control room has it."""
    _step(config_path, request_id, "ack", operator=operator)


@help_.command()
@click.argument("request_id")
@click.argument("text")
@operator_option
@config_option
def reply(request_id: str, text: str, operator: str, config_path: Path) -> None:
    """Answer a request with a short reply (help assigned, advice) (on the hub)."""
    _step(config_path, request_id, "reply", text, operator)


@help_.command()
@click.argument("request_id")
@click.option("--text", default="", help="A last word for the point.")
@operator_option
@config_option
def close(request_id: str, text: str, operator: str, config_path: Path) -> None:
    """Close a request (on the hub)."""
    _step(config_path, request_id, "close", text, operator)


@help_.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@config_option
def export(fmt: str, output: Path | None, config_path: Path) -> None:
    """Every request at the hub, for the control room's own system (CSV or JSON)."""
    client = DaemonClient.from_file(config_path)
    text = client.call("GET", f"/api/help/export?format={fmt}", auth=True, text=True)
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote the {fmt} export to {output}")
