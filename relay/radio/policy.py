"""What makes a schema-valid profile right for a noodrelay radio.

Meshtastic accepts many settings that break our network without a sound: another
region's band, a custom modem that the airtime budget knows nothing of, a duty-cycle
override (illegal in EU_868), a ROUTER whose rebroadcast mode drops our private port,
GPS and "smart" position broadcasts eating the airtime the bulletins need, a radio
that refuses the Pi's serial link. Each rule here names the key and the fix.

Two levels: a *template* (the files in ``firmware-config/``) leaves out what belongs to
one site (owner names, position, the region's channel key); a *complete* profile (what
``relay radio render`` and ``relay provision`` write) has them, and only a complete
profile is ever written to a radio.
"""

from __future__ import annotations

from pathlib import Path

from relay.airtime import PRESETS
from relay.radio.channel import channel_problems
from relay.radio.profile import (
    Problem,
    Profile,
    ProfileError,
    Value,
    read_profile,
    read_profile_text,
)

REGION = "EU_868"
#: Roles a noodrelay radio may have: Pi-attached nodes, and relay sites.
PI_ROLES = ("CLIENT", "CLIENT_MUTE")
RELAY_ROLES = ("ROUTER", "ROUTER_LATE")
ROLES = PI_ROLES + RELAY_ROLES
#: Rebroadcast modes that drop packets on our private port 256 (or everything).
_DROPS_OUR_PORT = ("LOCAL_ONLY", "KNOWN_ONLY", "NONE", "CORE_PORTNUMS_ONLY")
MAX_HOPS = 7

#: Every profile sets these: the radio keeps its own value for a key left out, and
#: for these keys the firmware's default is wrong for us.
REQUIRED: dict[str, str] = {
    "config.lora.region": f"region: {REGION}",
    "config.lora.use_preset": "use_preset: true",
    "config.lora.modem_preset": "modem_preset: LONG_FAST",
    "config.lora.hop_limit": "hop_limit: 3",
    "config.device.role": "role: CLIENT_MUTE",
    "config.device.node_info_broadcast_secs": "node_info_broadcast_secs: 43200",
    "config.position.fixed_position": "fixed_position: true",
    "config.position.position_broadcast_smart_enabled": "position_broadcast_smart_enabled: false",
    "config.position.position_broadcast_secs": "position_broadcast_secs: 43200",
    "module_config.telemetry.device_update_interval": "device_update_interval: 86400",
}
#: Background broadcasts, tuned down: at LONG_FAST each one costs ~1 s of everyone's
#: airtime per hop; the defaults (node info 3 h, position and telemetry hourly) add up
#: to a large share of a 150-node region's channel.
MIN_INTERVALS: dict[str, int] = {
    "config.device.node_info_broadcast_secs": 3 * 3600,
    "config.position.position_broadcast_secs": 6 * 3600,
    "module_config.telemetry.device_update_interval": 6 * 3600,
}
#: Settings whose value is forced.
_FORBIDDEN: dict[str, tuple[Value, str]] = {
    "config.lora.override_duty_cycle": (
        True,
        "EU_868 allows a 10 % duty cycle and the firmware must enforce it; "
        "set override_duty_cycle: false",
    ),
    "config.lora.tx_enabled": (False, "a radio that cannot transmit; set tx_enabled: true"),
    "config.lora.config_ok_to_mqtt": (True, "no MQTT in noodrelay; set config_ok_to_mqtt: false"),
    "module_config.mqtt.enabled": (True, "no MQTT in noodrelay; set enabled: false"),
    "config.security.is_managed": (
        True,
        "a managed radio refuses configuration from the Pi; set is_managed: false",
    ),
    "config.position.position_broadcast_smart_enabled": (
        True,
        "a fixed site does not move; set position_broadcast_smart_enabled: false",
    ),
    "config.position.fixed_position": (
        False,
        "support points and relay sites do not move; set fixed_position: true and give "
        "the site's location",
    ),
}


def _show(value: Value | None) -> str:
    """A setting's value for a message (never bytes' b'...' spelling)."""
    if isinstance(value, bytes):
        return "<bytes>"
    return str(value)


def policy_problems(profile: Profile, *, complete: bool) -> list[Problem]:
    out = _required(profile)
    out += _lora(profile)
    out += _role(profile)
    out += _forbidden(profile)
    out += _intervals(profile)
    if profile.channel is not None:
        out += channel_problems(profile.channel)
        out += _channel_lora(profile)
    if complete:
        out += _site(profile)
    return out


def load_checked(path: Path, *, complete: bool) -> Profile:
    """Read ``path`` and apply schema and policy; every problem of both is reported at once."""
    return checked_text(read_profile_text(path), str(path), complete=complete)


def checked_text(text: str, source: str, *, complete: bool) -> Profile:
    profile, problems = read_profile(text, source)
    broken = {p.path for p in problems}
    # A value refused by the schema is not also "missing".
    problems += [p for p in policy_problems(profile, complete=complete) if p.path not in broken]
    if problems:
        raise ProfileError(source, problems)
    return profile


