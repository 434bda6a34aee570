"""Device state follows the firmware's AdminModule rules."""

from __future__ import annotations

from meshtastic.protobuf import config_pb2

from relay.emulator.device_state import DeviceState
from relay.sim.api import NodeInfo, RebroadcastMode, Role

DeviceConfig = config_pb2.Config.DeviceConfig


def _state(**kw: object) -> DeviceState:
    return DeviceState(NodeInfo(num=0x1234, long_name="Punt", short_name="P1"), **kw)  # type: ignore[arg-type]


def _device(role: int, mode: int = DeviceConfig.RebroadcastMode.ALL) -> config_pb2.Config:
    cfg = config_pb2.Config()
    cfg.device.role = role
    cfg.device.rebroadcast_mode = mode
    return cfg


def test_router_role_installs_core_portnums_only() -> None:
    state = _state()
    state.set_config(_device(DeviceConfig.Role.ROUTER))
    assert state.config.device.rebroadcast_mode == DeviceConfig.RebroadcastMode.CORE_PORTNUMS_ONLY
    assert state.owner.is_unmessagable
    assert state.reboot_requested
    change = state.take_radio_change()
    assert change is not None
    assert change.role is Role.ROUTER
    assert change.rebroadcast_mode is RebroadcastMode.CORE_PORTNUMS_ONLY


def test_rebroadcast_all_after_the_role_change_sticks() -> None:
    state = _state()
    state.set_config(_device(DeviceConfig.Role.ROUTER))
    state.set_config(_device(DeviceConfig.Role.ROUTER, DeviceConfig.RebroadcastMode.ALL))
    assert state.config.device.rebroadcast_mode == DeviceConfig.RebroadcastMode.ALL


def test_router_cannot_have_rebroadcast_none() -> None:
    state = _state()
    state.set_config(_device(DeviceConfig.Role.ROUTER_LATE, DeviceConfig.RebroadcastMode.NONE))
    assert state.config.device.rebroadcast_mode == DeviceConfig.RebroadcastMode.ALL


def test_deprecated_repeater_becomes_client() -> None:
    state = _state()
    state.set_config(_device(DeviceConfig.Role.REPEATER))
    assert state.config.device.role == DeviceConfig.Role.CLIENT


def test_transaction_holds_radio_changes_until_commit() -> None:
    state = _state()
    state.begin_edit()
    state.set_config(_device(DeviceConfig.Role.CLIENT_MUTE))
    assert state.take_radio_change() is None
    state.commit_edit()
    change = state.take_radio_change()
    assert change is not None and change.role is Role.CLIENT_MUTE
    assert state.take_radio_change() is None  # reported once


def test_first_region_enables_tx_and_makes_keys() -> None:
    state = _state(region="UNSET")
    assert not state.config.lora.tx_enabled
    assert state.config.security.public_key == b""
    cfg = config_pb2.Config()
    cfg.lora.CopyFrom(state.config.lora)
    cfg.lora.region = config_pb2.Config.LoRaConfig.RegionCode.EU_868
    state.set_config(cfg)
    assert state.config.lora.tx_enabled
    assert len(state.config.security.public_key) == 32
    assert state.owner.public_key == state.config.security.public_key


def test_keys_repeat_per_node_number() -> None:
    assert _state().config.security.private_key == _state().config.security.private_key


def test_owner_names_are_cut_to_firmware_lengths() -> None:
    state = _state()
    user = state.owner.__class__(long_name="x" * 60, short_name="ABCDEF")
    state.set_owner(user)
    assert len(state.owner.long_name) == 39
    assert state.owner.short_name == "ABCD"
