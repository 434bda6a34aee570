"""Passwords for the screens' staff login: scrypt with a random salt, in the config.

The config holds only hashes (``[auth] users = [{name = "..", password_hash = ".."}]``),
made by ``relay auth hash``. scrypt is memory-hard, so a stolen config does not give
the passwords away cheaply; its parameters travel in the hash so they can be raised
later without breaking older hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from relay.daemon.config import User
from relay.errors import ConfigError

SCHEME = "scrypt"
#: 2**14 x 8 x 128 bytes = 16 MiB per check: ~50 ms on a laptop, well under 1 s on a Pi 4.
DEFAULT_N, DEFAULT_R, DEFAULT_P = 2**14, 8, 1
SALT_BYTES = 16
KEY_BYTES = 32
#: Refuse parameters that would let a bad config exhaust memory (128 * r * n bytes).
MAX_MEMORY = 256 * 1024 * 1024
#: Longest password we hash (a 1 MB "password" would be a cheap denial of service).
MAX_PASSWORD = 1024


@dataclass(frozen=True, slots=True)
class PasswordHash:
    n: int
    r: int
    p: int
    salt: bytes
    key: bytes

    def encode(self) -> str:
        salt = base64.b64encode(self.salt).decode()
        key = base64.b64encode(self.key).decode()
        return f"{SCHEME}${self.n}${self.r}${self.p}${salt}${key}"


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode()[:MAX_PASSWORD],
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=MAX_MEMORY + 1024 * 1024,
        dklen=KEY_BYTES,
    )


def hash_password(
    password: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P
) -> str:
    """A new hash of ``password`` with a fresh random salt, as the config stores it."""
    if not password:
        raise ValueError("an empty password cannot be used")
    salt = secrets.token_bytes(SALT_BYTES)
    return PasswordHash(n, r, p, salt, _derive(password, salt, n, r, p)).encode()


def parse_hash(text: str) -> PasswordHash:
    """Parse a stored hash; ValueError says what is wrong with it."""
    parts = text.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise ValueError("not a hash made by `relay auth hash` (scrypt$n$r$p$salt$key)")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except ValueError as err:
        raise ValueError(f"damaged hash: {err}") from None
    if n < 2 or n & (n - 1) or r < 1 or p < 1 or 128 * r * n * p > MAX_MEMORY:
        raise ValueError(f"unusable scrypt parameters n={n} r={r} p={p}")
    if len(salt) < 8 or len(key) < 16:
        raise ValueError("salt or key too short")
    return PasswordHash(n, r, p, salt, key)


def verify_password(password: str, stored: PasswordHash) -> bool:
    derived = _derive(password, stored.salt, stored.n, stored.r, stored.p)
    return hmac.compare_digest(derived[: len(stored.key)], stored.key)


class Accounts:
    """The staff accounts from the config, checked once at start-up."""

    def __init__(self, users: tuple[User, ...]) -> None:
        self._hashes: dict[str, PasswordHash] = {}
        for i, user in enumerate(users):
            where = f"auth.users[{i}]"
            if not user.name:
                raise ConfigError("needs a name", f"{where}.name")
            if user.name in self._hashes:
                raise ConfigError(f"user {user.name!r} appears twice", f"{where}.name")
            try:
                self._hashes[user.name] = parse_hash(user.password_hash)
            except ValueError as err:
                raise ConfigError(str(err), f"{where}.password_hash") from None
        # Unknown names are checked against this too, so timing does not reveal who exists.
        self._decoy = PasswordHash(DEFAULT_N, DEFAULT_R, DEFAULT_P, b"\0" * SALT_BYTES, b"\0" * 32)

    def __bool__(self) -> bool:
        return bool(self._hashes)

    def check(self, name: str, password: str) -> bool:
        """True when ``name`` exists and ``password`` is its password (slow on purpose)."""
        stored = self._hashes.get(name)
        ok = verify_password(password, stored or self._decoy)
        return ok and stored is not None
