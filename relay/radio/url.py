"""Choosing a transport by URL. (Interim table: the radio-layer branch brings serial/tcp/sim.)"""

from __future__ import annotations

from urllib.parse import urlsplit

from relay.errors import TransportURLError
from relay.radio.loopback import LoopbackRegistry, LoopbackTransport
from relay.radio.transport import Transport


def open_transport(url: str, *, loopback: LoopbackRegistry | None = None) -> Transport:
    """``loop://channel/NODE`` (hex node number or a name hashed to one)."""
    parts = urlsplit(url)
    if parts.scheme != "loop":
        raise TransportURLError(f"{url}: scheme {parts.scheme!r} is not available in this build")
    if loopback is None:
        raise TransportURLError("loop:// needs a loopback registry (in-process nodes only)")
    name = parts.path.strip("/") or "0"
    try:
        num = int(name, 16)
    except ValueError:
        num = sum(name.encode()) * 2654435761 % 0xFFFFFFF0
    return LoopbackTransport(loopback.channel(parts.netloc or "air"), num)
