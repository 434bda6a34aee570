"""``mqtts://`` with a CA file and a username with a 0600 password file, against a real
mosquitto with a TLS listener and a password file (issue 13); a wrong password is a
broker error the link reports and retries, never a crash."""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from relay.daemon import ops
from relay.demo.inprocess import InProcessRegion
from relay.federation.config import FederationConfig
from relay.wire.model import Bulletin, LocalizedText
from tests.federation.broker import Broker
from tests.federation.listener import Listener
from tests.helpers import eventually


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def make_ca_and_server(directory: Path) -> None:
    """A test CA and a server certificate for 127.0.0.1, as an operator's PKI would."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "noodrelay test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (directory / "server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    (directory / "server.key").write_bytes(_pem(key))


@pytest.fixture
def tls_broker(tmp_path: Path) -> Iterator[Broker]:
    d = tmp_path / "tls-broker"
    make_ca_and_server(d)
    subprocess.run(
        ["mosquitto_passwd", "-b", "-c", str(d / "passwd"), "hub-utrecht", "s3cret"], check=True
    )
    (d / "passwd").chmod(0o600)
    extra = (
        f"cafile {d}/ca.pem\ncertfile {d}/server.pem\nkeyfile {d}/server.key\n"
        f"password_file {d}/passwd\n"
    )
    b = Broker(d, extra, anonymous=False)
    b.start()
    yield b
    b.stop()


def _tls(broker: Broker, tmp_path: Path, client_id: str, password: str) -> FederationConfig:
    secret = tmp_path / f"{client_id}.pw"
    secret.write_text(password + "\n")
    secret.chmod(0o600)
    return dataclasses.replace(
        broker.config("utrecht", client_id),
        tls=True,
        ca_file=broker.directory / "ca.pem",
        username="hub-utrecht",
        password_file=secret,
    )


async def test_mqtts_with_a_ca_file_and_a_password(
    cluster: InProcessRegion, tls_broker: Broker, tmp_path: Path
) -> None:
    cluster.federations["hub-utrecht"] = _tls(tls_broker, tmp_path, "hub-utrecht", "s3cret")
    third_config = _tls(tls_broker, tmp_path, "third", "s3cret")
    async with Listener(third_config, "noodrelay/test/utrecht/bulletin") as third:
        hub = await cluster.start("hub-utrecht", "hub")
        ops.issue(hub, Bulletin(texts=(LocalizedText("nl", "", "Via TLS"),)))
        await eventually(lambda: third.on("/bulletin"), 30, "a bulletin over TLS")


async def test_a_wrong_password_is_reported_and_retried(
    cluster: InProcessRegion, tls_broker: Broker, tmp_path: Path
) -> None:
    cluster.federations["hub-utrecht"] = _tls(tls_broker, tmp_path, "hub-utrecht", "wrong")
    hub = await cluster.start("hub-utrecht", "hub")
    fed = hub.federation
    assert fed is not None
    await eventually(lambda: fed.link.health.last_error, 30, "the broker's refusal")
    state = hub.state()["federation"]
    assert state["link"] != "connected" and state["connects"] == 0
    assert "authori" in state["last_error"].lower() or "password" in state["last_error"].lower()
