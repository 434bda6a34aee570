"""Reading and writing a radio's configuration through the official ``meshtastic`` library.

This is the configuration counterpart of the data-path adapter: ``relay radio apply``,
``relay radio check`` and ``relay doctor`` open one short, synchronous session with
the radio, read what its handshake reports (``localConfig``, ``moduleConfig``,
channels, owner, own position) and write with the library's own calls
(``beginSettingsTransaction``, ``writeConfig``, ``writeChannel``, ``setOwner``,
``setFixedPosition``, ``commitSettingsTransaction``). The library's threads, its
protobuf objects and its exceptions stay in this module.

Writes to the local node get no acknowledgement from the library, so after writing we
ask the radio for its metadata and wait for the answer: the firmware handles a
client's packets in order, so the answer means every earlier write was handled.
After a commit the firmware may reboot; the read-back therefore opens a new session
(retrying while the radio restarts) and reads what the radio reports after it.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import threading
import time
from collections.abc import Callable, Iterator
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from google.protobuf.message import Message
from meshtastic.mesh_interface import MeshInterface
from meshtastic.protobuf import admin_pb2, channel_pb2, portnums_pb2

from relay.errors import (
    ConfigTimeoutError,
    PortBusyError,
    PortNotFoundError,
    RadioConnectError,
    RadioError,
    TransportURLError,
)
from relay.radio.compare import ChannelState, RadioSnapshot, WritePlan
from relay.radio.profile import ChannelSpec, Location, Profile, Setting, Value

log = logging.getLogger(__name__)

DEFAULT_TCP_PORT = 4403
#: Module groups ``Node.writeConfig`` can write (the library's own list).
WRITABLE_MODULES = frozenset(
    {
        "mqtt", "serial", "external_notification", "store_forward", "range_test",
        "telemetry", "canned_message", "audio", "remote_hardware", "neighbor_info",
        "detection_sensor", "ambient_lighting", "paxcounter", "traffic_management",
    }
)  # fmt: skip

Progress = Callable[[str], None]


class RadioWriteError(RadioError):
    """The link broke or the radio did not answer while settings were being written."""


# --- opening a session ----------------------------------------------------------------


def endpoint(url: str) -> tuple[str, str, int]:
    """(``"tcp"``, host, port) or (``"serial"``, device path, 0) for a radio URL."""
    parts = urlsplit(url)
    if parts.scheme == "tcp" and parts.hostname:
        return "tcp", parts.hostname, parts.port or DEFAULT_TCP_PORT
    if parts.scheme == "serial" and parts.path.startswith("/dev/"):
        return "serial", parts.path, 0
    raise TransportURLError(
        f"{url}: a radio is reached by serial:///dev/ttyACM0 or tcp://host:4403"
    )


def _open(url: str, timeout: float) -> MeshInterface:
    from meshtastic.serial_interface import SerialInterface
    from meshtastic.tcp_interface import TCPInterface

    kind, where, port = endpoint(url)
    try:
        if kind == "tcp":
            return TCPInterface(hostname=where, portNumber=port, timeout=int(timeout))
        return SerialInterface(devPath=where, timeout=int(timeout))
    except MeshInterface.MeshInterfaceError as err:
        raise ConfigTimeoutError(f"{url}: the radio did not finish its handshake ({err})") from err
    except SystemExit as err:  # the library exits on some errors; never let it end us
        raise RadioConnectError(f"{url}: the meshtastic library gave up ({err})") from err
    except OSError as err:
        raise _connect_error(url, kind, err) from err


def _connect_error(url: str, kind: str, err: OSError) -> RadioConnectError:
    text = str(err)
    if "exclusively lock" in text or err.errno == errno.EBUSY:
        return PortBusyError(
            f"{url} is held by another program (the noodrelay daemon?): "
            "sudo systemctl stop noodrelay, then try again"
        )
    if kind == "serial" and (err.errno == errno.ENOENT or "No such file" in text):
        return PortNotFoundError(f"{url}: no such device; is the radio plugged in (ls /dev/tty*)?")
    return RadioConnectError(f"cannot reach the radio at {url}: {err.strerror or text}")


def connect(url: str, timeout: float) -> RadioSession:
    """Open a session and wait until the library's reader has settled.

    The library sends its first heartbeat from its reader thread just after the
    handshake; closing before that makes it log a BrokenPipe traceback. One
    request-response round trip orders us after that heartbeat.
    """
    radio = RadioSession(_open(url, timeout), url, timeout)
    try:
        radio.sync()
    except RadioError:
        radio.close()
        raise
    return radio


@contextlib.contextmanager
def session(url: str, *, timeout: float = 30.0) -> Iterator[RadioSession]:
    """An open session with the radio at ``url``, closed on exit."""
    radio = connect(url, timeout)
    try:
        yield radio
    finally:
        radio.close()


def reconnect(url: str, *, deadline_s: float, timeout: float, progress: Progress) -> RadioSession:
    """Open a session, retrying while the radio restarts (after a commit it may reboot)."""
    deadline = time.monotonic() + deadline_s
    delay = 0.5
    while True:
        try:
            return connect(url, timeout)
        except RadioConnectError as err:
            if time.monotonic() + delay > deadline:
                raise RadioConnectError(
                    f"{url}: the radio did not come back within {deadline_s:.0f} s ({err})"
                ) from err
            progress(f"waiting for the radio to come back ({err})")
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


class RadioSession:
    """One open connection: snapshots and writes."""

    def __init__(self, iface: MeshInterface, url: str, timeout: float) -> None:
        self._iface = iface
        self.url = url
        self._timeout = timeout

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._iface.close()

    # --- reading ---------------------------------------------------------------------

    def snapshot(self) -> RadioSnapshot:
        node = self._iface.localNode
        info = self._iface.getMyNodeInfo() or {}
        user = info.get("user", {})
        metadata = getattr(self._iface, "metadata", None)
        values: dict[str, Value] = {}
        _flatten(node.localConfig, "config", values)
        _flatten(node.moduleConfig, "module_config", values)
        return RadioSnapshot(
            node_num=int(self._iface.myInfo.my_node_num),
            firmware=str(getattr(metadata, "firmware_version", "")),
            owner=str(user.get("longName", "")),
            owner_short=str(user.get("shortName", "")),
            location=_location(info.get("position")),
            channels=_channels(node.channels or []),
            values=MappingProxyType(values),
        )

    # --- writing ---------------------------------------------------------------------

    def write(self, profile: Profile, plan: WritePlan, *, role_only: bool = False) -> None:
        """One settings transaction with what ``plan`` names (or only the role change)."""
        node = self._iface.localNode
        try:
            node.beginSettingsTransaction()
            if role_only:
                node.localConfig.device.role = _enum_number(
                    node.localConfig.device, "role", plan.role_first or ""
                )
                node.writeConfig("device")
            else:
                self._write_all(profile, plan)
            self.sync()
            node.commitSettingsTransaction()
            self.sync()
        except (OSError, MeshInterface.MeshInterfaceError) as err:
            raise RadioWriteError(
                f"{self.url}: the link broke while writing ({err}); run the command again "
                "(writing the same profile twice is harmless)"
            ) from err

    def _write_all(self, profile: Profile, plan: WritePlan) -> None:
        node = self._iface.localNode
        if plan.owner:
            node.setOwner(long_name=profile.owner, short_name=profile.owner_short)
        if plan.channels and profile.channel is not None:
            self._write_channels(profile.channel.channels)
        if plan.position and profile.location is not None:
            loc = profile.location
            node.setFixedPosition(loc.lat, loc.lon, loc.alt)
        for section, group in plan.groups:
            target = node.localConfig if section == "config" else node.moduleConfig
            _overlay(getattr(target, group), [s for s in profile.settings if s.group == group])
            node.writeConfig(group)

    def _write_channels(self, wanted: tuple[ChannelSpec, ...]) -> None:
        node = self._iface.localNode
        for ch in node.channels or []:
            if ch.index < len(wanted):
                spec = wanted[ch.index]
                settings = channel_pb2.ChannelSettings(
                    name=spec.name,
                    psk=spec.psk,
                    uplink_enabled=spec.uplink,
                    downlink_enabled=spec.downlink,
                )
                settings.module_settings.position_precision = spec.position_precision
                ch.settings.CopyFrom(settings)
                ch.role = (
                    channel_pb2.Channel.Role.PRIMARY
                    if ch.index == 0
                    else (channel_pb2.Channel.Role.SECONDARY)
                )
            elif ch.role != channel_pb2.Channel.Role.DISABLED:
                ch.role = channel_pb2.Channel.Role.DISABLED
                ch.settings.Clear()
            else:
                continue
            node.writeChannel(ch.index)

    def sync(self) -> None:
        """Wait until the radio has handled everything sent so far (see module docs)."""
        done = threading.Event()
        request = admin_pb2.AdminMessage(get_device_metadata_request=True)
        self._iface.sendData(
            request,
            self._iface.localNode.nodeNum,
            portNum=portnums_pb2.PortNum.ADMIN_APP,
            wantResponse=True,
            onResponse=_Responder(done).on_response,
        )
        if not done.wait(self._timeout):
            raise RadioWriteError(f"{self.url}: the radio stopped answering while being written")


class _Responder:
    """Keeps the library's response callback alive (it holds a plain reference)."""

    def __init__(self, done: threading.Event) -> None:
        self._done = done

    def on_response(self, _packet: dict[str, Any]) -> None:
        self._done.set()


