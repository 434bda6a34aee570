"""The daemon's configuration file (TOML), validated once into a frozen object.

Every problem names the key it is about (``radio.url: ...``), so a technician on a
Saturday afternoon knows what to change. Relative paths are relative to the file.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relay.airtime import PRESETS
from relay.engine.config import EngineConfig
from relay.errors import ConfigError
from relay.federation.config import FederationConfig, parse_federation

log = logging.getLogger(__name__)

ROLES = ("hub", "point", "national")
#: Listening on every interface: the CLI still talks to loopback.
_ANY_HOST = frozenset({"0.0.0.0", "", "::"})  # noqa: S104


@dataclass(frozen=True, slots=True)
class User:
    name: str
    password_hash: str


@dataclass(frozen=True, slots=True)
class DaemonConfig:
    role: str
    name: str
    radio_url: str
    key: Path
    cert: Path
    keyring: Path
    store: Path
    listen_host: str
    listen_port: int
    token_file: Path
    engine: EngineConfig
    point_id: int = 0
    groups: tuple[str, ...] = ()
    hub_node: int | None = None
    #: Minutes without hearing the hub before the kiosk warns.
    stale_after_s: float = 1800.0
    users: tuple[User, ...] = field(default=())
    #: Point: personal data of a help request is erased this long after it is closed.
    help_retention_s: float = 7 * 86400.0
    #: Hub: the region file (points' coordinates and municipalities, relay sites) the
    #: dashboard's map is drawn from; ``None``: the map says it has no coordinates.
    region_file: Path | None = None
    #: ``[federation]``: the MQTT broker a hub (or the national node) shares messages on.
    federation: FederationConfig | None = None
    source: Path = Path("relay.toml")

    @property
    def is_hub(self) -> bool:
        return self.role == "hub"

    @property
    def is_national(self) -> bool:
        return self.role == "national"

    @property
    def control_url(self) -> str:
        host = "127.0.0.1" if self.listen_host in _ANY_HOST else self.listen_host
        return f"http://{host}:{self.listen_port}"


class _Reader:
    """Typed access to a TOML table that reports bad keys by their full name."""

    def __init__(self, data: dict[str, Any], prefix: str = "") -> None:
        self.data = data
        self.prefix = prefix
        self.used: set[str] = set()

    def _name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def table(self, key: str) -> _Reader:
        value = self.data.get(key, {})
        self.used.add(key)
        if not isinstance(value, dict):
            raise ConfigError("must be a table", self._name(key))
        return _Reader(value, f"{self.prefix}{key}.")

    def get(self, key: str, kind: type, default: Any = ...) -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is ...:
                raise ConfigError("missing", self._name(key))
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ConfigError(
                f"must be {kind.__name__}, not {type(value).__name__} {value!r}", self._name(key)
            )
        return value

    def positive(self, key: str, default: float) -> float:
        value = float(self.get(key, float, default))
        if value <= 0:
            raise ConfigError("must be greater than 0", self._name(key))
        return value

    def check_unknown(self) -> None:
        for key in self.data:
            if key not in self.used:
                raise ConfigError("unknown key (a typo?)", self._name(key))


def _path(base: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p)


def _optional_path(base: Path, value: str | None) -> Path | None:
    return None if value is None else _path(base, value)


def _listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{value!r} is not host:port", "screen.listen")
    return host or "127.0.0.1", int(port)


def _node(value: str) -> int:
    text = value.removeprefix("!")
    try:
        return int(text, 16)
    except ValueError:
        raise ConfigError(f"{value!r} is not a node id like !a1b2c3d4", "radio.hub_node") from None


def _spread(most: float) -> tuple[float, float]:
    """A random delay's range up to ``most`` seconds (from a sixth of it, at most 10 s)."""
    return (min(10.0, most / 6), most)


#: Interval keys of format 1's status timing, replaced by slots (issue 11). A config written
#: for it still starts: the keys are ignored with a warning, not refused as typos.
RETIRED_INTERVALS = (
    "status_batch_s",
    "receipt_min_gap_s",
    "first_report_max_s",
    "receipt_delay_max_s",
)


def _retired(iv: _Reader) -> None:
    for key in RETIRED_INTERVALS:
        if key in iv.data:
            iv.used.add(key)
            log.warning("%s%s is no longer used (reports go in slots); remove it", iv.prefix, key)


