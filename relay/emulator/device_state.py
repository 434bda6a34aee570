"""What an emulated Meshtastic node remembers: owner, config, module config, channels.

This is the firmware's in-RAM device state, kept in the protobuf types the firmware
itself sends to its client (this module sits at the protobuf edge on purpose). The
setters follow the firmware's ``AdminModule`` semantics (firmware v2.7.26):

* a role change installs the role's defaults: ``ROUTER`` sets ``rebroadcast_mode``
  to ``CORE_PORTNUMS_ONLY`` (which stops relaying private ports like our 256) and
  marks the owner unmessagable; ``ROUTER_LATE`` marks the owner unmessagable;
* ``rebroadcast_mode NONE`` is refused for router roles (turned into ``ALL``);
* setting the region for the first time enables TX and creates the PKI key pair;
* inside a ``begin_edit_settings`` transaction, changes are saved only at commit.

"Saved" is where the radio side changes: :meth:`DeviceState.take_radio_change` tells the
owner of the simulated node which radio settings now apply.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from meshtastic.protobuf import (
    channel_pb2,
    config_pb2,
    localonly_pb2,
    mesh_pb2,
    module_config_pb2,
)

from relay.sim.api import NodeInfo, RebroadcastMode, Role

#: The firmware this emulator models (reported in ``metadata.firmware_version``).
FIRMWARE_VERSION = "2.7.26.54e0d8d"
DEVICE_STATE_VERSION = 24
MIN_APP_VERSION = 30200
MAX_NUM_CHANNELS = 8
#: Meshtastic's one-byte "default key" PSK (index 1: the well-known LongFast key).
DEFAULT_PSK = b"\x01"

DeviceConfig = config_pb2.Config.DeviceConfig
LoRaConfig = config_pb2.Config.LoRaConfig


@dataclass(frozen=True, slots=True)
class RadioSettings:
    """The settings the simulated radio must follow (the rest is client-side trivia)."""

    role: Role
    rebroadcast_mode: RebroadcastMode
    hop_limit: int
    modem_preset: str
    region: str
    tx_enabled: bool


def _role(value: int) -> Role:
    """Map a firmware role onto the roles the simulator models (others relay like CLIENT)."""
    try:
        return Role(value)
    except ValueError:
        return Role.CLIENT


def _rebroadcast(value: int) -> RebroadcastMode:
    try:
        return RebroadcastMode(value)
    except ValueError:
        return RebroadcastMode.ALL


def _key_pair(node_num: int) -> tuple[bytes, bytes]:
    """A per-node X25519 key pair, derived from the node number so runs repeat."""
    seed = hashlib.sha256(b"noodrelay-emulator-pki" + node_num.to_bytes(4, "big")).digest()
    private = X25519PrivateKey.from_private_bytes(seed)
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return seed, public


def hw_model_value(name: str) -> int:
    """``HardwareModel`` number for a name; unknown names become ``PORTDUINO``."""
    try:
        return int(mesh_pb2.HardwareModel.Value(name))
    except ValueError:
        return int(mesh_pb2.HardwareModel.PORTDUINO)


class DeviceState:
    """The mutable device state of one emulated node."""

    def __init__(
        self,
        info: NodeInfo,
        *,
        modem_preset: str = "LONG_FAST",
        hop_limit: int = 3,
        region: str = "EU_868",
        rebroadcast_mode: RebroadcastMode = RebroadcastMode.ALL,
    ) -> None:
        self.node_num = info.num
        self.hw_model = hw_model_value(info.hw_model)
        self.reboot_count = 0
        self.owner = mesh_pb2.User(
            id=f"!{info.num:08x}",
            long_name=info.long_name,
            short_name=info.short_name,
            macaddr=b"\x02\x00" + info.num.to_bytes(4, "big"),
            hw_model=self.hw_model,
            role=int(info.role),
        )
        self.config = _default_config(info, modem_preset, hop_limit, region, rebroadcast_mode)
        self.module_config = _default_module_config()
        self.channels = _default_channels()
        self.position = _position(info)
        self.config.position.fixed_position = self.position is not None
        self.canned_messages = ""
        self.ringtone = ""
        self.favorites: set[int] = set()
        self.ignored: set[int] = set()
        #: Open ``begin_edit_settings`` transaction: saves wait for the commit.
        self.in_transaction = False
        #: A saved change the firmware would reboot for.
        self.reboot_requested = False
        self._saved_radio = self.radio_settings()
        if region != "UNSET":
            self._ensure_keys()

    # --- views -------------------------------------------------------------------------

    def radio_settings(self) -> RadioSettings:
        lora = self.config.lora
        return RadioSettings(
            role=_role(self.config.device.role),
            rebroadcast_mode=_rebroadcast(self.config.device.rebroadcast_mode),
            hop_limit=lora.hop_limit,
            modem_preset=LoRaConfig.ModemPreset.Name(lora.modem_preset),
            region=LoRaConfig.RegionCode.Name(lora.region),
            tx_enabled=lora.tx_enabled,
        )

    def my_info(self) -> mesh_pb2.MyNodeInfo:
        return mesh_pb2.MyNodeInfo(
            my_node_num=self.node_num,
            reboot_count=self.reboot_count,
            min_app_version=MIN_APP_VERSION,
            device_id=hashlib.sha256(self.node_num.to_bytes(4, "big")).digest()[:16],
            pio_env="noodrelay-emulator",
        )

    def metadata(self) -> mesh_pb2.DeviceMetadata:
        return mesh_pb2.DeviceMetadata(
            firmware_version=FIRMWARE_VERSION,
            device_state_version=DEVICE_STATE_VERSION,
            canShutdown=True,
            hasWifi=True,
            hasBluetooth=False,
            hasEthernet=False,
            role=self.config.device.role,
            position_flags=self.config.position.position_flags,
            hw_model=self.hw_model,
            hasPKC=True,
        )

    def own_node_info(self, now_unix: int) -> mesh_pb2.NodeInfo:
        node = mesh_pb2.NodeInfo(num=self.node_num, last_heard=now_unix, is_favorite=True)
        node.user.CopyFrom(self.owner)
        node.device_metrics.battery_level = 101  # powered
        if self.position is not None:
            node.position.CopyFrom(self.position)
        return node

    def channel(self, index: int) -> channel_pb2.Channel:
        return self.channels[index]

    # --- setters (AdminModule semantics) ------------------------------------------------

    def set_owner(self, user: mesh_pb2.User) -> None:
        if user.long_name:
            self.owner.long_name = user.long_name[:39]
        if user.short_name:
            self.owner.short_name = user.short_name[:4]
        self.owner.is_licensed = user.is_licensed
        if user.HasField("is_unmessagable"):
            self.owner.is_unmessagable = user.is_unmessagable

    def set_config(self, cfg: config_pb2.Config) -> None:
        section = cfg.WhichOneof("payload_variant")
        if section == "device":
            self._set_device(cfg.device)
        elif section == "lora":
            self._set_lora(cfg.lora)
        elif section == "security":
            self.config.security.CopyFrom(cfg.security)
            self.owner.public_key = self.config.security.public_key
            if self.config.lora.region != LoRaConfig.RegionCode.UNSET:
                self._ensure_keys()
        elif section in ("position", "power", "network", "display", "bluetooth"):
            getattr(self.config, section).CopyFrom(getattr(cfg, section))
            if section == "power":
                self.reboot_requested = True
        # sessionkey / device_ui: nothing to store (the firmware ignores them too)

    def set_module_config(self, cfg: module_config_pb2.ModuleConfig) -> bool:
        """Store one module's config; False for a module this firmware does not know."""
        section = cfg.WhichOneof("payload_variant")
        if section is None or section not in self.module_config.DESCRIPTOR.fields_by_name:
            return False
        getattr(self.module_config, section).CopyFrom(getattr(cfg, section))
        self.reboot_requested = True
        return True

    def set_channel(self, channel: channel_pb2.Channel) -> bool:
        if not 0 <= channel.index < MAX_NUM_CHANNELS:
            return False
        self.channels[channel.index].CopyFrom(channel)
        return True

    def set_fixed_position(self, position: mesh_pb2.Position) -> None:
        self.position = mesh_pb2.Position()
        self.position.CopyFrom(position)
        self.config.position.fixed_position = True

    def remove_fixed_position(self) -> None:
        self.position = None
        self.config.position.fixed_position = False

    def begin_edit(self) -> None:
        self.in_transaction = True

    def commit_edit(self) -> None:
        self.in_transaction = False
        self.reboot_requested = True

    def take_radio_change(self) -> RadioSettings | None:
        """The radio settings saved since the last call, if they changed."""
        if self.in_transaction:
            return None
        current = self.radio_settings()
        if current == self._saved_radio:
            return None
        self._saved_radio = current
        return current

    # --- internals ---------------------------------------------------------------------

    def _set_device(self, device: config_pb2.Config.DeviceConfig) -> None:
        old_role = self.config.device.role
        if (
            device.role != old_role
            or device.rebroadcast_mode != self.config.device.rebroadcast_mode
        ):
            self.reboot_requested = True
        self.config.device.CopyFrom(device)
        routers = (DeviceConfig.Role.ROUTER, DeviceConfig.Role.ROUTER_LATE)
        if device.rebroadcast_mode == DeviceConfig.RebroadcastMode.NONE and device.role in routers:
            self.config.device.rebroadcast_mode = DeviceConfig.RebroadcastMode.ALL
        if device.role != old_role:
            self._install_role_defaults(device.role)
        if device.role in (DeviceConfig.Role.ROUTER_CLIENT, DeviceConfig.Role.REPEATER):
            self.config.device.role = DeviceConfig.Role.CLIENT  # deprecated roles
        self.owner.role = self.config.device.role

    def _install_role_defaults(self, role: int) -> None:
        """``NodeDB::installRoleDefaults`` for the roles that touch relaying."""
        if role == DeviceConfig.Role.ROUTER:
            self.config.device.rebroadcast_mode = DeviceConfig.RebroadcastMode.CORE_PORTNUMS_ONLY
            self.owner.is_unmessagable = True
        elif role == DeviceConfig.Role.ROUTER_LATE:
            self.owner.is_unmessagable = True
        elif role == DeviceConfig.Role.CLIENT_HIDDEN:
            self.config.device.rebroadcast_mode = DeviceConfig.RebroadcastMode.LOCAL_ONLY

    def _set_lora(self, lora: config_pb2.Config.LoRaConfig) -> None:
        old = self.config.lora
        first_region = (
            old.region == LoRaConfig.RegionCode.UNSET and lora.region != LoRaConfig.RegionCode.UNSET
        )
        radio_fields = ("use_preset", "region", "modem_preset", "bandwidth", "spread_factor")
        if any(getattr(old, name) != getattr(lora, name) for name in radio_fields):
            self.reboot_requested = True
        self.config.lora.CopyFrom(lora)
        if first_region:
            self.config.lora.tx_enabled = True
            self._ensure_keys()

    def _ensure_keys(self) -> None:
        security = self.config.security
        if len(security.private_key) != 32:
            private, public = _key_pair(self.node_num)
            security.private_key = private
            security.public_key = public
        self.owner.public_key = security.public_key


