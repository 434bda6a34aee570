"""Ed25519 keys, key ids and key files.

Files, for a key named ``hub-utrecht``:

* ``hub-utrecht.key``: the private key, PKCS#8 PEM, mode 0600. Loading one that group
  or others can read is refused: on a shared Pi that would be a forged-bulletin risk.
* ``hub-utrecht.pub``: a short text file (name, role, key id, base64 public key) that
  technicians can read and carry on a USB stick.
* ``hub-utrecht.seq``: the key's sequence counter (see :mod:`relay.wire.sequence`).

The key id is the first four bytes of SHA-256 of the raw public key: short enough to
travel in every message, and it is a hash, so it reveals nothing a key would not.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from relay.errors import BadSignatureError, InsecureKeyFileError, KeyFileError
from relay.wire.model import Role

PUB_HEADER = "noodrelay-public-key v1"


def key_id_of(public_key: bytes) -> int:
    """The 32-bit key id of a raw 32-byte Ed25519 public key."""
    return int.from_bytes(hashlib.sha256(public_key).digest()[:4], "big")


def format_key_id(key_id: int) -> str:
    return f"{key_id:08x}"


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A raw Ed25519 public key with the name and role it was made for."""

    raw: bytes
    name: str = ""
    role: Role = Role.UNKNOWN

    def __post_init__(self) -> None:
        if len(self.raw) != 32:
            raise KeyFileError(f"an Ed25519 public key has 32 bytes, not {len(self.raw)}")

    @property
    def key_id(self) -> int:
        return key_id_of(self.raw)

    def verify(self, signature: bytes, data: bytes) -> None:
        """Raise :class:`BadSignatureError` unless ``signature`` is ours over ``data``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, data)
        except InvalidSignature as err:
            raise BadSignatureError(
                f"bad signature for key {format_key_id(self.key_id)} ({self.name or 'unnamed'})"
            ) from err


@dataclass(frozen=True)
class PrivateKey:
    """An Ed25519 signing key with its public half's name and role."""

    key: Ed25519PrivateKey
    name: str
    role: Role

    @classmethod
    def generate(cls, name: str, role: Role) -> PrivateKey:
        return cls(Ed25519PrivateKey.generate(), name, role)

    @property
    def public(self) -> PublicKey:
        raw = self.key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return PublicKey(raw, self.name, self.role)

    @property
    def key_id(self) -> int:
        return self.public.key_id

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)


# --- files ----------------------------------------------------------------------------


def _write_private(path: Path, data: bytes) -> None:
    """Create ``path`` with mode 0600 from the start (never world-readable for an instant)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def save_keypair(key: PrivateKey, directory: Path) -> tuple[Path, Path]:
    """Write ``NAME.key`` (0600) and ``NAME.pub`` into ``directory``; never overwrite."""
    directory.mkdir(parents=True, exist_ok=True)
    key_path = directory / f"{key.name}.key"
    pub_path = directory / f"{key.name}.pub"
    for p in (key_path, pub_path):
        if p.exists():
            raise KeyFileError(f"{p} exists already; refusing to overwrite a key")
    pem = key.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(key_path, pem)
    pub_path.write_text(format_public(key.public), encoding="utf-8")
    return key_path, pub_path


def format_public(pub: PublicKey) -> str:
    return (
        f"{PUB_HEADER}\n"
        f"name: {pub.name}\n"
        f"role: {pub.role.name.lower()}\n"
        f"id: {format_key_id(pub.key_id)}\n"
        f"key: {base64.b64encode(pub.raw).decode()}\n"
    )


def parse_public(text: str, source: str = "public key") -> PublicKey:
    lines = text.strip().splitlines()
    if not lines or lines[0].strip() != PUB_HEADER:
        raise KeyFileError(f"{source}: not a noodrelay public key file")
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    try:
        raw = base64.b64decode(fields["key"], validate=True)
        role = Role[fields.get("role", "unknown").upper()]
    except (KeyError, ValueError) as err:
        raise KeyFileError(f"{source}: missing or malformed field ({err})") from err
    pub = PublicKey(raw, fields.get("name", ""), role)
    claimed = fields.get("id")
    if claimed and claimed != format_key_id(pub.key_id):
        raise KeyFileError(f"{source}: key id {claimed} does not match the key")
    return pub


def load_public(path: Path) -> PublicKey:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise KeyFileError(f"cannot read public key {path}: {err}") from err
    return parse_public(text, str(path))


def check_private_mode(path: Path) -> None:
    """Refuse a private key file that anyone but its owner can read or write."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InsecureKeyFileError(
            f"{path} is readable by others (mode {stat.S_IMODE(mode):o}); run: chmod 600 {path}"
        )


def _not_a_public_key(path: Path) -> None:
    """A public key given where the private one belongs (``--root keys/root.pub``) is
    named as such, before its (harmless) mode 0644 is taken for a leak."""
    try:
        with path.open("rb") as f:
            start = f.read(len(PUB_HEADER))
    except OSError:
        return  # the reader below says what is wrong with the path
    if start == PUB_HEADER.encode():
        private = path.with_suffix(".key")
        raise KeyFileError(f"{path} is a public key; use the private key {private}")


def load_private(path: Path) -> PrivateKey:
    """Load ``NAME.key``; name and role come from the ``NAME.pub`` beside it."""
    _not_a_public_key(path)
    try:
        check_private_mode(path)
        pem = path.read_bytes()
    except FileNotFoundError as err:
        raise KeyFileError(f"no private key at {path}") from err
    except OSError as err:
        raise KeyFileError(f"cannot read private key {path}: {err}") from err
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as err:
        raise KeyFileError(f"{path} is not an unencrypted PKCS#8 private key: {err}") from err
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} is not an Ed25519 key")
    pub_path = path.with_suffix(".pub")
    name, role = path.stem, Role.UNKNOWN
    if pub_path.exists():
        pub = load_public(pub_path)
        name, role = pub.name or name, pub.role
    private = PrivateKey(key, name, role)
    if pub_path.exists() and load_public(pub_path).raw != private.public.raw:
        raise KeyFileError(f"{pub_path} does not belong to {path}")
    return private
