"""``relay qr``: a message file as a QR code image, to print, show on a screen or carry.

The same code the A4 print view carries (:mod:`relay.web.qr`); ``relay check --qr`` and
``relay import --qr`` read it back from a photo.
"""

from __future__ import annotations

from pathlib import Path

import click

from relay.cli.files import read_message
from relay.errors import FileAccessError, InputError


@click.command()
@click.argument("file")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The PNG to write.")  # fmt: skip
@click.option("--scale", type=click.IntRange(1, 40), default=6, show_default=True,
              help="Pixels per module.")  # fmt: skip
def qr(file: str, out: Path, scale: int) -> None:
    """Write a message file (binary or base64; - for stdin) as a QR code PNG."""
    import segno

    from relay.web import qr as qrcode

    raw = read_message(file)
    try:
        qrcode.png(raw, str(out), scale)
    except segno.DataOverflowError:
        raise InputError(f"{file}: {len(raw)} bytes is too long for one QR code") from None
    except OSError as err:
        raise FileAccessError(f"cannot write {out}: {err.strerror or err}") from err
    click.echo(f"wrote {out}: {len(raw)} bytes as a QR code", err=True)
