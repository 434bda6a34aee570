"""Radio profiles: ``meshtastic --configure`` YAML, read and checked against meshtastic's schema.

A profile is the file format the official ``meshtastic --configure`` command takes
(top-level ``owner``, ``owner_short``, ``channel_url``, ``location``, ``config``,
``module_config``; keys in snake_case or camelCase; enums by name). That command skips
a key it does not know with a line of output, which on a Saturday afternoon goes
unnoticed: a typo in ``regoin`` leaves the radio on the wrong band. So every key and
every value is checked here against the protobuf descriptors of the installed
``meshtastic`` package (``LocalConfig``, ``LocalModuleConfig``, ``ChannelSet``) before
anything is written, and every problem is reported at once, with what to change.

The result is a frozen :class:`Profile` of flat :class:`Setting` values (enums by
name); protobuf objects only appear again at the edge, in the radio adapter.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import DecodeError
from meshtastic.protobuf import apponly_pb2, localonly_pb2

from relay.errors import ConfigError

#: A setting's value as our code sees it: enums by name, bytes decoded, lists as tuples.
Scalar = bool | int | float | str | bytes
Value = Scalar | tuple[Scalar, ...]

#: Top-level keys of the ``--configure`` format, with their camelCase spellings.
_TOP_KEYS = {
    "owner": "owner",
    "owner_short": "owner_short",
    "ownerShort": "owner_short",
    "channel_url": "channel_url",
    "channelUrl": "channel_url",
    "location": "location",
    "config": "config",
    "module_config": "module_config",
}
#: Valid in the ``--configure`` format but never something a noodrelay radio needs.
_NOT_OURS = ("canned_messages", "ringtone")

_SECTIONS: dict[str, Descriptor] = {
    "config": localonly_pb2.LocalConfig.DESCRIPTOR,
    "module_config": localonly_pb2.LocalModuleConfig.DESCRIPTOR,
}
_INT_RANGES = {
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
}
_FLOATS = (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE)
_URL_MARK = "/#"
#: The LoRa settings a channel URL carries that must agree with ``config.lora``.
URL_LORA_KEYS = ("region", "use_preset", "modem_preset", "hop_limit")
#: Meshtastic limits: a long name has at most 39 bytes, a short name 4 characters.
MAX_OWNER_BYTES = 39
MAX_SHORT_CHARS = 4


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a profile: where (a dotted key) and what to change."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ProfileError(ConfigError):
    """A profile with one or more problems; nothing was written to any radio."""

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        self.source = source
        lines = "\n".join(f"  {p}" for p in self.problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{source}: {count} {noun} (nothing was written):\n{lines}")


@dataclass(frozen=True, slots=True)
class Setting:
    """One value of ``config`` or ``module_config``: ``config.lora.region = 'EU_868'``."""

    section: str  # "config" or "module_config"
    group: str  # "lora", "device", "telemetry", ...
    key: tuple[str, ...]  # ("region",), or ("ipv4_config", "ip") for nested messages
    value: Value

    @property
    def path(self) -> str:
        return ".".join((self.section, self.group, *self.key))


@dataclass(frozen=True, slots=True)
class Location:
    lat: float
    lon: float
    alt: int = 0


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """One channel of a ``channel_url`` (the primary comes first)."""

    name: str
    psk: bytes
    uplink: bool = False
    downlink: bool = False
    position_precision: int = 0


@dataclass(frozen=True, slots=True)
class ChannelURL:
    """A parsed ``channel_url``: its channels and the LoRa settings it carries along."""

    url: str
    channels: tuple[ChannelSpec, ...]
    #: ``ChannelSet.lora_config`` as settings under ``config.lora`` (may be empty).
    lora: tuple[Setting, ...] = ()


@dataclass(frozen=True, slots=True)
class Profile:
    source: str
    owner: str | None = None
    owner_short: str | None = None
    channel: ChannelURL | None = None
    location: Location | None = None
    settings: tuple[Setting, ...] = field(default=())

    def get(self, path: str) -> Value | None:
        """The value at a dotted path (``config.lora.region``), or None if not set."""
        for s in self.settings:
            if s.path == path:
                return s.value
        return None

    def groups(self, section: str) -> list[str]:
        """The groups of a section this profile sets, in file order."""
        seen: dict[str, None] = {}
        for s in self.settings:
            if s.section == section:
                seen.setdefault(s.group, None)
        return list(seen)


# --- reading --------------------------------------------------------------------------


def camel_to_snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def read_profile_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no profile at {path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read profile {path}: {err}") from err


def load_profile(path: Path) -> Profile:
    """Read and check a profile file against meshtastic's schema (not yet our policy)."""
    return parse_profile(read_profile_text(path), str(path))


def parse_profile(text: str, source: str) -> Profile:
    profile, problems = read_profile(text, source)
    if problems:
        raise ProfileError(source, problems)
    return profile


