"""Turning a profile template into one site's profile: names, position, the channel key.

The output is again a ``meshtastic --configure`` file, complete enough that
``relay radio apply`` (or the official ``meshtastic --configure``) sets the radio up
without further questions. It holds the region's channel key, so it is written with
mode 0600 and never committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from relay.atomic import write_atomic
from relay.radio.channel import channel_url
from relay.radio.policy import checked_text, load_checked
from relay.radio.profile import (
    URL_LORA_KEYS,
    ChannelURL,
    Location,
    Profile,
)


@dataclass(frozen=True, slots=True)
class Site:
    """What makes a template one site's profile."""

    owner: str
    owner_short: str
    location: Location
    channel: ChannelURL


def render(template_path: Path, site: Site) -> tuple[Profile, str]:
    """The checked site profile and its YAML text (the template is checked first)."""
    template = load_checked(template_path, complete=False)
    data: dict[str, Any] = yaml.safe_load(template_path.read_text(encoding="utf-8"))
    lora = tuple(s for s in template.settings if s.group == "lora" and s.key[0] in URL_LORA_KEYS)
    url = channel_url(site.channel.channels, lora).url
    out: dict[str, Any] = {
        "owner": site.owner,
        "owner_short": site.owner_short,
        "channel_url": url,
        "location": {"lat": site.location.lat, "lon": site.location.lon, "alt": site.location.alt},
    }
    out.update((k, v) for k, v in data.items() if k not in out)
    text = (
        f"# noodrelay radio profile for {site.owner}, rendered from {template_path.name}.\n"
        "# It holds the region's channel key: keep it mode 0600, never commit or share it.\n"
        + yaml.safe_dump(out, sort_keys=False, allow_unicode=True)
    )
    profile = checked_text(text, str(template_path), complete=True)
    return profile, text


def write_profile(path: Path, text: str) -> None:
    write_atomic(path, text, mode=0o600)