def check_profile(profile: Profile, *, complete: bool) -> Profile:
    """Return ``profile`` if it follows every rule; raise :class:`ProfileError` otherwise."""
    problems = policy_problems(profile, complete=complete)
    if problems:
        raise ProfileError(profile.source, problems)
    return profile


def _required(profile: Profile) -> list[Problem]:
    return [
        Problem(path, f"missing; noodrelay profiles set it (e.g. {example})")
        for path, example in REQUIRED.items()
        if profile.get(path) is None
    ]


def _lora(profile: Profile) -> list[Problem]:
    out = []
    region = profile.get("config.lora.region")
    if region is not None and region != REGION:
        out.append(
            Problem(
                "config.lora.region",
                f"{_show(region)} is not the Dutch band; noodrelay radios use {REGION} "
                "(869.4-869.65 MHz, 10 % duty cycle): set region: EU_868",
            )
        )
    if profile.get("config.lora.use_preset") is False:
        out.append(
            Problem(
                "config.lora.use_preset",
                "custom LoRa parameters are not supported (the airtime budget works from the "
                "presets); set use_preset: true",
            )
        )
    preset = profile.get("config.lora.modem_preset")
    if preset is not None and preset not in PRESETS:
        out.append(
            Problem(
                "config.lora.modem_preset",
                f"noodrelay has no airtime model for {_show(preset)}; "
                f"use one of {', '.join(PRESETS)}",
            )
        )
    hops = profile.get("config.lora.hop_limit")
    if isinstance(hops, int) and not 1 <= hops <= MAX_HOPS:
        out.append(Problem("config.lora.hop_limit", f"must be 1..{MAX_HOPS} (the region uses 3)"))
    return out


def _role(profile: Profile) -> list[Problem]:
    role = profile.get("config.device.role")
    mode = profile.get("config.device.rebroadcast_mode")
    out = []
    if role is not None and role not in ROLES:
        out.append(
            Problem(
                "config.device.role",
                f"{_show(role)} is not a noodrelay role; a Pi-attached radio is CLIENT or "
                "CLIENT_MUTE, a relay site ROUTER_LATE (or ROUTER)",
            )
        )
    if role == "ROUTER" and mode != "ALL":
        out.append(
            Problem(
                "config.device.rebroadcast_mode",
                "a ROUTER must set rebroadcast_mode: ALL (switching to ROUTER sets "
                "CORE_PORTNUMS_ONLY, which drops our private port); relay radio apply writes "
                "it in a second step after the role change",
            )
        )
    elif mode in _DROPS_OUR_PORT and role != "CLIENT_MUTE":
        out.append(
            Problem(
                "config.device.rebroadcast_mode",
                f"{_show(mode)} does not relay noodrelay's private port 256; "
                "set rebroadcast_mode: ALL",
            )
        )
    serial = profile.get("config.security.serial_enabled")
    if role in PI_ROLES and serial is False:
        out.append(
            Problem(
                "config.security.serial_enabled",
                "the Pi talks to this radio over USB serial; set serial_enabled: true",
            )
        )
    gps = profile.get("config.position.gps_mode")
    if gps == "ENABLED":
        out.append(
            Problem(
                "config.position.gps_mode",
                "a fixed site uses its fixed position; set gps_mode: DISABLED",
            )
        )
    return out


def _forbidden(profile: Profile) -> list[Problem]:
    return [
        Problem(path, message)
        for path, (bad, message) in _FORBIDDEN.items()
        if profile.get(path) == bad and profile.get(path) is not None
    ]


def _intervals(profile: Profile) -> list[Problem]:
    out = []
    for path, minimum in MIN_INTERVALS.items():
        value = profile.get(path)
        # 0 means "the firmware's default", which is the frequent one.
        if isinstance(value, int) and value < minimum:
            out.append(
                Problem(
                    path,
                    f"{value} s broadcasts too often for a shared LoRa channel; "
                    f"use at least {minimum} s ({minimum // 3600} h)",
                )
            )
    return out


def _channel_lora(profile: Profile) -> list[Problem]:
    """A channel URL also carries LoRa settings; ``--configure`` writes both, so they agree."""
    assert profile.channel is not None
    out = []
    for setting in profile.channel.lora:
        ours = profile.get(setting.path)
        if ours is not None and ours != setting.value:
            out.append(
                Problem(
                    "channel_url",
                    f"carries lora {setting.key[0]} {_show(setting.value)} but {setting.path} "
                    f"is {_show(ours)}; render the profile again (relay radio render) so they "
                    "agree",
                )
            )
    return out


def _site(profile: Profile) -> list[Problem]:
    out = []
    if profile.channel is None:
        out.append(
            Problem(
                "channel_url",
                "missing: this is a template without the region's channel key; render it for "
                "the site: relay radio render PROFILE --channel STICK/channel.url ... "
                "(relay provision does this)",
            )
        )
    if profile.owner is None or profile.owner_short is None:
        out.append(
            Problem(
                "owner",
                "the site's names are missing (owner and owner_short); render the profile "
                "with --owner and --short",
            )
        )
    if profile.location is None and profile.get("config.position.fixed_position") is True:
        out.append(
            Problem(
                "location",
                "fixed_position needs the site's lat, lon and alt; render with --lat --lon --alt",
            )
        )
    return out