def _engine(r: _Reader, preset: str) -> EngineConfig:
    iv = r.table("intervals")
    budget = r.table("budget")
    duty = budget.positive("duty_cycle", 0.10)
    headroom = float(budget.get("headroom", float, 0.20))
    if duty > 1 or not 0 <= headroom < 1:
        raise ConfigError("duty_cycle must be <= 1 and headroom in [0, 1)", "budget")
    cfg = EngineConfig(
        preset=preset,
        duty_cycle=duty,
        headroom=headroom,
        heartbeat_interval_s=iv.positive("heartbeat_s", 300),
        status_interval_s=iv.positive("status_s", 1800),
        status_settle_s=iv.positive("status_settle_s", 30),
        hub_silence_s=iv.positive("hub_silence_s", 1800),
        heartbeat_after_bulletin_s=iv.positive("heartbeat_after_bulletin_s", 90),
        repair_delay_s=_spread(iv.positive("repair_delay_max_s", 45)),
    )
    _retired(iv)
    iv.check_unknown()
    budget.check_unknown()
    return cfg


def _retention(r: _Reader) -> float:
    """Days a point keeps a closed help request's personal data (0: erase on closing)."""
    days = float(r.get("retention_days", float, 7.0))
    if not 0 <= days <= 365:
        raise ConfigError(f"must be 0..365 days, not {days:g}", "help.retention_days")
    return days * 86400.0


def _federation(r: _Reader, base: Path, role: str, name: str) -> FederationConfig | None:
    if "federation" not in r.data:
        if role == "national":
            raise ConfigError("the national node needs its broker", "federation")
        return None
    table = r.table("federation")
    if role == "point":
        raise ConfigError("only a hub or the national node federates", "federation")
    return parse_federation(table.data, base, role, name)


def parse_config(data: dict[str, Any], source: Path) -> DaemonConfig:
    base = source.parent
    r = _Reader(data)
    role = r.get("role", str)
    if role not in ROLES:
        raise ConfigError(f"must be one of {', '.join(ROLES)}, not {role!r}", "role")
    radio = r.table("radio")
    if role == "national":
        radio.data.setdefault("url", "")  # the national node has no radio
    preset = radio.get("preset", str, "LONG_FAST").upper()
    if preset not in PRESETS:
        raise ConfigError(
            f"unknown preset {preset!r} (known: {', '.join(PRESETS)})", "radio.preset"
        )
    hub_node = radio.get("hub_node", str, None)
    keys = r.table("keys")
    store = r.table("store")
    screen = r.table("screen")
    host, port = _listen(screen.get("listen", str, "127.0.0.1:8080"))
    point = r.table("point")
    auth = r.table("auth")
    help_ = r.table("help")
    users = tuple(
        User(str(u.get("name", "")), str(u.get("password_hash", "")))
        for u in auth.get("users", list, [])
    )
    cfg = DaemonConfig(
        role=role,
        name=r.get("name", str),
        radio_url=radio.get("url", str),
        key=_path(base, keys.get("key", str)),
        cert=_path(base, keys.get("cert", str)),
        keyring=_path(base, keys.get("keyring", str)),
        store=_path(base, store.get("path", str)),
        listen_host=host,
        listen_port=port,
        token_file=_path(base, screen.get("token_file", str, "control.token")),
        engine=_engine(r, preset),
        point_id=int(point.get("id", int, 0)),
        groups=tuple(point.get("groups", list, [])),
        hub_node=_node(hub_node) if hub_node else None,
        stale_after_s=screen.positive("stale_after_s", 1800),
        users=users,
        help_retention_s=_retention(help_),
        region_file=_optional_path(base, screen.get("region", str, None)),
        federation=_federation(r, base, role, r.get("name", str)),
        source=source,
    )
    if cfg.role == "point" and cfg.point_id <= 0:
        raise ConfigError("a point needs its number (point.id = 17)", "point.id")
    for reader in (r, radio, keys, store, screen, point, auth, help_):
        reader.check_unknown()
    return cfg


def load_config(path: Path) -> DaemonConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"no configuration file at {path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read {path}: {err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path} is not valid TOML: {err}") from err
    return parse_config(data, path.resolve())
