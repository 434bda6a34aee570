"""Admin messages from the local client, answered as firmware v2.7.26's AdminModule does.

Only the local client (a packet from the API to our own node number) is served: that is
what ``meshtastic --info / --set / --configure / --export-config / --seturl /
--set-owner`` use. Remote admin over the mesh is not emulated.

Every request gets exactly one answer when it asks for one (``want_response``): the data
response (``get_*_response``) or, for setters, a routing ack with ``request_id`` (the
firmware's "If asked for a response and it is not yet set, generate an 'ACK' response").
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from meshtastic.protobuf import admin_pb2, connection_status_pb2, mesh_pb2

from relay.emulator.device_state import MAX_NUM_CHANNELS, DeviceState

logger = logging.getLogger(__name__)

ConfigType = admin_pb2.AdminMessage.ConfigType
RoutingError = mesh_pb2.Routing.Error
ModuleConfigType = admin_pb2.AdminMessage.ModuleConfigType

#: Seconds a session passkey stays current before a new one is drawn (AdminModule::setPassKey).
PASSKEY_RENEW_S = 150

_CONFIG_SECTIONS = {
    ConfigType.DEVICE_CONFIG: "device",
    ConfigType.POSITION_CONFIG: "position",
    ConfigType.POWER_CONFIG: "power",
    ConfigType.NETWORK_CONFIG: "network",
    ConfigType.DISPLAY_CONFIG: "display",
    ConfigType.LORA_CONFIG: "lora",
    ConfigType.BLUETOOTH_CONFIG: "bluetooth",
    ConfigType.SECURITY_CONFIG: "security",
}


@dataclass(frozen=True, slots=True)
class AdminResult:
    """The answer to one admin request: a data reply, a routing error, or a plain ack."""

    reply: admin_pb2.AdminMessage | None = None
    #: A ``Routing.Error`` value (0 = NONE: a plain ack when no reply is set).
    error: int = 0


class AdminHandler:
    """Serves admin requests against one :class:`DeviceState`."""

    def __init__(self, state: DeviceState, rng: random.Random, clock: Callable[[], float]) -> None:
        self._state = state
        self._rng = rng
        self._clock = clock
        self._passkey = b""
        self._passkey_time = -PASSKEY_RENEW_S - 1.0

    def handle(self, request: admin_pb2.AdminMessage) -> AdminResult:
        which = request.WhichOneof("payload_variant")
        if which is None:
            return AdminResult()
        if self._state.config.security.is_managed and not which.endswith("_response"):
            logger.info("ignoring local admin %s: node is managed", which)
            return AdminResult(error=RoutingError.NOT_AUTHORIZED)
        getter = self._getters().get(which)
        if getter is not None:
            return getter(request)
        return self._set(which, request)

    # --- getters ------------------------------------------------------------------------

    def _getters(self) -> dict[str, Callable[[admin_pb2.AdminMessage], AdminResult]]:
        return {
            "get_owner_request": self._get_owner,
            "get_config_request": self._get_config,
            "get_module_config_request": self._get_module_config,
            "get_channel_request": self._get_channel,
            "get_device_metadata_request": self._get_metadata,
            "get_canned_message_module_messages_request": self._get_canned,
            "get_ringtone_request": self._get_ringtone,
            "get_device_connection_status_request": self._get_connection_status,
        }

    def _reply(self) -> admin_pb2.AdminMessage:
        now = self._clock()
        if now > self._passkey_time + PASSKEY_RENEW_S:
            self._passkey = self._rng.randbytes(8)
            self._passkey_time = now
        return admin_pb2.AdminMessage(session_passkey=self._passkey)

    def _get_owner(self, request: admin_pb2.AdminMessage) -> AdminResult:
        reply = self._reply()
        reply.get_owner_response.CopyFrom(self._state.owner)
        return AdminResult(reply)

    def _get_config(self, request: admin_pb2.AdminMessage) -> AdminResult:
        reply = self._reply()
        kind = request.get_config_request
        section = _CONFIG_SECTIONS.get(kind)
        if section is not None:
            getattr(reply.get_config_response, section).CopyFrom(
                getattr(self._state.config, section)
            )
        elif kind == ConfigType.SESSIONKEY_CONFIG:
            reply.get_config_response.sessionkey.SetInParent()
        elif kind == ConfigType.DEVICEUI_CONFIG:
            reply.get_config_response.device_ui.SetInParent()
        return AdminResult(reply)

    def _get_module_config(self, request: admin_pb2.AdminMessage) -> AdminResult:
        reply = self._reply()
        try:
            name = ModuleConfigType.Name(request.get_module_config_request)
        except ValueError:
            return AdminResult(reply)
        section = _module_section(name)
        if section in self._state.module_config.DESCRIPTOR.fields_by_name:
            getattr(reply.get_module_config_response, section).CopyFrom(
                getattr(self._state.module_config, section)
            )
        return AdminResult(reply)

    def _get_channel(self, request: admin_pb2.AdminMessage) -> AdminResult:
        index = request.get_channel_request - 1
        if not 0 <= index < MAX_NUM_CHANNELS:
            return AdminResult(error=RoutingError.BAD_REQUEST)
        reply = self._reply()
        reply.get_channel_response.CopyFrom(self._state.channel(index))
        return AdminResult(reply)

    def _get_metadata(self, request: admin_pb2.AdminMessage) -> AdminResult:
        reply = self._reply()
        reply.get_device_metadata_response.CopyFrom(self._state.metadata())
        return AdminResult(reply)

    def _get_canned(self, request: admin_pb2.AdminMessage) -> AdminResult:
        reply = self._reply()
        reply.get_canned_message_module_messages_response = self._state.canned_messages
        return AdminResult(reply)

    def _get_ringtone(self, request: admin_pb2.AdminMessage) -> AdminResult:
        reply = self._reply()
        reply.get_ringtone_response = self._state.ringtone
        return AdminResult(reply)

    def _get_connection_status(self, request: admin_pb2.AdminMessage) -> AdminResult:
        reply = self._reply()
        status = connection_status_pb2.DeviceConnectionStatus()
        status.serial.is_connected = True
        status.serial.baud = 115200
        reply.get_device_connection_status_response.CopyFrom(status)
        return AdminResult(reply)

    # --- setters and actions ------------------------------------------------------------

    def _set(self, which: str, request: admin_pb2.AdminMessage) -> AdminResult:
        action = self._setters().get(which)
        if action is None:
            # reboot, shutdown, set_time_only, factory resets...: accepted and acked; the
            # emulator keeps running.
            logger.info("admin %s accepted (no effect in the emulator)", which)
            return AdminResult()
        ok = action(getattr(request, which))
        return AdminResult() if ok is not False else AdminResult(error=RoutingError.BAD_REQUEST)

    def _setters(self) -> dict[str, Callable[[Any], bool | None]]:
        state = self._state
        return {
            "set_owner": self._set_owner,
            "set_config": state.set_config,
            "set_module_config": state.set_module_config,
            "set_channel": state.set_channel,
            "set_canned_message_module_messages": self._set_canned,
            "set_ringtone_message": self._set_ringtone,
            "set_fixed_position": state.set_fixed_position,
            "remove_fixed_position": lambda _: state.remove_fixed_position(),
            "begin_edit_settings": lambda _: state.begin_edit(),
            "commit_edit_settings": lambda _: state.commit_edit(),
            "set_favorite_node": state.favorites.add,
            "remove_favorite_node": state.favorites.discard,
            "set_ignored_node": state.ignored.add,
            "remove_ignored_node": state.ignored.discard,
        }

    def _set_owner(self, user: Any) -> bool:
        if any(name and not name.strip() for name in (user.long_name, user.short_name)):
            return False  # the firmware refuses whitespace-only names
        self._state.set_owner(user)
        return True

    def _set_canned(self, text: str) -> None:
        self._state.canned_messages = text

    def _set_ringtone(self, text: str) -> None:
        self._state.ringtone = text


def _module_section(type_name: str) -> str:
    """``EXTNOTIF_CONFIG`` -> ``external_notification`` and so on."""
    special = {
        "EXTNOTIF_CONFIG": "external_notification",
        "STOREFORWARD_CONFIG": "store_forward",
        "RANGETEST_CONFIG": "range_test",
        "CANNEDMSG_CONFIG": "canned_message",
        "REMOTEHARDWARE_CONFIG": "remote_hardware",
        "NEIGHBORINFO_CONFIG": "neighbor_info",
        "AMBIENTLIGHTING_CONFIG": "ambient_lighting",
        "DETECTIONSENSOR_CONFIG": "detection_sensor",
        "STATUSMESSAGE_CONFIG": "statusmessage",
        "TRAFFICMANAGEMENT_CONFIG": "traffic_management",
    }
    return special.get(type_name, type_name.removesuffix("_CONFIG").lower())
