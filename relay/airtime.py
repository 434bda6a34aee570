"""LoRa time on air for Meshtastic modem presets (Semtech AN1200.13).

The same numbers serve the CLI (``relay airtime``, the cost shown before sending),
the delivery engine's duty-cycle budget and the mesh simulator, so they live here,
below every layer that uses them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from relay.errors import ConfigError

#: Meshtastic's over-the-air packet header (dest, sender, id, flags, channel hash, next hop,
#: relay node), in front of the encrypted ``Data`` protobuf.
MESH_HEADER_BYTES = 16
#: Largest LoRa PHY payload.
MAX_PHY_PAYLOAD = 255
#: Largest payload of ours that one frame carries on a private port (see notes/meshtastic.md).
MAX_APP_PAYLOAD = 231
#: Bytes PKI encryption adds to a direct message: AES-CCM's 8-byte tag and a 4-byte extra
#: nonce (firmware ``MESHTASTIC_PKC_OVERHEAD``, RadioInterface.h; added in Router.cpp
#: ``perhapsEncode()`` to packets we originate to one node whose public key we know, on
#: every port but ROUTING, TRACEROUTE, NODEINFO and POSITION; CryptoEngine.cpp
#: ``encryptCurve25519()`` writes the tag and nonce). Broadcasts never carry it.
PKI_OVERHEAD_BYTES = 12
#: Largest payload of ours in one PKI-encrypted direct message: ``perhapsEncode()`` NAKs
#: TOO_LARGE when Data + 16-byte header + 12 exceeds 255 bytes. Split DMs at this size.
MAX_PKI_DM_PAYLOAD = MAX_APP_PAYLOAD - PKI_OVERHEAD_BYTES
#: Meshtastic uses a 16-symbol preamble.
MESHTASTIC_PREAMBLE = 16


@dataclass(frozen=True, slots=True)
class ModemPreset:
    """One LoRa modem setting: spreading factor, bandwidth (Hz), coding rate 4/(4+cr)."""

    name: str
    sf: int
    bw_hz: int
    cr: int  # 1..4 for 4/5..4/8

    @property
    def symbol_s(self) -> float:
        return float(2**self.sf) / self.bw_hz

    @property
    def bitrate(self) -> float:
        """Raw bit rate in bit/s (as the notes' preset table gives it)."""
        return self.sf * (4 / (4 + self.cr)) / self.symbol_s


#: EU_868 presets as the Meshtastic firmware defines them.
PRESETS: dict[str, ModemPreset] = {
    p.name: p
    for p in (
        ModemPreset("SHORT_FAST", 7, 250_000, 1),
        ModemPreset("SHORT_SLOW", 8, 250_000, 1),
        ModemPreset("MEDIUM_FAST", 9, 250_000, 1),
        ModemPreset("MEDIUM_SLOW", 10, 250_000, 1),
        ModemPreset("LONG_FAST", 11, 250_000, 1),
        ModemPreset("LONG_MODERATE", 11, 125_000, 4),
        ModemPreset("LONG_SLOW", 12, 125_000, 4),
    )
}


def preset(name: str) -> ModemPreset:
    """Look a preset up by its Meshtastic name (case-insensitive)."""
    try:
        return PRESETS[name.upper()]
    except KeyError:
        known = ", ".join(PRESETS)
        raise ConfigError(f"unknown modem preset {name!r} (known: {known})") from None


def lora_airtime_s(
    phy_payload: int,
    p: ModemPreset,
    *,
    preamble: int = MESHTASTIC_PREAMBLE,
    crc: bool = True,
    implicit_header: bool = False,
) -> float:
    """Seconds on air for a LoRa packet with ``phy_payload`` bytes (the Semtech formula)."""
    if phy_payload < 0:
        raise ValueError("payload length must not be negative")
    tsym = p.symbol_s
    de = 1 if tsym >= 0.016 else 0  # low data rate optimisation, as the firmware sets it
    numerator = 8 * phy_payload - 4 * p.sf + 28 + 16 * int(crc) - 20 * int(implicit_header)
    n_payload = 8 + max(math.ceil(numerator / (4 * (p.sf - 2 * de))) * (p.cr + 4), 0)
    return (preamble + 4.25) * tsym + n_payload * tsym


def _varint_len(n: int) -> int:
    length = 1
    while n >= 0x80:
        n >>= 7
        length += 1
    return length


def data_wrapper_bytes(app_payload: int, portnum: int = 256) -> int:
    """Bytes of Meshtastic's ``Data`` protobuf around an application payload.

    portnum (tag + varint), payload (tag + length + bytes) and the 2-byte ``bitfield``
    the firmware adds to packets it originates.
    """
    return 1 + _varint_len(portnum) + 1 + _varint_len(app_payload) + 2


def phy_bytes(app_payload: int, portnum: int = 256, *, pki: bool = False) -> int:
    """LoRa PHY payload for one Meshtastic frame carrying ``app_payload`` bytes of ours
    (``pki``: a direct message encrypted to the destination's key)."""
    overhead = PKI_OVERHEAD_BYTES if pki else 0
    return MESH_HEADER_BYTES + data_wrapper_bytes(app_payload, portnum) + app_payload + overhead


def frame_airtime_s(
    app_payload: int, p: ModemPreset, portnum: int = 256, *, pki: bool = False
) -> float:
    """Seconds on air for one Meshtastic frame with ``app_payload`` bytes of ours."""
    return lora_airtime_s(phy_bytes(app_payload, portnum, pki=pki), p)
