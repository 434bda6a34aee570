"""Reading signed messages back from a photo or scan of printed QR codes.

The decoder is zxing-cpp's Python wheel: the ZXing C++ port, maintained, self-contained
(no system zbar library to install, unlike pyzbar), and it finds several codes in one
image, rotated or photographed at an angle, which is what a phone picture of an A4
notice with three bulletins is. Pillow (already here through matplotlib) opens the image.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from relay.cli.files import maybe_base64, read_message
from relay.errors import FileAccessError, InputError, RelayError

#: Reads one message's bytes when called (so a bad file is one failing entry, not a crash).
Loader = Callable[[], bytes]


class NoQrCodeError(InputError):
    """The image holds no QR code that can be read (none, or too damaged)."""


@dataclass(frozen=True, slots=True)
class Scanned:
    #: "photo.png" for one code, "photo.png#2" for the second of several
    name: str
    raw: bytes


def scan(path: Path) -> list[Scanned]:
    """Every readable QR code in the image at ``path``, top to bottom."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            qr_only = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
            results = zxingcpp.read_barcodes(img.convert("L"), formats=qr_only)
    except FileNotFoundError as err:
        raise FileAccessError(f"cannot read {path}: no such file") from err
    except (UnidentifiedImageError, OSError) as err:
        raise FileAccessError(f"cannot read {path} as an image: {err}") from err
    found = sorted(
        (r for r in results if r.valid),
        key=lambda r: (r.position.top_left.y, r.position.top_left.x),
    )
    if not found:
        raise NoQrCodeError("no readable QR code (none in the image, or damaged)")
    many = len(found) > 1
    return [
        Scanned(f"{path}#{i}" if many else str(path), maybe_base64(r.bytes))
        for i, r in enumerate(found, 1)
    ]


def messages(files: tuple[str, ...], images: tuple[Path, ...]) -> Iterator[tuple[str, Loader]]:
    """(name, read) per message: files as they are, then every QR code of every image
    (an image that cannot be read, or holds no readable code, is one failing entry)."""
    for name in files:
        yield name, functools.partial(read_message, name)
    for image in images:
        try:
            scanned = scan(image)
        except RelayError as err:
            yield str(image), functools.partial(_raise, err)
            continue
        for s in scanned:
            yield s.name, functools.partial(bytes, s.raw)


def _raise(err: RelayError) -> bytes:
    raise err
