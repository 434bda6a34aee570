"""Writing a node's ``relay.toml`` (the format of :mod:`relay.daemon.config`).

The text is generated, then parsed back with the daemon's own validator before it
is written, so provisioning can never leave a config the daemon refuses.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from relay.daemon.config import DaemonConfig, parse_config
from relay.provision.layout import Layout


@dataclass(frozen=True, slots=True)
class NodeSettings:
    role: str  # "hub" or "point"
    name: str
    radio_url: str
    preset: str
    listen: str = "127.0.0.1:8080"
    point_id: int = 0
    groups: tuple[str, ...] = ()


def _s(value: str | Path) -> str:
    """A TOML basic string (JSON's escaping is valid TOML for these values)."""
    return json.dumps(str(value), ensure_ascii=False)


def config_text(node: NodeSettings, layout: Layout) -> str:
    lines = [
        f"# noodrelay {node.role} {node.name} (written by relay provision)",
        f"role = {_s(node.role)}",
        f"name = {_s(node.name)}",
        "",
        "[radio]",
        f"url = {_s(node.radio_url)}",
        f"preset = {_s(node.preset)}  # must match the radio profile (relay doctor checks)",
        "",
        "[keys]",
        f"key = {_s(layout.key(node.name))}",
        f"cert = {_s(layout.cert(node.name))}",
        f"keyring = {_s(layout.keyring)}",
        "",
        "[store]",
        f"path = {_s(layout.store)}",
        "",
        "[screen]",
        f"listen = {_s(node.listen)}",
        f"token_file = {_s(layout.token)}",
    ]
    if node.role == "point":
        groups = ", ".join(_s(g) for g in node.groups)
        lines += ["", "[point]", f"id = {node.point_id}", f"groups = [{groups}]"]
        lines += [
            "",
            "[help]",
            "# Days a closed help request's personal data stays on this point (0: erase at once).",
            "retention_days = 7",
        ]
    return "\n".join(lines) + "\n"


def checked_config(node: NodeSettings, layout: Layout) -> tuple[DaemonConfig, str]:
    """The text of ``relay.toml`` and the daemon's reading of it."""
    text = config_text(node, layout)
    return parse_config(tomllib.loads(text), layout.config), text