def read_profile(text: str, source: str) -> tuple[Profile, list[Problem]]:
    """The profile (without the values that have problems) and the schema problems."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        return Profile(source), [Problem("(file)", f"not valid YAML: {err}")]
    if not isinstance(data, dict):
        return Profile(source), [Problem("(file)", "a profile is a YAML mapping of keys")]
    return read_mapping(data, source)


def profile_from_mapping(data: Mapping[Any, Any], source: str) -> Profile:
    profile, problems = read_mapping(data, source)
    if problems:
        raise ProfileError(source, problems)
    return profile


def read_mapping(data: Mapping[Any, Any], source: str) -> tuple[Profile, list[Problem]]:
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = _TOP_KEYS.get(str(key))
        if name is None:
            problems.append(_unknown_top(str(key)))
        else:
            values[name] = value
    settings: list[Setting] = []
    for section, descriptor in _SECTIONS.items():
        if section in values:
            settings += _section(section, descriptor, values[section], problems)
    profile = Profile(
        source=source,
        owner=_owner(values, "owner", MAX_OWNER_BYTES, problems),
        owner_short=_owner(values, "owner_short", MAX_SHORT_CHARS, problems),
        channel=_channel(values.get("channel_url"), problems),
        location=_location(values.get("location"), problems),
        settings=tuple(settings),
    )
    return profile, problems


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _unknown_top(key: str) -> Problem:
    if key in _NOT_OURS:
        return Problem(key, "noodrelay radios do not use this; remove it")
    return Problem(
        key,
        "not a key of the meshtastic --configure format (owner, owner_short, channel_url, "
        f"location, config, module_config){_suggest(key, _TOP_KEYS)}",
    )


def _owner(values: dict[str, Any], key: str, limit: int, problems: list[Problem]) -> str | None:
    value = values.get(key)
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        problems.append(Problem(key, "must not be empty (leave the key out to keep the radio's)"))
    elif key == "owner" and len(text.encode()) > limit:
        problems.append(Problem(key, f"at most {limit} bytes; shorten {text!r}"))
    elif key == "owner_short" and len(text) > limit:
        problems.append(Problem(key, f"at most {limit} characters; shorten {text!r}"))
    return text or None


def _location(value: Any, problems: list[Problem]) -> Location | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.append(Problem("location", "must be a mapping with lat, lon and alt"))
        return None
    for key in value:
        if key not in ("lat", "lon", "alt"):
            problems.append(Problem(f"location.{key}", "unknown; use lat, lon and alt"))
    lat, lon, alt = value.get("lat"), value.get("lon"), value.get("alt", 0)
    ok = True
    for key, v, low, high in (("lat", lat, -90, 90), ("lon", lon, -180, 180)):
        if isinstance(v, bool) or not isinstance(v, int | float) or not low <= v <= high:
            problems.append(Problem(f"location.{key}", f"must be degrees in [{low}, {high}]"))
            ok = False
    if isinstance(alt, bool) or not isinstance(alt, int):
        problems.append(Problem("location.alt", "must be whole metres above sea level"))
        ok = False
    if not ok or lat is None or lon is None:
        return None
    return Location(float(lat), float(lon), int(alt))


# --- config and module_config against the descriptors ----------------------------------


def _section(
    section: str, descriptor: Descriptor, value: Any, problems: list[Problem]
) -> list[Setting]:
    if not isinstance(value, dict):
        problems.append(Problem(section, "must be a mapping of groups (lora, device, ...)"))
        return []
    groups = {f.name: f for f in descriptor.fields if f.message_type is not None}
    out: list[Setting] = []
    for raw_group, body in value.items():
        group = camel_to_snake(str(raw_group))
        path = f"{section}.{raw_group}"
        fd = groups.get(group)
        if fd is None:
            problems.append(
                Problem(
                    path,
                    f"meshtastic's {descriptor.name} has no group {raw_group!r}"
                    f"{_suggest(group, groups)}",
                )
            )
            continue
        if not isinstance(body, dict):
            problems.append(Problem(path, "must be a mapping of settings"))
            continue
        assert fd.message_type is not None
        out += _fields(section, group, (), fd.message_type, body, path, problems)
    return out


def _fields(
    section: str,
    group: str,
    prefix: tuple[str, ...],
    descriptor: Descriptor,
    body: dict[Any, Any],
    path: str,
    problems: list[Problem],
) -> list[Setting]:
    out: list[Setting] = []
    for raw_key, raw_value in body.items():
        key = camel_to_snake(str(raw_key))
        where = f"{path}.{raw_key}"
        fd = descriptor.fields_by_name.get(key)
        if fd is None:
            problems.append(
                Problem(
                    where,
                    f"meshtastic's {descriptor.name} has no setting {raw_key!r}"
                    f"{_suggest(key, descriptor.fields_by_name)}",
                )
            )
        elif fd.message_type is not None and not fd.is_repeated:
            if isinstance(raw_value, dict):
                nested = (*prefix, key)
                out += _fields(section, group, nested, fd.message_type, raw_value, where, problems)
            else:
                problems.append(Problem(where, f"must be a mapping ({fd.message_type.name})"))
        else:
            value = _value(fd, raw_value, where, problems)
            if value is not None:
                out.append(Setting(section, group, (*prefix, key), value))
    return out


def _value(fd: FieldDescriptor, raw: Any, where: str, problems: list[Problem]) -> Value | None:
    if fd.is_repeated:
        if fd.message_type is not None:
            problems.append(Problem(where, "lists of messages are not supported in profiles"))
            return None
        if not isinstance(raw, list):
            problems.append(Problem(where, "must be a list"))
            return None
        items = [_scalar(fd, item, f"{where}[{i}]", problems) for i, item in enumerate(raw)]
        if any(item is None for item in items):
            return None
        return tuple(item for item in items if item is not None)
    return _scalar(fd, raw, where, problems)


def _scalar(fd: FieldDescriptor, raw: Any, where: str, problems: list[Problem]) -> Scalar | None:
    kind = fd.type
    if kind == FieldDescriptor.TYPE_ENUM:
        return _enum(fd, raw, where, problems)
    if kind == FieldDescriptor.TYPE_BYTES:
        return _bytes(raw, where, problems)
    value, error = _plain(kind, raw)
    if error:
        problems.append(Problem(where, error))
        return None
    return value


def _plain(kind: int, raw: Any) -> tuple[Scalar | None, str]:
    """A bool, number or text value, or the reason it is not one of the kind asked for."""
    if kind == FieldDescriptor.TYPE_BOOL:
        ok = isinstance(raw, bool)
        return (raw, "") if ok else (None, f"must be true or false, not {raw!r}")
    if kind in _INT_RANGES or kind in _FLOATS:
        return _number(kind, raw)
    if kind == FieldDescriptor.TYPE_STRING:
        ok = isinstance(raw, str)
        return (raw, "") if ok else (None, f"must be text, not {raw!r}")
    return None, f"unsupported field type {kind}"


def _number(kind: int, raw: Any) -> tuple[Scalar | None, str]:
    if kind in _FLOATS:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            return None, f"must be a number, not {raw!r}"
        return float(raw), ""
    low, high = _INT_RANGES[kind]
    if isinstance(raw, bool) or not isinstance(raw, int):
        return None, f"must be a whole number, not {raw!r}"
    ok = low <= raw <= high
    return (raw, "") if ok else (None, f"must be between {low} and {high}, not {raw}")


def _enum(fd: FieldDescriptor, raw: Any, where: str, problems: list[Problem]) -> str | None:
    enum = fd.enum_type
    assert enum is not None
    names = [v.name for v in enum.values]
    if isinstance(raw, str) and raw in names:
        return raw
    hint = _suggest(str(raw).upper(), names)
    if isinstance(raw, str) and raw.upper() in names:
        hint = f"; write it in capitals: {raw.upper()}"
    problems.append(
        Problem(
            where,
            f"{raw!r} is not a {enum.name}{hint} (choices: {', '.join(names)})",
        )
    )
    return None


def _bytes(raw: Any, where: str, problems: list[Problem]) -> bytes | None:
    if isinstance(raw, str) and raw.startswith("base64:"):
        try:
            return base64.b64decode(raw[len("base64:") :], validate=True)
        except (binascii.Error, ValueError):
            pass
    problems.append(Problem(where, "must be written as 'base64:...'"))
    return None


# --- channel_url --------------------------------------------------------------------


def decode_channel_url(url: str) -> bytes:
    """The ``ChannelSet`` bytes of a ``https://meshtastic.org/e/#...`` URL."""
    if _URL_MARK not in url:
        raise ValueError("not a Meshtastic channel URL (https://meshtastic.org/e/#...)")
    b64 = url.rsplit(_URL_MARK, 1)[1].strip()
    b64 += "=" * (-len(b64) % 4)
    try:
        return base64.urlsafe_b64decode(b64)
    except (binascii.Error, ValueError) as err:
        raise ValueError(f"the part after '#' is not base64: {err}") from err


