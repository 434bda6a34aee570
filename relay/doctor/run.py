"""Running every check in order; a failing check never stops the ones after it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from relay.daemon.config import DaemonConfig, load_config
from relay.doctor import live, local
from relay.doctor.report import Result
from relay.errors import RelayError
from relay.wire import hubtime


@dataclass(frozen=True, slots=True)
class Options:
    config: Path
    #: The radio profile (default: radio.yaml beside the config).
    profile: Path | None = None
    #: Look at a node installed below this directory (an SD card, a test's --root).
    root: Path = Path("/")
    radio_timeout: float = 20.0


def rerooted(config: DaemonConfig, root: Path) -> DaemonConfig:
    """The config with its absolute paths looked up below ``root``."""
    if root == Path("/"):
        return config

    def at(p: Path) -> Path:
        return p if p.is_relative_to(root) else root / p.relative_to("/")

    return replace(
        config,
        key=at(config.key),
        cert=at(config.cert),
        keyring=at(config.keyring),
        store=at(config.store),
        token_file=at(config.token_file),
    )


def run(options: Options, now_unix: float) -> list[Result]:
    path = options.config
    try:
        config = rerooted(load_config(path), options.root)
    except RelayError as err:
        return [Result.fail("config", str(err), f"fix {path}, or provision again")]
    who = f"point {config.point_id}" if not config.is_hub else "hub"
    results = [Result.ok("config", f"{path}: {config.name} ({who}), radio {config.radio_url}")]
    state = live.daemon_state(config)
    key_result, key = local.key(config)
    results.append(live.daemon(config, state, key.key_id if key else None))
    profile_path = options.profile or path.parent / "radio.yaml"
    result, profile = local.profile(config, profile_path)
    results += [result, key_result]
    hub_time = state.get("hub_time") if state else None
    now, clock_name = (
        (int(hub_time), "hub's time") if hub_time else (hubtime.from_unix(now_unix), "local clock")
    )
    result, _cert, signed_at = local.certificate(config, key, now, clock_name)
    results += [
        result,
        local.keyring(config, now),
        local.store(config),
        local.disk(config),
        live.contact(config, state),
        local.clock(now_unix, int(hub_time) if hub_time else None, signed_at),
    ]
    results += live.radio(config, state, profile, options.radio_timeout)
    return results