def _default_config(
    info: NodeInfo,
    modem_preset: str,
    hop_limit: int,
    region: str,
    rebroadcast_mode: RebroadcastMode,
) -> localonly_pb2.LocalConfig:
    """``NodeDB::installDefaultConfig`` plus what a configured EU node has set."""
    cfg = localonly_pb2.LocalConfig(version=DEVICE_STATE_VERSION)
    cfg.device.role = int(info.role)
    cfg.device.rebroadcast_mode = int(rebroadcast_mode)
    cfg.device.node_info_broadcast_secs = 10800
    pos = cfg.position
    pos.gps_mode = config_pb2.Config.PositionConfig.GpsMode.NOT_PRESENT
    pos.position_broadcast_secs = 900
    pos.position_broadcast_smart_enabled = True
    pos.broadcast_smart_minimum_distance = 100
    pos.broadcast_smart_minimum_interval_secs = 30
    pos.position_flags = 811  # ALTITUDE|ALTITUDE_MSL|DOP|SATINVIEW|SPEED|HEADING
    cfg.power.ls_secs = 300
    cfg.network.ntp_server = "meshtastic.pool.ntp.org"
    cfg.display.screen_on_secs = 30
    cfg.display.displaymode = config_pb2.Config.DisplayConfig.DisplayMode.COLOR
    lora = cfg.lora
    lora.use_preset = True
    lora.modem_preset = LoRaConfig.ModemPreset.Value(modem_preset)
    lora.region = LoRaConfig.RegionCode.Value(region)
    lora.hop_limit = hop_limit
    lora.tx_enabled = region != "UNSET"
    lora.sx126x_rx_boosted_gain = True
    lora.ignore_mqtt = region == "EU_868"  # regions with a duty cycle ignore MQTT by default
    cfg.bluetooth.enabled = False
    cfg.bluetooth.mode = config_pb2.Config.BluetoothConfig.PairingMode.FIXED_PIN
    cfg.bluetooth.fixed_pin = 123456
    cfg.security.serial_enabled = True
    return cfg


