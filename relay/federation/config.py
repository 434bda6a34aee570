"""The ``[federation]`` table of relay.toml, validated once into a frozen object.

Every problem names its key (``federation.broker: ...``), like the rest of the config.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from relay.errors import ConfigError

#: The region name national bulletins travel under.
NATIONAL = "national"
DEFAULT_PREFIX = "noodrelay/nl"
_REGION = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
_SCHEMES = {"mqtt": (False, 1883), "mqtts": (True, 8883)}
_KEYS = {
    "broker",
    "ca_file",
    "username",
    "password_file",
    "client_id",
    "topic_prefix",
    "region",
    "summary_every_s",
    "regions",
}


@dataclass(frozen=True, slots=True)
class FederationConfig:
    host: str
    port: int
    tls: bool
    client_id: str
    topic_prefix: str
    #: This hub's region in topic names ("national" for the national node).
    region: str
    ca_file: Path | None = None
    username: str | None = None
    password_file: Path | None = None
    #: Hub: how often changed points go out in a countersigned summary.
    summary_every_s: float = 60.0
    #: National node: region name -> the region root's public key file.
    regions: dict[str, Path] = field(default_factory=dict)

    def password(self) -> str | None:
        """Read when connecting (not kept in the config object's repr)."""
        if self.password_file is None:
            return None
        return self.password_file.read_text(encoding="utf-8").strip()


def _key(name: str) -> str:
    return f"federation.{name}"


def _str(table: dict[str, Any], name: str, default: str | None = None) -> str | None:
    value = table.get(name, default)
    if value is not None and (not isinstance(value, str) or not value):
        raise ConfigError(f"must be a non-empty string, not {value!r}", _key(name))
    return value


def _broker(url: str) -> tuple[str, int, bool]:
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES or not parts.hostname:
        raise ConfigError(
            f"{url!r} is not mqtt://host[:port] or mqtts://host[:port]", _key("broker")
        )
    tls, default_port = _SCHEMES[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise ConfigError(f"{url!r} has a bad port", _key("broker")) from None
    if parts.username or parts.password:
        raise ConfigError("put credentials in username / password_file", _key("broker"))
    return parts.hostname, port, tls


def _file(base: Path, table: dict[str, Any], name: str, *, secret: bool) -> Path | None:
    value = _str(table, name)
    if value is None:
        return None
    path = Path(value).expanduser()
    path = path if path.is_absolute() else base / path
    try:
        mode = path.stat().st_mode
    except OSError as err:
        raise ConfigError(f"cannot read {path}: {err.strerror}", _key(name)) from None
    if secret and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path} is readable by others (mode {stat.S_IMODE(mode):o}); run: chmod 600 {path}",
            _key(name),
        )
    return path


def _prefix(value: str) -> str:
    if any(c in value for c in "+#\0") or value.startswith("/") or value.endswith("/"):
        raise ConfigError(
            f"{value!r}: no wildcards (+ #) and no leading or trailing /", _key("topic_prefix")
        )
    return value


def _region(value: str, role: str) -> str:
    if role == "national":
        if value != NATIONAL:
            raise ConfigError(f"the national node's region is {NATIONAL!r}", _key("region"))
        return value
    if not _REGION.match(value) or value == NATIONAL:
        raise ConfigError(
            f"{value!r} is not a region name (lower case, digits, -; not {NATIONAL!r})",
            _key("region"),
        )
    return value


def _regions(base: Path, value: object, role: str) -> dict[str, Path]:
    if value is None:
        if role == "national":
            raise ConfigError(
                "the national node needs its regions (name = root .pub)", _key("regions")
            )
        return {}
    if not isinstance(value, dict) or role != "national":
        raise ConfigError(
            "a table of region = root .pub, on the national node only", _key("regions")
        )
    out = {}
    for name, path in value.items():
        sub = f"regions.{name}"
        _region(str(name), "hub")
        if not isinstance(path, str):
            raise ConfigError("must be the path of the region root's .pub", _key(sub))
        found = _file(base, {sub: path}, sub, secret=False)
        assert found is not None
        out[str(name)] = found
    return out


def parse_federation(
    table: dict[str, Any], base: Path, role: str, node_name: str
) -> FederationConfig:
    """The ``[federation]`` table of a hub (``role="hub"``) or the national node."""
    for name in table:
        if name not in _KEYS:
            raise ConfigError("unknown key (a typo?)", _key(name))
    broker = _str(table, "broker")
    if broker is None:
        raise ConfigError("missing (e.g. mqtt://127.0.0.1:1883)", _key("broker"))
    host, port, tls = _broker(broker)
    region = _str(table, "region", NATIONAL if role == "national" else None)
    if region is None:
        raise ConfigError("missing: this region's name in topics (e.g. utrecht)", _key("region"))
    every = table.get("summary_every_s", 60.0)
    if isinstance(every, bool) or not isinstance(every, int | float) or every <= 0:
        raise ConfigError(
            f"must be a number of seconds > 0, not {every!r}", _key("summary_every_s")
        )
    ca_file = _file(base, table, "ca_file", secret=False)
    if ca_file is not None and not tls:
        raise ConfigError("a CA file needs an mqtts:// broker", _key("ca_file"))
    password_file = _file(base, table, "password_file", secret=True)
    username = _str(table, "username")
    if password_file is not None and username is None:
        raise ConfigError("a password needs a username", _key("username"))
    return FederationConfig(
        host=host,
        port=port,
        tls=tls,
        client_id=_str(table, "client_id", node_name) or node_name,
        topic_prefix=_prefix(_str(table, "topic_prefix", DEFAULT_PREFIX) or DEFAULT_PREFIX),
        region=_region(region, role),
        ca_file=ca_file,
        username=username,
        password_file=password_file,
        summary_every_s=float(every),
        regions=_regions(base, table.get("regions"), role),
    )
