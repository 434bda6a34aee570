"""Comparing a profile with what a radio reports, and planning the writes that fix it.

Pure functions over frozen values: the radio's side arrives as a :class:`RadioSnapshot`
(built from protobufs in :mod:`relay.radio.meshtastic_admin`), so the comparison and
the plan (which groups, which channels, whether the role change needs its own step)
are tested without a radio.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from relay.radio.channel import fingerprint
from relay.radio.profile import ChannelSpec, Location, Profile, Value

#: One unit of ``latitude_i``/``longitude_i`` is 1e-7 degrees; the library truncates
#: where ``--configure`` rounds, so allow a few units (well under a centimetre).
POSITION_TOLERANCE_DEG = 5e-7


@dataclass(frozen=True, slots=True)
class ChannelState:
    index: int
    role: str  # "PRIMARY" or "SECONDARY"
    spec: ChannelSpec


@dataclass(frozen=True, slots=True)
class RadioSnapshot:
    """What a radio told us about itself at one moment."""

    node_num: int
    firmware: str
    owner: str
    owner_short: str
    location: Location | None
    #: Enabled channels only.
    channels: tuple[ChannelState, ...]
    #: Every setting of ``config`` and ``module_config`` by dotted path, enums by name.
    values: Mapping[str, Value]

    def get(self, path: str) -> Value | None:
        return self.values.get(path)


@dataclass(frozen=True, slots=True)
class Difference:
    """One thing the radio has otherwise than the profile wants."""

    path: str
    wanted: str
    actual: str

    def __str__(self) -> str:
        return f"{self.path}: radio has {self.actual}, profile wants {self.wanted}"


@dataclass(frozen=True, slots=True)
class WritePlan:
    """What ``relay radio apply`` writes, in which steps."""

    #: Step 1 alone: the role change that makes the firmware reset other settings.
    role_first: str | None
    groups: tuple[tuple[str, str], ...]  # (section, group), device first
    owner: bool
    position: bool
    channels: bool

    @property
    def empty(self) -> bool:
        return not (self.role_first or self.groups or self.owner or self.position or self.channels)


def show(value: Value | None) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _channel_text(spec: ChannelSpec) -> str:
    return f"{spec.name!r} key tag {fingerprint(spec.psk)}" if spec.psk else f"{spec.name!r} no key"


def _same(wanted: Value, actual: Value | None) -> bool:
    if isinstance(wanted, float) and isinstance(actual, int | float):
        return abs(wanted - actual) < 1e-6
    return wanted == actual


def differences(profile: Profile, radio: RadioSnapshot) -> list[Difference]:
    out = [
        Difference(s.path, show(s.value), show(radio.get(s.path)))
        for s in profile.settings
        if not _same(s.value, radio.get(s.path))
    ]
    for key, wanted, actual in (
        ("owner", profile.owner, radio.owner),
        ("owner_short", profile.owner_short, radio.owner_short),
    ):
        if wanted is not None and wanted != actual:
            out.append(Difference(key, repr(wanted), repr(actual)))
    if profile.location is not None and not _same_place(profile.location, radio.location):
        out.append(Difference("location", _place(profile.location), _place(radio.location)))
    out += _channel_differences(profile, radio)
    return out


def _same_place(a: Location, b: Location | None) -> bool:
    return (
        b is not None
        and abs(a.lat - b.lat) <= POSITION_TOLERANCE_DEG
        and abs(a.lon - b.lon) <= POSITION_TOLERANCE_DEG
        and a.alt == b.alt
    )


def _place(loc: Location | None) -> str:
    return "(none)" if loc is None else f"{loc.lat:.6f}, {loc.lon:.6f}, {loc.alt} m"


def _channel_differences(profile: Profile, radio: RadioSnapshot) -> list[Difference]:
    if profile.channel is None:
        return []
    wanted = profile.channel.channels
    have = {c.index: c for c in radio.channels}
    out = []
    for index, spec in enumerate(wanted):
        state = have.get(index)
        if state is None or state.spec.name != spec.name or state.spec.psk != spec.psk:
            actual = "(disabled)" if state is None else _channel_text(state.spec)
            out.append(Difference(f"channel {index}", _channel_text(spec), actual))
    for index, state in sorted(have.items()):
        if index >= len(wanted):
            out.append(Difference(f"channel {index}", "(disabled)", _channel_text(state.spec)))
    return out


def plan(profile: Profile, radio: RadioSnapshot) -> WritePlan:
    diffs = differences(profile, radio)
    paths = {d.path for d in diffs}
    groups: dict[tuple[str, str], None] = {}
    for s in profile.settings:
        if s.path in paths:
            groups.setdefault((s.section, s.group), None)
    ordered = sorted(groups, key=lambda g: (g != ("config", "device"), g[0] != "config"))
    role = profile.get("config.device.role")
    # Switching to ROUTER makes the firmware set rebroadcast_mode CORE_PORTNUMS_ONLY and
    # reset the broadcast intervals (NodeDB::installRoleDefaults): write the role alone
    # first, then everything else over the defaults it installed.
    role_first = None
    if role == "ROUTER" and radio.get("config.device.role") != "ROUTER":
        role_first = "ROUTER"
    return WritePlan(
        role_first=role_first,
        groups=tuple(ordered),
        owner=bool(paths & {"owner", "owner_short"}),
        position="location" in paths,
        channels=any(p.startswith("channel ") for p in paths),
    )
