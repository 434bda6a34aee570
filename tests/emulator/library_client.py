"""The unmodified ``meshtastic`` library as a test client, used the way its notes say.

Listeners are bound methods of this object (pypubsub holds weak references), filter on
``interface is ours``, only *collect* (assertions happen in the test thread), and are
unsubscribed on close. Closing waits for the first heartbeat's answer first.
"""

from __future__ import annotations

import threading
from typing import Any

from pubsub import pub

from tests.helpers import eventually, in_thread

TOPICS = ("meshtastic.receive", "meshtastic.connection.lost")


class LibraryClient:
    def __init__(self) -> None:
        self.iface: Any = None
        self._lock = threading.Lock()
        self._packets: list[dict[str, Any]] = []
        self.lost = 0

    @classmethod
    async def tcp(cls, port: int) -> LibraryClient:
        from meshtastic.tcp_interface import TCPInterface

        client = cls()
        client._subscribe()
        client.iface = await in_thread(lambda: TCPInterface("127.0.0.1", portNumber=port))
        await client._first_heartbeat()
        return client

    @classmethod
    async def serial(cls, path: str) -> LibraryClient:
        from meshtastic.serial_interface import SerialInterface

        client = cls()
        client._subscribe()
        client.iface = await in_thread(lambda: SerialInterface(devPath=path))
        await client._first_heartbeat()
        return client

    def _subscribe(self) -> None:
        pub.subscribe(self._on_receive, "meshtastic.receive")
        pub.subscribe(self._on_lost, "meshtastic.connection.lost")

    async def _first_heartbeat(self) -> None:
        # The device answers the heartbeat sent at the end of the handshake with a
        # QueueStatus; closing before that races the library's heartbeat write.
        await eventually(lambda: self.iface.queueStatus is not None, what="heartbeat answered")

    # pubsub listeners: collect only
    def _on_receive(self, packet: dict[str, Any], interface: Any) -> None:
        if interface is self.iface:
            with self._lock:
                self._packets.append(packet)

    def _on_lost(self, interface: Any) -> None:
        if interface is self.iface:
            self.lost += 1

    def packets(self, portnum: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            found = list(self._packets)
        if portnum is None:
            return found
        return [p for p in found if p.get("decoded", {}).get("portnum") == portnum]

    def routing_for(self, request_id: int) -> list[dict[str, Any]]:
        return [
            p for p in self.packets("ROUTING_APP") if p["decoded"].get("requestId") == request_id
        ]

    async def close(self) -> None:
        try:
            if self.iface is not None:
                await in_thread(self.iface.close)
        finally:
            pub.unsubscribe(self._on_receive, "meshtastic.receive")
            pub.unsubscribe(self._on_lost, "meshtastic.connection.lost")
