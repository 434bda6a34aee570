"""``[federation]`` in relay.toml: a good table, and every mistake as one line naming
its key (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from relay.daemon.config import load_config
from relay.errors import ConfigError

HUB = """
role = "hub"
name = "hub-utrecht"

[radio]
url = "tcp://127.0.0.1:4403"

[keys]
key = "keys/hub.key"
cert = "keys/hub.cert"
keyring = "keys"

[store]
path = "relay.db"

[federation]
"""


def load(tmp_path: Path, federation: str, head: str = HUB) -> object:
    path = tmp_path / "relay.toml"
    path.write_text(head + federation)
    return load_config(path).federation


def test_hub_federation(tmp_path: Path) -> None:
    secret = tmp_path / "mqtt.pw"
    secret.write_text("s3cret\n")
    secret.chmod(0o600)
    fed = load(
        tmp_path,
        'broker = "mqtt://10.0.0.5"\nregion = "utrecht"\nusername = "u"\n'
        'password_file = "mqtt.pw"\n',
    )
    assert fed is not None
    assert (fed.host, fed.port, fed.tls) == ("10.0.0.5", 1883, False)  # type: ignore[attr-defined]
    assert fed.client_id == "hub-utrecht"  # type: ignore[attr-defined]
    assert fed.topic_prefix == "noodrelay/nl"  # type: ignore[attr-defined]
    assert fed.password() == "s3cret"  # type: ignore[attr-defined]


def test_national_node_needs_no_radio(tmp_path: Path) -> None:
    (tmp_path / "utrecht-root.pub").write_text("x")
    head = HUB.replace('role = "hub"', 'role = "national"').replace(
        '[radio]\nurl = "tcp://127.0.0.1:4403"\n', ""
    )
    fed = load(
        tmp_path, 'broker = "mqtts://broker.example:8883"\n[federation.regions]\n'
        'utrecht = "utrecht-root.pub"\n', head
    )  # fmt: skip
    assert fed is not None and fed.region == "national"  # type: ignore[attr-defined]
    assert fed.tls and fed.regions == {"utrecht": tmp_path / "utrecht-root.pub"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('region = "utrecht"\n', "federation.broker"),
        ('broker = "http://x"\nregion = "utrecht"\n', "federation.broker"),
        ('broker = "mqtt://u:p@x"\nregion = "utrecht"\n', "federation.broker"),
        ('broker = "mqtt://x"\n', "federation.region"),
        ('broker = "mqtt://x"\nregion = "Utrecht Stad"\n', "federation.region"),
        ('broker = "mqtt://x"\nregion = "national"\n', "federation.region"),
        ('broker = "mqtt://x"\nregion = "u"\ntopic_prefix = "a/#"\n', "federation.topic_prefix"),
        ('broker = "mqtt://x"\nregion = "u"\nca_file = "nope.pem"\n', "federation.ca_file"),
        ('broker = "mqtt://x"\nregion = "u"\npassword_file = "nope"\n', "federation.password_file"),
        ('broker = "mqtt://x"\nregion = "u"\nsummary_every_s = 0\n', "federation.summary_every_s"),
        ('broker = "mqtt://x"\nregion = "u"\nbrokr = "mqtt://y"\n', "federation.brokr"),
        (
            'broker = "mqtt://x"\nregion = "u"\n[federation.regions]\nx = "y"\n',
            "federation.regions",
        ),
    ],
)
def test_mistakes_name_their_key(tmp_path: Path, table: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, table)
    assert info.value.key == key or str(info.value).startswith(key), str(info.value)
    assert "\n" not in str(info.value)


def test_password_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "mqtt.pw"
    secret.write_text("s3cret\n")
    secret.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load(
            tmp_path,
            'broker = "mqtt://x"\nregion = "u"\nusername = "u"\npassword_file = "mqtt.pw"\n',
        )


def test_a_point_does_not_federate(tmp_path: Path) -> None:
    head = HUB.replace('role = "hub"', 'role = "point"').replace(
        "[federation]\n", "[point]\nid = 3\n[federation]\n"
    )
    with pytest.raises(ConfigError, match=r"^federation:"):
        load(tmp_path, 'broker = "mqtt://x"\nregion = "u"\n', head)