def _default_module_config() -> localonly_pb2.LocalModuleConfig:
    modules = localonly_pb2.LocalModuleConfig(version=DEVICE_STATE_VERSION)
    modules.mqtt.address = "mqtt.meshtastic.org"
    modules.mqtt.username = "meshdev"
    modules.mqtt.password = "large4cats"  # noqa: S105 - the firmware's public default
    modules.mqtt.encryption_enabled = True
    modules.mqtt.root = "msh/EU_868"
    modules.neighbor_info.update_interval = 21600
    modules.telemetry.device_update_interval = 1800
    return modules


def _default_channels() -> list[channel_pb2.Channel]:
    channels = []
    for index in range(MAX_NUM_CHANNELS):
        ch = channel_pb2.Channel(index=index, role=channel_pb2.Channel.Role.DISABLED)
        if index == 0:
            ch.role = channel_pb2.Channel.Role.PRIMARY
            ch.settings.psk = DEFAULT_PSK
            ch.settings.module_settings.position_precision = 13
        channels.append(ch)
    return channels


def _position(info: NodeInfo) -> mesh_pb2.Position | None:
    if info.latitude is None or info.longitude is None:
        return None
    pos = mesh_pb2.Position(
        latitude_i=round(info.latitude * 1e7),
        longitude_i=round(info.longitude * 1e7),
        location_source=mesh_pb2.Position.LocSource.LOC_MANUAL,
    )
    if info.altitude_m is not None:
        pos.altitude = info.altitude_m
    return pos
