"""After a commit a real radio reboots: the read-back waits for it to come back."""

from __future__ import annotations

import threading

import pytest

from relay.errors import RadioConnectError
from relay.radio import meshtastic_admin as admin
from tests.helpers import free_port
from tests.radio.emulated import SITE_NUM, EmulatedSite


def test_reconnect_waits_for_a_radio_that_is_not_up_yet() -> None:
    port = free_port()
    site = EmulatedSite(tcp_port=port)
    starter = threading.Timer(1.0, site.start)  # the radio "reboots" for a second
    messages: list[str] = []
    starter.start()
    try:
        radio = admin.reconnect(
            f"tcp://127.0.0.1:{port}", deadline_s=30, timeout=10, progress=messages.append
        )
        try:
            assert radio.snapshot().node_num == SITE_NUM
        finally:
            radio.close()
    finally:
        starter.join()
        site.stop()
    assert any("waiting for the radio to come back" in m for m in messages)


def test_reconnect_gives_up_with_a_clear_message() -> None:
    url = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(RadioConnectError, match="did not come back within 2 s"):
        admin.reconnect(url, deadline_s=2, timeout=2, progress=lambda _text: None)
