"""``relay export``: bulletins as CAP 1.2, point status as CSV or an EDXL-HAVE-style file.

Both read a node's store directly (SQLite in WAL mode: a running daemon keeps writing
undisturbed), so they work on a hub whose daemon is down too.
"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

import click

from relay.cli.client import DEFAULT_CONFIG
from relay.cli.files import read_message
from relay.daemon.config import DaemonConfig, load_config
from relay.engine.outputs import BulletinState
from relay.errors import FileAccessError, InputError
from relay.store.store import Store
from relay.wire import describe, hubtime
from relay.wire import model as m
from relay.wire.cap_export import CapContext, identifier, to_cap
from relay.wire.trust import Keyring, Verifier

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="RELAY_CONFIG",
    help=f"The node's relay.toml (or $RELAY_CONFIG; e.g. {DEFAULT_CONFIG}).",
)


@click.group()
def export() -> None:
    """Bulletins and point status for the control room's systems."""


def _write(out: Path | None, name: str, data: bytes) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    except OSError as err:
        raise FileAccessError(f"cannot write {out / name}: {err.strerror or err}") from err


def _sent_of(sent: dict[tuple[int, int], int], key_id: int, seq: int) -> int | None:
    return sent.get((key_id, seq))


def _from_store(config: DaemonConfig, active: bool, area: str) -> list[tuple[str, bytes]]:
    store = Store(config.store)
    try:
        rows = store.bulletins()
    finally:
        store.close()
    sent = {
        (b.message.envelope.key_id, b.message.envelope.seq): b.message.envelope.time for b in rows
    }
    out = []
    for b in rows:
        if active and b.state is not BulletinState.ACTIVE:
            continue
        key = b.message.envelope.key_id
        ctx = CapContext(b.sender, area, functools.partial(_sent_of, sent, key))
        out.append((identifier(key, b.message.envelope.seq), to_cap(b.message, ctx)))
    return out


def _from_files(files: tuple[str, ...], keyring: Path | None, area: str) -> list[tuple[str, bytes]]:
    if keyring is None:
        raise click.UsageError("message files are verified first: give --keyring DIR")
    verifier = Verifier(Keyring.load_dir(keyring), replay=None)
    out = []
    for name in files:
        checked = verifier.verify(read_message(name))
        env = checked.message.envelope
        if not isinstance(env.body, m.Bulletin):
            raise InputError(f"{name}: a {env.kind.value}, not a bulletin")
        ctx = CapContext(checked.sender.name, area)
        out.append((identifier(env.key_id, env.seq), to_cap(checked.message, ctx)))
    return out


@export.command("cap")
@click.argument("files", nargs=-1)
@config_option
@click.option(
    "--keyring",
    type=click.Path(file_okay=False, path_type=Path),
    help="For message files: the pinned root and certificates to verify them.",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one <identifier>.xml per bulletin here (default: stdout, one alert only).",
)
@click.option("--area", default="", help="The CAP areaDesc, e.g. 'Veiligheidsregio Utrecht'.")
@click.option(
    "--active", is_flag=True, help="Only bulletins in force (not cancelled, replaced, expired)."
)
def export_cap(
    files: tuple[str, ...],
    config_path: Path | None,
    keyring: Path | None,
    out: Path | None,
    area: str,
    active: bool,
) -> None:
    """Every bulletin as a CAP 1.2 alert: from a node's store (--config, default the
    daemon's) or from message files (verified with --keyring first)."""
    if files and config_path is not None:
        raise click.UsageError("give either --config (a node's store) or message files")
    if files:
        alerts = _from_files(files, keyring, area)
    else:
        alerts = _from_store(load_config(config_path or DEFAULT_CONFIG), active, area)
    if out is None and len(alerts) != 1:
        raise click.UsageError(f"{len(alerts)} alerts: give --out DIR (one file each)")
    for ident, xml in alerts:
        _write(out, f"{ident}.xml", xml)
    if out is not None:
        click.echo(f"wrote {len(alerts)} CAP alert(s) to {out}", err=True)


@export.command("status")
@config_option
@click.option("--format", "fmt", type=click.Choice(["csv", "have-xml", "have-json"]),
              default="csv", show_default=True)  # fmt: skip
@click.option(
    "-o", "--out", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout."
)
def export_status(config_path: Path | None, fmt: str, out: Path | None) -> None:
    """The hub's support points: state (open, limited, closed, silent), visitors, power,
    needs and the last report, as CSV or an EDXL-HAVE-style XML or JSON document."""
    from relay.export import status as st
    from relay.web.region import load_region

    config = load_config(config_path or DEFAULT_CONFIG)
    if not config.is_hub:
        raise InputError(f"{config.source} is a support point's; point status is on the hub")
    places = {
        p.point_id: st.Place(p.lat, p.lon, p.municipality, p.name)
        for p in load_region(config.region_file).points
    }
    store = Store(config.store)
    try:
        points = store.points()
    finally:
        store.close()
    # The dashboard's rule: a healthy point reports every interval; two missed: silent.
    silent_after = max(config.stale_after_s, 2 * config.engine.status_interval_s)
    now = time.time()
    rows = st.sites(points, places, now=now, silent_after=silent_after)
    generated = describe.iso(hubtime.from_unix(now))
    if fmt == "csv":
        data = st.to_csv(rows).encode("utf-8")
    elif fmt == "have-json":
        data = st.to_json(rows, region=config.name, generated=generated).encode("utf-8")
    else:
        data = st.to_xml(rows, region=config.name, generated=generated)
    if out is None:
        sys.stdout.buffer.write(data)
        return
    try:
        out.write_bytes(data)
    except OSError as err:
        raise FileAccessError(f"cannot write {out}: {err.strerror or err}") from err
    click.echo(f"wrote {len(rows)} site(s) to {out}", err=True)
