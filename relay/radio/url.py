"""Radio URLs: which :class:`~relay.radio.transport.Transport` to build, from one string.

==============================  ==================================================
``serial:///dev/ttyACM0``       a radio on USB serial (``meshtastic`` SerialInterface)
``tcp://host`` / ``tcp://host:4403``  a radio or ``meshtasticd`` over TCP (default port 4403)
``sim://node-name``             a node of a running simulated air (in-process)
``loop://channel/NODE``         the in-process loopback radio (daemon and screen tests)
==============================  ==================================================

The scheme table is the only place that knows the implementations; each is imported
when used, so ``sim://`` does not load the ``meshtastic`` library and ``tcp://`` does
not load the simulator.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urlsplit

from relay.errors import ConfigError, TransportURLError
from relay.radio.transport import Transport

if TYPE_CHECKING:
    from relay.radio.loopback import LoopbackRegistry
    from relay.radio.meshtastic_adapter import AdapterOptions
    from relay.sim.realtime import RealtimeAir

DEFAULT_TCP_PORT = 4403


@dataclass(frozen=True, slots=True)
class TransportContext:
    """What some schemes need besides the URL."""

    #: The running simulated air, for ``sim://``.
    air: RealtimeAir | None = None
    #: The in-process loopback channels, for ``loop://``.
    loopback: LoopbackRegistry | None = None
    #: Timeouts and backoff for ``serial://`` and ``tcp://``.
    meshtastic: AdapterOptions | None = None
    rng: random.Random | None = None


def _serial(url: SplitResult, raw: str, ctx: TransportContext) -> Transport:
    from relay.radio.meshtastic_adapter import MeshtasticTransport
    from relay.radio.meshtastic_link import SerialEndpoint

    if url.netloc:
        raise TransportURLError(
            f"{raw!r}: a serial URL has three slashes and a device path, "
            f"e.g. serial:///dev/ttyACM0 (got host {url.netloc!r})"
        )
    if not url.path or url.path == "/":
        raise TransportURLError(f"{raw!r}: no serial device path (serial:///dev/ttyACM0)")
    _no_extras(url, raw)
    return MeshtasticTransport(SerialEndpoint(url.path), options=ctx.meshtastic, rng=ctx.rng)


def _tcp(url: SplitResult, raw: str, ctx: TransportContext) -> Transport:
    from relay.radio.meshtastic_adapter import MeshtasticTransport
    from relay.radio.meshtastic_link import TcpEndpoint

    if not url.hostname:
        raise TransportURLError(f"{raw!r}: no host (tcp://192.168.1.20 or tcp://host:4403)")
    try:
        port = url.port
    except ValueError as err:
        raise TransportURLError(f"{raw!r}: bad port ({err})") from None
    if port == 0:
        raise TransportURLError(f"{raw!r}: port 0 is not a port")
    if url.path not in ("", "/"):
        raise TransportURLError(f"{raw!r}: unexpected path {url.path!r} after the host")
    _no_extras(url, raw)
    endpoint = TcpEndpoint(url.hostname, port or DEFAULT_TCP_PORT)
    return MeshtasticTransport(endpoint, options=ctx.meshtastic, rng=ctx.rng)


def _sim(url: SplitResult, raw: str, ctx: TransportContext) -> Transport:
    name = url.netloc
    if not name or url.path not in ("", "/"):
        raise TransportURLError(f"{raw!r}: give one node name, e.g. sim://hub")
    _no_extras(url, raw)
    if ctx.air is None:
        raise TransportURLError(f"{raw!r}: sim:// needs a running simulated air in-process")
    from relay.radio.sim_transport import SimTransport

    try:
        return SimTransport(ctx.air, name)
    except ConfigError as err:
        raise TransportURLError(f"{raw!r}: {err}") from None


def _loop(url: SplitResult, raw: str, ctx: TransportContext) -> Transport:
    """``loop://channel/NODE``: NODE is a hex node number, or a name hashed to one."""
    if ctx.loopback is None:
        raise TransportURLError(f"{raw!r}: loop:// needs a loopback registry (in-process only)")
    _no_extras(url, raw)
    from relay.radio.loopback import LoopbackTransport

    name = url.path.strip("/") or "0"
    try:
        num = int(name, 16)
    except ValueError:
        num = sum(name.encode()) * 2654435761 % 0xFFFFFFF0
    return LoopbackTransport(ctx.loopback.channel(url.netloc or "air"), num)


def _no_extras(url: SplitResult, raw: str) -> None:
    if url.query or url.fragment:
        raise TransportURLError(f"{raw!r}: radio URLs take no ?query or #fragment")


#: Scheme -> builder. The one table that maps URLs to transports.
SCHEMES: dict[str, Callable[[SplitResult, str, TransportContext], Transport]] = {
    "serial": _serial,
    "tcp": _tcp,
    "sim": _sim,
    "loop": _loop,
}


def open_transport(
    url: str,
    context: TransportContext | None = None,
    *,
    loopback: LoopbackRegistry | None = None,
) -> Transport:
    """The transport a URL names, not yet started (``await transport.start()``).

    ``loopback=`` is shorthand for ``TransportContext(loopback=...)``.
    """
    if loopback is not None:
        context = dataclasses.replace(context or TransportContext(), loopback=loopback)
    text = url.strip()
    if "://" not in text:
        raise TransportURLError(
            f"{url!r} is not a radio URL; use serial:///dev/ttyACM0, tcp://host:4403 or sim://node"
        )
    parts = urlsplit(text)
    builder = SCHEMES.get(parts.scheme.lower())
    if builder is None:
        known = ", ".join(f"{s}://" for s in SCHEMES)
        raise TransportURLError(f"{url!r}: unknown scheme {parts.scheme!r} (known: {known})")
    return builder(parts, url, context or TransportContext())