def encode_channel_url(channel_set: bytes) -> str:
    b64 = base64.urlsafe_b64encode(channel_set).decode("ascii").rstrip("=")
    return f"https://meshtastic.org/e/#{b64}"


def _channel(value: Any, problems: list[Problem]) -> ChannelURL | None:
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(Problem("channel_url", "must be a https://meshtastic.org/e/#... URL"))
        return None
    try:
        channel_set = apponly_pb2.ChannelSet.FromString(decode_channel_url(value))
    except (DecodeError, ValueError) as err:
        problems.append(Problem("channel_url", f"cannot be decoded: {err}"))
        return None
    channels = tuple(
        ChannelSpec(
            name=s.name,
            psk=bytes(s.psk),
            uplink=s.uplink_enabled,
            downlink=s.downlink_enabled,
            position_precision=s.module_settings.position_precision,
        )
        for s in channel_set.settings
    )
    lora: list[Setting] = []
    if channel_set.HasField("lora_config"):
        # proto3 leaves defaults out (LONG_FAST is 0): read the keys that matter explicitly.
        cfg = channel_set.lora_config
        for name in URL_LORA_KEYS:
            fd = cfg.DESCRIPTOR.fields_by_name[name]
            v = getattr(cfg, name)
            scalar: Value = fd.enum_type.values_by_number[v].name if fd.enum_type else v
            lora.append(Setting("config", "lora", (name,), scalar))
    return ChannelURL(value, channels, tuple(lora))
