"""The region's private channel: its key, the file it travels in, and what makes a key unsafe.

Every radio of a safety region shares one private channel. Its key is generated once,
when the region's first node (the hub) is provisioned, and travels to the support
points on the region's USB stick, in a file holding a Meshtastic channel URL
(``https://meshtastic.org/e/#...``, the form the official apps and ``--configure``
understand). It is never committed: the profiles in ``firmware-config/`` are templates
without it, and ``relay radio render`` puts it into a site's profile at provisioning.

A key is unsafe when the firmware would treat it as public (see the firmware's
``Channels::getKey`` and ``cryptoKeyIsPublic``): empty (no encryption), one byte (an
index into the well-known default key family), the 16-byte default key with any last
byte, or a length that the firmware pads with zeros.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from meshtastic.protobuf import apponly_pb2

from relay.errors import ConfigError
from relay.radio.profile import (
    ChannelSpec,
    ChannelURL,
    Problem,
    ProfileError,
    Setting,
    encode_channel_url,
    profile_from_mapping,
)

#: Meshtastic's public default key (firmware ``defaultpsk``); a one-byte key n means this
#: key with its last byte increased by n - 1.
DEFAULT_PSK = bytes.fromhex("d4f1bb3a20290759f0bcffabcf4e6901")
#: A channel name has at most 11 bytes (nanopb ``max_size: 12`` with the terminator).
MAX_NAME_BYTES = 11
KEY_BYTES = 32


def key_problem(psk: bytes) -> str | None:
    """Why ``psk`` must not protect our channel, or None if it is a proper private key."""
    if not psk or psk == b"\x00":
        return "the channel has no key (no encryption); generate one: relay radio channel new"
    if len(psk) == 1:
        return (
            f"key {psk[0]} is an index into Meshtastic's public default keys, which every "
            "Meshtastic user has; generate a private key: relay radio channel new"
        )
    if len(psk) == 16 and psk[:15] == DEFAULT_PSK[:15]:
        return "this is Meshtastic's public default key; generate one: relay radio channel new"
    if len(psk) not in (16, 32):
        return f"a key has 16 or 32 bytes, not {len(psk)} (the firmware pads it with zeros)"
    if psk.count(0) == len(psk):
        return "the key is all zeros; generate one: relay radio channel new"
    return None


def name_problem(name: str) -> str | None:
    if not name:
        return "the channel needs a name (an empty name means the public preset's name)"
    if len(name.encode()) > MAX_NAME_BYTES:
        return f"a channel name has at most {MAX_NAME_BYTES} bytes; shorten {name!r}"
    return None


def fingerprint(psk: bytes) -> str:
    """A short, non-secret tag of a key, so people can compare keys without showing them."""
    return hashlib.sha256(b"noodrelay-channel" + psk).hexdigest()[:8]


def new_channel(name: str, token: Callable[[int], bytes] = secrets.token_bytes) -> ChannelSpec:
    """A fresh private channel with a 256-bit key from the operating system's CSPRNG."""
    problem = name_problem(name)
    if problem:
        raise ConfigError(problem, "--name")
    return ChannelSpec(name=name, psk=token(KEY_BYTES))


def channel_set_bytes(channels: tuple[ChannelSpec, ...], lora: tuple[Setting, ...] = ()) -> bytes:
    """A serialised ``ChannelSet`` (the protobuf behind a channel URL)."""
    cs = apponly_pb2.ChannelSet()
    for spec in channels:
        s = cs.settings.add()
        s.name = spec.name
        s.psk = spec.psk
        s.uplink_enabled = spec.uplink
        s.downlink_enabled = spec.downlink
        s.module_settings.position_precision = spec.position_precision
    for setting in lora:
        fd = cs.lora_config.DESCRIPTOR.fields_by_name[setting.key[0]]
        value = setting.value
        if fd.enum_type is not None and isinstance(value, str):
            value = fd.enum_type.values_by_name[value].number
        if isinstance(value, tuple):
            getattr(cs.lora_config, fd.name)[:] = list(value)
        else:
            setattr(cs.lora_config, fd.name, value)
    return bytes(cs.SerializeToString())


def channel_url(channels: tuple[ChannelSpec, ...], lora: tuple[Setting, ...] = ()) -> ChannelURL:
    url = encode_channel_url(channel_set_bytes(channels, lora))
    return ChannelURL(url, channels, lora)


def save_channel_file(path: Path, spec: ChannelSpec) -> None:
    """Write the channel URL to ``path`` with mode 0600; never overwrite a region's key."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(
            f"{path} exists already: a region has one channel key; reuse it"
        ) from None
    except OSError as err:
        raise ConfigError(f"cannot write {path}: {err.strerror}") from err
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(channel_url((spec,)).url + "\n")


def load_channel_file(path: Path) -> ChannelURL:
    """Read a channel file and refuse it unless it holds exactly one safe private channel."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ConfigError(
            f"no channel file at {path}; the region's channel.url is on the region's USB stick"
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read channel file {path}: {err}") from err
    profile = profile_from_mapping({"channel_url": text}, str(path))
    assert profile.channel is not None
    problems = channel_problems(profile.channel)
    if problems:
        raise ProfileError(str(path), problems)
    return profile.channel


def channel_problems(channel: ChannelURL, where: str = "channel_url") -> list[Problem]:
    """Problems of a channel URL as noodrelay uses it: one named channel, a private key."""
    out: list[Problem] = []
    if len(channel.channels) != 1:
        out.append(
            Problem(
                where,
                f"holds {len(channel.channels)} channels; noodrelay radios carry exactly one "
                "(the region's private channel)",
            )
        )
    for i, spec in enumerate(channel.channels):
        label = f"{where} (channel {i} {spec.name!r})"
        for problem in (name_problem(spec.name), key_problem(spec.psk)):
            if problem:
                out.append(Problem(label, problem))
        if spec.uplink or spec.downlink:
            out.append(Problem(label, "MQTT uplink/downlink must be off"))
    return out