# --- protobuf <-> values --------------------------------------------------------------


def _flatten(message: Message, prefix: str, out: dict[str, Value]) -> None:
    for fd in message.DESCRIPTOR.fields:
        path = f"{prefix}.{fd.name}"
        value = getattr(message, fd.name)
        if fd.message_type is not None and not fd.is_repeated:
            _flatten(value, path, out)
        elif fd.is_repeated:
            out[path] = tuple(value)
        elif fd.enum_type is not None:
            known = fd.enum_type.values_by_number.get(value)
            out[path] = known.name if known is not None else int(value)
        else:
            out[path] = value


def _enum_number(message: Message, field: str, name: str) -> int:
    fd = message.DESCRIPTOR.fields_by_name[field]
    assert fd.enum_type is not None
    return int(fd.enum_type.values_by_name[name].number)


def _overlay(group: Message, settings: list[Setting]) -> None:
    """Set the profile's values on the radio's current group (the rest stays as it was)."""
    for s in settings:
        target = group
        for part in s.key[:-1]:
            target = getattr(target, part)
        name = s.key[-1]
        value = s.value
        if isinstance(value, tuple):
            getattr(target, name)[:] = list(value)
        elif isinstance(value, str) and target.DESCRIPTOR.fields_by_name[name].enum_type:
            setattr(target, name, _enum_number(target, name, value))
        else:
            setattr(target, name, value)


def _location(position: dict[str, Any] | None) -> Location | None:
    """The radio's own position from its node info (integer 1e-7 degrees when present)."""
    if not position or "latitudeI" not in position or "longitudeI" not in position:
        return None
    lat = position["latitudeI"] / 1e7
    lon = position["longitudeI"] / 1e7
    return Location(lat, lon, int(position.get("altitude", 0)))


def _channels(channels: list[channel_pb2.Channel]) -> tuple[ChannelState, ...]:
    out = []
    for ch in channels:
        if ch.role == channel_pb2.Channel.Role.DISABLED:
            continue
        s = ch.settings
        spec = ChannelSpec(
            name=s.name,
            psk=bytes(s.psk),
            uplink=s.uplink_enabled,
            downlink=s.downlink_enabled,
            position_precision=s.module_settings.position_precision,
        )
        out.append(ChannelState(ch.index, channel_pb2.Channel.Role.Name(ch.role), spec))
    return tuple(out)
