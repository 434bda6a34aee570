"""Scenario files: which nodes share the air, where they are, and how the radio behaves.

A scenario is a TOML file validated once into frozen dataclasses. Any bad key raises
:class:`relay.errors.ConfigError` naming the key path (``nodes[3].role: unknown role
'ROUTR' (known: ...)``), and nothing is half-loaded. The shipped scenarios live in
``relay/sim/scenarios/`` and load by name (``load_scenario("village")``).

Nodes are placed either by position (latitude/longitude and antenna height; links then
come from the path-loss model in :mod:`relay.sim.propagation`) or by an explicit
``[[links]]`` table giving each link's SNR and loss probability.
"""

from __future__ import annotations

import dataclasses
import enum
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from relay.airtime import ModemPreset, preset
from relay.errors import ConfigError
from relay.sim.api import BROADCAST, RebroadcastMode, Role

E = TypeVar("E", bound=enum.Enum)


class NodeKind(enum.Enum):
    """What stands at a node's site."""

    HUB = "hub"  # the regional hub's daemon
    POINT = "point"  # an emergency support point's daemon
    RELAY = "relay"  # a bare router on a tall building (no daemon)


class Environment(enum.Enum):
    """Okumura-Hata terrain class (see :mod:`relay.sim.propagation`)."""

    URBAN = "urban"
    SUBURBAN = "suburban"
    OPEN = "open"


class PathLoss(enum.Enum):
    """Which path-loss model turns distances into links (see :mod:`relay.sim.propagation`).

    ``hata``: Okumura-Hata for every link, low antennas extrapolated (the open-country
    region). ``town``: low antennas in Dutch towns; 3GPP TR 38.901 UMi street canyon
    between antennas below rooftops, Okumura-Hata only where one end stands >= 30 m.
    """

    HATA = "hata"
    TOWN = "town"


@dataclass(frozen=True, slots=True)
class RadioConfig:
    """Channel-wide settings; the path-loss numbers are documented in propagation.py."""

    preset: ModemPreset
    hop_limit: int = 3
    #: Extra probability that any one frame is lost on any one link (the benchmark's knob).
    extra_loss: float = 0.0
    environment: Environment = Environment.SUBURBAN
    path_loss: PathLoss = PathLoss.HATA
    tx_power_dbm: float = 22.0
    antenna_gain_dbi: float = 2.15
    #: Coax and connectors between radio and antenna, at each end of a link.
    cable_loss_db: float = 2.0
    noise_figure_db: float = 6.0
    shadowing_sigma_db: float = 8.0
    fading_sigma_db: float = 2.0
    capture_margin_db: float = 6.0
    tx_queue_size: int = 16
    duty_cycle_percent: float = 10.0


@dataclass(frozen=True, slots=True)
class Position:
    lat: float
    lon: float
    height_m: float


@dataclass(frozen=True, slots=True)
class NodeSpec:
    name: str
    num: int
    kind: NodeKind
    role: Role
    rebroadcast_mode: RebroadcastMode
    position: Position | None = None
    tx_power_dbm: float | None = None
    antenna_gain_dbi: float | None = None
    #: Building penetration, cable and connector losses at this site (dB, both directions).
    extra_loss_db: float = 0.0

    @property
    def short_name(self) -> str:
        return f"{self.num & 0xFFFF:04x}"


@dataclass(frozen=True, slots=True)
class LinkSpec:
    """One explicit link: ``b`` hears ``a`` and, unless ``one_way``, ``a`` hears ``b``."""

    a: str
    b: str
    snr_db: float
    loss: float = 0.0
    one_way: bool = False


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    radio: RadioConfig
    nodes: tuple[NodeSpec, ...]
    links: tuple[LinkSpec, ...] | None = None
    description: str = ""

    def node(self, name: str) -> NodeSpec:
        for spec in self.nodes:
            if spec.name == name:
                return spec
        raise ConfigError(f"no node named {name!r} in scenario {self.name!r}")

    def of_kind(self, kind: NodeKind) -> tuple[NodeSpec, ...]:
        return tuple(n for n in self.nodes if n.kind is kind)

    def with_extra_loss(self, loss: float) -> Scenario:
        """The same scenario with every link losing ``loss`` of its frames on top."""
        _check_probability(loss, "radio.extra_loss")
        return dataclasses.replace(self, radio=dataclasses.replace(self.radio, extra_loss=loss))


