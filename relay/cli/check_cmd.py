"""``relay check``: verify and decode messages; exit 0 only when every one is valid."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from relay.airtime import PRESETS, preset
from relay.cli import human
from relay.cli.qrscan import messages
from relay.errors import FileAccessError, RelayError
from relay.wire import describe, hubtime
from relay.wire.cost import message_cost
from relay.wire.keys import format_key_id
from relay.wire.replay import ReplayGuard
from relay.wire.trust import Keyring, Verified, Verifier

DEFAULT_PRESETS = ("LONG_FAST", "MEDIUM_FAST")


def _parse_now(text: str | None) -> int:
    if text is None:
        return hubtime.from_unix(time.time())
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            "use ISO 8601, e.g. 2026-11-28T15:00+01:00", param_hint="--now"
        ) from None
    if moment.tzinfo is None:
        raise click.BadParameter("give a time zone, e.g. +01:00 or Z", param_hint="--now")
    return hubtime.from_datetime(moment)


def _load_state(path: Path | None) -> ReplayGuard:
    if path is None or not path.exists():
        return ReplayGuard()
    try:
        return ReplayGuard.restore(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, AssertionError) as err:
        raise FileAccessError(f"cannot read replay state {path}: {err}") from err


def _report(name: str, v: Verified, presets: tuple[str, ...]) -> dict[str, Any]:
    env = v.message.envelope
    costs = {p: message_cost(len(v.message.raw), preset(p)) for p in presets}
    first = next(iter(costs.values()))
    return {
        "valid": True,
        "file": name,
        "kind": env.kind.value,
        "seq": env.seq,
        "time": describe.iso(env.time),
        "size": len(v.message.raw),
        "frames": first.frames,
        "airtime_ms": {p: round(c.airtime_ms, 1) for p, c in costs.items()},
        "sender": {
            "name": v.sender.name,
            "role": v.sender.role.name.lower(),
            "key_id": format_key_id(v.sender.key_id),
            "point_id": v.sender.point_id or None,
        },
        "content": describe.body(env.body, env.time),
    }


#: Content fields that are times (ISO, UTC in JSON; Amsterdam time for people).
TIMES = frozenset({"expires", "valid_from", "valid_until"})


def _print_human(r: dict[str, Any]) -> None:
    sender = r["sender"]
    click.echo(
        f"valid    {r['kind']} #{r['seq']} from {sender['name']} "
        f"({sender['role']}, key {sender['key_id']})"
    )
    click.echo(f"signed   {human.local_time(r['time'])} (Amsterdam, by the hub's clock)")
    air = ", ".join(f"{ms:.0f} ms at {p}" for p, ms in r["airtime_ms"].items())
    click.echo(f"size     {r['size']} bytes, {r['frames']} frame(s); {air}")
    content = r["content"]
    for key, value in content.items():
        if key == "texts":
            for t in value:
                head = f"{t['headline']} | " if t["headline"] else ""
                click.echo(f"[{t['lang']}]     {human.plain(head + t['body'])}")
        elif key in TIMES and value:
            click.echo(f"{key.replace('_', ' '):8} {human.local_time(value)} (Amsterdam)")
        elif human.plain(value) != "none":  # nothing to say about an empty field
            click.echo(f"{key.replace('_', ' '):8} {human.plain(value)}")


@click.command()
@click.argument("files", nargs=-1)
@click.option(
    "--keyring",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Directory with the pinned root .pub and the known certificates.",
)
@click.option(
    "--qr",
    "images",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A photo or scan (PNG, JPEG) of printed QR codes; every code in it is checked.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per message.")
@click.option(
    "--preset",
    "presets",
    multiple=True,
    type=click.Choice(sorted(PRESETS), case_sensitive=False),
    help=f"Airtime at these presets (default {', '.join(DEFAULT_PRESETS)}).",
)
@click.option("--now", "now_text", help="Hub time to check expiry against (default: now).")
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Remember sequence numbers here, so a later replay is refused.",
)
def check(
    files: tuple[str, ...],
    images: tuple[Path, ...],
    keyring: Path,
    as_json: bool,
    presets: tuple[str, ...],
    now_text: str | None,
    state: Path | None,
) -> None:
    """Verify and decode message files (binary or base64; - for stdin) and QR codes
    in photos (--qr).

    Exits 0 only if every message is valid; otherwise prints one line per bad message
    saying why and exits non-zero.
    """
    if not files and not images:
        raise click.UsageError("give message files, or --qr PHOTO")
    verifier = Verifier(Keyring.load_dir(keyring), _load_state(state))
    now = _parse_now(now_text)
    chosen = tuple(p.upper() for p in presets) or DEFAULT_PRESETS
    exit_code = 0
    for name, read in messages(files, images):
        try:
            report = _report(name, verifier.verify(read(), now=now), chosen)
        except RelayError as err:
            exit_code = exit_code or err.exit_code
            if as_json:
                line = {"valid": False, "file": name, "reason": describe.reason_code(err)}
                click.echo(json.dumps({**line, "error": str(err)}))
            else:
                click.echo(f"{name}: invalid: {err}", err=True)
            continue
        if as_json:
            click.echo(json.dumps(report, ensure_ascii=False))
        else:
            _print_human(report)
    if state is not None and verifier.replay is not None:
        state.write_text(json.dumps(verifier.replay.snapshot()), encoding="utf-8")
    if exit_code:
        raise SystemExit(exit_code)
