"""The daemon's config: every mistake names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from relay.daemon.config import load_config
from relay.errors import ConfigError

GOOD = """
role = "point"
name = "np-017"

[radio]
url = "tcp://127.0.0.1:4403"
preset = "LONG_FAST"

[keys]
key = "keys/np-017.key"
cert = "keys/np-017.cert"
keyring = "keys"

[store]
path = "state/relay.db"

[screen]
listen = "0.0.0.0:8080"

[point]
id = 17
groups = ["oost"]

[intervals]
status_s = 900

[help]
retention_days = 2
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "relay.toml"
    path.write_text(text)
    return path


def test_good_config(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, GOOD))
    assert cfg.role == "point" and cfg.point_id == 17
    assert cfg.key == tmp_path / "keys" / "np-017.key"
    assert cfg.engine.status_interval_s == 900
    assert cfg.control_url == "http://127.0.0.1:8080"
    assert cfg.groups == ("oost",)
    assert cfg.help_retention_s == 2 * 86400


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('role = "point"', 'role = "relay"'), "role"),
        (('url = "tcp://127.0.0.1:4403"\n', ""), "radio.url"),
        (('preset = "LONG_FAST"', 'preset = "LONG_FASTER"'), "radio.preset"),
        (("id = 17", 'id = "17"'), "point.id"),
        (("id = 17", "id = 0"), "point.id"),
        (('listen = "0.0.0.0:8080"', 'listen = "8080"'), "screen.listen"),
        (("status_s = 900", "status_s = -5"), "intervals.status_s"),
        (("status_s = 900", "staus_s = 900"), "intervals.staus_s"),
        (('[store]\npath = "state/relay.db"', '[store]\npath = "x"\npth = "y"'), "store.pth"),
        (("retention_days = 2", "retention_days = -1"), "help.retention_days"),
        (("retention_days = 2", "retention_days = 400"), "help.retention_days"),
        (("retention_days = 2", 'retention_days = "week"'), "help.retention_days"),
        (("retention_days = 2", "retain_days = 2"), "help.retain_days"),
    ],
)
def test_bad_key_is_named(tmp_path: Path, change: tuple[str, str], key: str) -> None:
    text = GOOD.replace(*change)
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert str(info.value).startswith(f"{key}:"), str(info.value)


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no configuration file"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "role = \n"))