# --- loading ---------------------------------------------------------------------------


def shipped_scenarios() -> list[str]:
    """Names of the scenarios packaged with noodrelay."""
    folder = resources.files("relay.sim.scenarios")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a shipped scenario by name (``"village"``) or any scenario file by path."""
    text, source = _read(name_or_path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{source}: not valid TOML: {err}") from err
    return parse_scenario(data, default_name=Path(source).stem)


def _read(name_or_path: str | Path) -> tuple[str, str]:
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except OSError as err:
            raise ConfigError(f"cannot read scenario file {path}: {err.strerror}") from err
    known = shipped_scenarios()
    if str(name_or_path) not in known:
        raise ConfigError(f"unknown scenario {str(name_or_path)!r} (shipped: {', '.join(known)})")
    ref = resources.files("relay.sim.scenarios").joinpath(f"{name_or_path}.toml")
    return ref.read_text(encoding="utf-8"), f"{name_or_path}.toml"


def parse_scenario(data: Mapping[str, Any], default_name: str = "scenario") -> Scenario:
    """Validate a decoded TOML document into a :class:`Scenario`."""
    _known_keys(data, {"name", "description", "radio", "nodes", "links"}, "")
    name = _opt(data, "name", str, "name", default_name)
    description = _opt(data, "description", str, "description", "")
    radio = _parse_radio(_table(data.get("radio", {}), "radio"))
    raw_nodes = data.get("nodes")
    if not isinstance(raw_nodes, list) or not raw_nodes:
        raise ConfigError("a scenario needs at least one [[nodes]] entry", "nodes")
    nodes = tuple(_parse_node(_table(raw, f"nodes[{i}]"), i) for i, raw in enumerate(raw_nodes))
    _check_unique(nodes)
    links = None
    if "links" in data:
        raw_links = data["links"]
        if not isinstance(raw_links, list):
            raise ConfigError("must be an array of tables ([[links]])", "links")
        names = {n.name for n in nodes}
        links = tuple(
            _parse_link(_table(raw, f"links[{i}]"), i, names) for i, raw in enumerate(raw_links)
        )
    else:
        for i, node in enumerate(nodes):
            if node.position is None:
                raise ConfigError(
                    "needs lat, lon and height_m (or give the scenario a [[links]] table)",
                    f"nodes[{i}]",
                )
    return Scenario(name=name, radio=radio, nodes=nodes, links=links, description=description)


_RADIO_FLOATS = (
    "tx_power_dbm",
    "antenna_gain_dbi",
    "cable_loss_db",
    "noise_figure_db",
    "shadowing_sigma_db",
    "fading_sigma_db",
    "capture_margin_db",
)


def _parse_radio(raw: Mapping[str, Any]) -> RadioConfig:
    keys = {"preset", "hop_limit", "extra_loss", "environment", "path_loss", "tx_queue_size"}
    _known_keys(raw, keys | {"duty_cycle_percent", *_RADIO_FLOATS}, "radio")
    preset_name = _opt(raw, "preset", str, "radio.preset", "LONG_FAST")
    try:
        modem = preset(preset_name)
    except ConfigError as err:
        raise ConfigError(str(err), "radio.preset") from None
    hop_limit = _opt(raw, "hop_limit", int, "radio.hop_limit", 3)
    if not 0 <= hop_limit <= 7:
        raise ConfigError(f"must be 0..7, not {hop_limit}", "radio.hop_limit")
    extra_loss = _float(raw, "extra_loss", "radio.extra_loss", 0.0)
    _check_probability(extra_loss, "radio.extra_loss")
    queue = _opt(raw, "tx_queue_size", int, "radio.tx_queue_size", 16)
    if queue < 1:
        raise ConfigError(f"must be at least 1, not {queue}", "radio.tx_queue_size")
    duty = _float(raw, "duty_cycle_percent", "radio.duty_cycle_percent", 10.0)
    if not 0 < duty <= 100:
        raise ConfigError(f"must be in (0, 100], not {duty}", "radio.duty_cycle_percent")
    defaults = RadioConfig(preset=modem)
    floats = {k: _float(raw, k, f"radio.{k}", getattr(defaults, k)) for k in _RADIO_FLOATS}
    for key in ("cable_loss_db", "shadowing_sigma_db", "fading_sigma_db", "capture_margin_db"):
        if floats[key] < 0:
            raise ConfigError(f"must not be negative, not {floats[key]}", f"radio.{key}")
    return RadioConfig(
        preset=modem,
        hop_limit=hop_limit,
        extra_loss=extra_loss,
        environment=_enum(raw, "environment", Environment, "radio.environment", "suburban"),
        path_loss=_enum(raw, "path_loss", PathLoss, "radio.path_loss", "hata"),
        tx_queue_size=queue,
        duty_cycle_percent=duty,
        **floats,
    )


_NODE_KEYS = {
    "name",
    "num",
    "kind",
    "role",
    "rebroadcast_mode",
    "lat",
    "lon",
    "height_m",
    "tx_power_dbm",
    "antenna_gain_dbi",
    "extra_loss_db",
}


def _parse_node(raw: Mapping[str, Any], i: int) -> NodeSpec:
    at = f"nodes[{i}]"
    _known_keys(raw, _NODE_KEYS, at)
    name = _req(raw, "name", str, f"{at}.name")
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise ConfigError(f"{name!r} is not a name (letters, digits, - and _)", f"{at}.name")
    num = _req(raw, "num", int, f"{at}.num")
    if not 0 < num < BROADCAST:
        raise ConfigError(f"{num} is not a node number (1..0xfffffffe)", f"{at}.num")
    role = _enum(raw, "role", Role, f"{at}.role", "CLIENT")
    # The firmware switches rebroadcast_mode to CORE_PORTNUMS_ONLY when the role becomes
    # ROUTER; a scenario that does not say otherwise gets what such a node would have.
    default_mode = "CORE_PORTNUMS_ONLY" if role is Role.ROUTER else "ALL"
    mode = _enum(raw, "rebroadcast_mode", RebroadcastMode, f"{at}.rebroadcast_mode", default_mode)
    return NodeSpec(
        name=name,
        num=num,
        kind=_enum(raw, "kind", NodeKind, f"{at}.kind", "point"),
        role=role,
        rebroadcast_mode=mode,
        position=_parse_position(raw, at),
        tx_power_dbm=_float_or_none(raw, "tx_power_dbm", f"{at}.tx_power_dbm"),
        antenna_gain_dbi=_float_or_none(raw, "antenna_gain_dbi", f"{at}.antenna_gain_dbi"),
        extra_loss_db=_float(raw, "extra_loss_db", f"{at}.extra_loss_db", 0.0),
    )


def _parse_position(raw: Mapping[str, Any], at: str) -> Position | None:
    present = [k for k in ("lat", "lon", "height_m") if k in raw]
    if not present:
        return None
    if len(present) < 3:
        missing = next(k for k in ("lat", "lon", "height_m") if k not in raw)
        raise ConfigError("a position needs lat, lon and height_m", f"{at}.{missing}")
    lat = _float(raw, "lat", f"{at}.lat", 0.0)
    lon = _float(raw, "lon", f"{at}.lon", 0.0)
    height = _float(raw, "height_m", f"{at}.height_m", 0.0)
    if not -90 <= lat <= 90:
        raise ConfigError(f"{lat} is not a latitude", f"{at}.lat")
    if not -180 <= lon <= 180:
        raise ConfigError(f"{lon} is not a longitude", f"{at}.lon")
    if not 0.5 <= height <= 500:
        raise ConfigError(f"antenna height must be 0.5..500 m, not {height}", f"{at}.height_m")
    return Position(lat, lon, height)


def _parse_link(raw: Mapping[str, Any], i: int, names: set[str]) -> LinkSpec:
    at = f"links[{i}]"
    _known_keys(raw, {"a", "b", "snr_db", "loss", "one_way"}, at)
    ends = []
    for end in ("a", "b"):
        name = _req(raw, end, str, f"{at}.{end}")
        if name not in names:
            raise ConfigError(f"no node named {name!r}", f"{at}.{end}")
        ends.append(name)
    if ends[0] == ends[1]:
        raise ConfigError("a link needs two different nodes", f"{at}.b")
    snr = _float_or_none(raw, "snr_db", f"{at}.snr_db")
    if snr is None:
        raise ConfigError("missing", f"{at}.snr_db")
    loss = _float(raw, "loss", f"{at}.loss", 0.0)
    _check_probability(loss, f"{at}.loss")
    one_way = _opt(raw, "one_way", bool, f"{at}.one_way", False)
    return LinkSpec(a=ends[0], b=ends[1], snr_db=snr, loss=loss, one_way=one_way)


def _check_unique(nodes: tuple[NodeSpec, ...]) -> None:
    seen_names: dict[str, int] = {}
    seen_nums: dict[int, int] = {}
    for i, node in enumerate(nodes):
        if node.name in seen_names:
            first = seen_names[node.name]
            raise ConfigError(
                f"name {node.name!r} already used by nodes[{first}]", f"nodes[{i}].name"
            )
        if node.num in seen_nums:
            first = seen_nums[node.num]
            raise ConfigError(
                f"number {node.num:#x} already used by nodes[{first}]", f"nodes[{i}].num"
            )
        seen_names[node.name] = i
        seen_nums[node.num] = i


# --- small typed accessors -------------------------------------------------------------

T = TypeVar("T")


def _table(value: object, at: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"must be a table, not {type(value).__name__}", at)
    return value


def _known_keys(raw: Mapping[str, Any], known: set[str], at: str) -> None:
    for key in raw:
        if key not in known:
            where = f"{at}.{key}" if at else key
            raise ConfigError(f"unknown key (known: {', '.join(sorted(known))})", where)


def _type_name(kind: type) -> str:
    return {str: "a string", int: "an integer", bool: "true or false"}.get(kind, kind.__name__)


def _req(raw: Mapping[str, Any], key: str, kind: type[T], at: str) -> T:
    if key not in raw:
        raise ConfigError("missing", at)
    value = raw[key]
    # bool is an int in Python; a TOML `true` is never a node number.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"must be {_type_name(kind)}, not {value!r}", at)
    return value


def _opt(raw: Mapping[str, Any], key: str, kind: type[T], at: str, default: T) -> T:
    return _req(raw, key, kind, at) if key in raw else default


def _float_or_none(raw: Mapping[str, Any], key: str, at: str) -> float | None:
    if key not in raw:
        return None
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"must be a number, not {value!r}", at)
    return float(value)


def _float(raw: Mapping[str, Any], key: str, at: str, default: float) -> float:
    value = _float_or_none(raw, key, at)
    return default if value is None else value


def _enum(raw: Mapping[str, Any], key: str, kind: type[E], at: str, default: str) -> E:
    name = _opt(raw, key, str, at, default)
    for member in kind:
        label = member.value if isinstance(member.value, str) else member.name
        if name.upper() == label.upper():
            return member
    known = ", ".join(m.value if isinstance(m.value, str) else m.name for m in kind)
    what = _ENUM_WORDS.get(kind.__name__, kind.__name__)
    raise ConfigError(f"unknown {what} {name!r} (known: {known})", at)


_ENUM_WORDS = {
    "Role": "role",
    "RebroadcastMode": "rebroadcast mode",
    "NodeKind": "node kind",
    "Environment": "environment",
    "PathLoss": "path-loss model",
}


def _check_probability(value: float, at: str) -> None:
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"must be a probability 0..1, not {value}", at)
