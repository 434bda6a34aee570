"""``relay import``: a bulletin carried by hand (a file, a USB stick, base64 text, a photo
of the printed QR code) into a support point that the radio does not reach.

Through the running daemon's control API when it runs (the kiosk shows the bulletin at
once), else into the store directly (the daemon is stopped; it shows the bulletin when it
starts). Either way the engine verifies it as it verifies a radio frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from relay.cli.client import DEFAULT_CONFIG, DaemonClient
from relay.cli.qrscan import Loader, messages
from relay.daemon.config import DaemonConfig, load_config
from relay.errors import DaemonUnreachableError, RelayError

HUB_REFUSAL = "this is the hub; relay import loads a bulletin into a support point"


class _Target:
    """Where imports go: the daemon while it answers, else the store."""

    def __init__(self, config: DaemonConfig) -> None:
        self.config = config
        self.client: DaemonClient | None = DaemonClient(config)

    def load(self, raw: bytes) -> tuple[dict[str, Any], bool]:
        """(what was imported, whether the running daemon took it)."""
        if self.client is not None:
            try:
                return self.client.call("POST", "/api/import", body=raw, auth=True), True
            except DaemonUnreachableError:
                click.echo("no daemon answers: importing into the store directly", err=True)
                self.client = None
        from relay.daemon.carried import import_offline

        return import_offline(self.config, raw), False


def _import_one(target: _Target, name: str, read: Loader) -> int:
    try:
        done, live = target.load(read())
    except RelayError as err:
        click.echo(f"{name}: refused: {err}", err=True)
        return err.exit_code
    where = "on the kiosk now" if live else "stored; on the kiosk when the daemon runs"
    mark = "" if done["status"] == "actual" else f" ({done['status']})"
    aimed = "" if done["targeted"] else " (meant for other points: kept, not shown)"
    click.echo(
        f"{name}: verified bulletin #{done['seq']}{mark} from {done['sender']}, {where}{aimed}"
    )
    return 0


@click.command("import")
@click.argument("files", nargs=-1)
@click.option(
    "--qr",
    "images",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A photo or scan of the printed notice's QR codes.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    envvar="RELAY_CONFIG",
    show_default=True,
    help="The point's relay.toml (or $RELAY_CONFIG).",
)
def import_(files: tuple[str, ...], images: tuple[Path, ...], config_path: Path) -> None:
    """Load bulletins carried by hand (files, base64 text, - for stdin, or --qr PHOTO)
    into this support point, after the same checks as a radio frame.

    One line per message; exits non-zero if any was refused.
    """
    if not files and not images:
        raise click.UsageError("give message files, or --qr PHOTO")
    config = load_config(config_path)
    if config.is_hub:
        from relay.daemon.ops import NotForThisRoleError

        raise NotForThisRoleError(HUB_REFUSAL)
    target = _Target(config)
    codes = [_import_one(target, name, read) for name, read in messages(files, images)]
    failed = [c for c in codes if c]
    if failed:
        raise SystemExit(failed[0])
