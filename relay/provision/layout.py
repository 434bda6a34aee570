"""Where a provisioned node keeps its files, optionally below a ``--root`` prefix.

The files' *contents* always name the final system paths (``/etc/noodrelay/...``);
only where they are written moves below the prefix, like ``DESTDIR`` for ``make
install``. Tests provision into a temporary directory and never touch the real /etc.

* ``/etc/noodrelay/``: ``relay.toml``, ``radio.yaml`` (0600: the channel key) and the
  ``keyring/`` (the pinned root public key and certificates). Read-only for the
  daemon (``ProtectSystem=strict``).
* ``/var/lib/noodrelay/``: the daemon's state directory (``StateDirectory=``, the only
  place it may write): the private key with its sequence counter (which advances with
  every message signed), the SQLite store, the control token.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

USER = "noodrelay"
SERVICE = "noodrelay.service"
ETC = Path("/etc/noodrelay")
STATE = Path("/var/lib/noodrelay")


@dataclass(frozen=True, slots=True)
class Layout:
    root: Path = Path("/")

    def on_disk(self, target: Path) -> Path:
        """Where the file that the node will see at ``target`` is written now."""
        return self.root / target.relative_to("/")

    @property
    def config(self) -> Path:
        return ETC / "relay.toml"

    @property
    def radio_profile(self) -> Path:
        return ETC / "radio.yaml"

    @property
    def keyring(self) -> Path:
        return ETC / "keyring"

    @property
    def state(self) -> Path:
        return STATE

    @property
    def keys(self) -> Path:
        return STATE / "keys"

    def key(self, name: str) -> Path:
        return self.keys / f"{name}.key"

    def cert(self, name: str) -> Path:
        return self.keyring / f"{name}.cert"

    @property
    def store(self) -> Path:
        return STATE / "relay.db"

    @property
    def token(self) -> Path:
        return STATE / "control.token"

    @property
    def unit(self) -> Path:
        return Path("/etc/systemd/system") / SERVICE

    @property
    def wants_link(self) -> Path:
        return Path("/etc/systemd/system/multi-user.target.wants") / SERVICE

    @property
    def sysusers(self) -> Path:
        return Path("/etc/sysusers.d") / f"{USER}.conf"
