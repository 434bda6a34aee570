"""Radio URLs: the scheme table and its error messages."""

from __future__ import annotations

import pytest

from relay.errors import TransportURLError
from relay.radio.meshtastic_adapter import MeshtasticTransport
from relay.radio.meshtastic_link import SerialEndpoint, TcpEndpoint
from relay.radio.url import open_transport


def test_serial_url() -> None:
    transport = open_transport("serial:///dev/ttyACM0")
    assert isinstance(transport, MeshtasticTransport)
    assert transport.endpoint == SerialEndpoint("/dev/ttyACM0")


def test_tcp_url_default_port() -> None:
    transport = open_transport("tcp://192.168.1.20")
    assert isinstance(transport, MeshtasticTransport)
    assert transport.endpoint == TcpEndpoint("192.168.1.20", 4403)


def test_tcp_url_with_port() -> None:
    transport = open_transport("tcp://meshtasticd.local:4404/")
    assert isinstance(transport, MeshtasticTransport)
    assert transport.endpoint == TcpEndpoint("meshtasticd.local", 4404)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/dev/ttyACM0", "not a radio URL"),
        ("usb:///dev/ttyACM0", "unknown scheme 'usb'"),
        ("serial://dev/ttyACM0", "three slashes"),
        ("serial://", "no serial device path"),
        ("tcp://", "no host"),
        ("tcp://host:99999", "bad port"),
        ("tcp://host:0", "port 0"),
        ("tcp://host:4403/api", "unexpected path"),
        ("tcp://host?timeout=3", "no ?query"),
        ("sim://", "one node name"),
        ("sim://hub", "needs a running simulated air"),
    ],
)
def test_bad_urls_say_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(TransportURLError, match=message.replace("?", r"\?")):
        open_transport(url)


def test_loop_url() -> None:
    from relay.radio.loopback import LoopbackRegistry, LoopbackTransport

    transport = open_transport("loop://air/7e570001", loopback=LoopbackRegistry())
    assert isinstance(transport, LoopbackTransport)


def test_loop_url_needs_a_registry() -> None:
    with pytest.raises(TransportURLError, match="loopback registry"):
        open_transport("loop://air/hub")
