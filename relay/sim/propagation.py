"""From positions to links: path loss, shadowing, SNR, and who can hear whom.

The model, and where its numbers come from
------------------------------------------
* **Path loss: Okumura-Hata** (Hata 1980, as in ITU-R P.529 / COST 231 ch. 4) at the
  channel's 869.525 MHz, with its three terrain classes: *urban* (small/medium city,
  C = 0), *suburban* (C = -2 log²(f/28) - 5.4) and *open* (C = -4.78 log²f + 18.33 log f
  - 40.94). The higher antenna of a link plays Hata's base station, the lower one the
  mobile; Hata is fitted for 30-200 m / 1-10 m antennas and 1-20 km, so low-antenna
  links are an extrapolation (the usual one in LoRa planning tools). The mobile height
  is clamped to Hata's 1-10 m; the loss is never less than free space.
* **Radio horizon**: beyond the 4/3-earth horizon 4.12 (√h₁ + √h₂) km there is no link.
* **Shadowing**: log-normal, σ = 8 dB by default (Hata-based planning commonly uses
  6-10 dB for suburban clutter), drawn once per node pair from the scenario seed, the
  same in both directions, so a run's geography is fixed by its seed.
* **Per-frame fading**: a further N(0, σ = 2 dB) per reception (field RSSI logs of
  fixed LoRa links typically spread 1-4 dB), drawn from the simulation's random stream.
* **Noise floor** for the preset's bandwidth: -174 dBm/Hz + 10 log₁₀(BW) + NF, NF = 6 dB
  (the value that reproduces Semtech's SX1262 sensitivity table); -114 dBm at 250 kHz.
* **Demodulation floor** per spreading factor (SX1261/2 datasheet, "SNR demodulator
  limit"): SF7 -7.5 dB ... SF12 -20 dB, 2.5 dB per step.
* **Transmit power** 22 dBm (the SX1262 maximum; EU_868 permits 27 dBm ERP), antennas
  2.15 dBi (a dipole; both overridable per node), 2 dB of coax and connectors at each
  end (5-10 m of LMR-240 to a roof antenna), plus a per-node ``extra_loss_db`` for
  antennas indoors or behind walls.

* **Low antennas in towns** (scenarios with ``path_loss = "town"``): 3GPP TR 38.901
  UMi-Street Canyon between antennas below 30 m, Hata only where one end is elevated,
  and ITU-R P.2109 building entry loss for indoor radios; see :mod:`relay.sim.townmodel`.

A link's SNR is ``tx power + gains - path loss - shadowing - site losses - noise floor``.
Links more than 10 dB below the demodulation floor are dropped: they can neither be
received nor meaningfully interfere (the capture margin is 6 dB).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from relay.airtime import ModemPreset
from relay.sim.scenario import Environment, NodeSpec, PathLoss, Position, RadioConfig, Scenario
from relay.sim.townmodel import ELEVATED_M, umi_nlos_db

#: EU_868 LONG_FAST slot centre; every preset in the EU_868 narrow band sits within 250 kHz of it.
FREQUENCY_MHZ = 869.525
#: SX126x SNR demodulation limits by spreading factor (datasheet table).
DEMOD_FLOOR_DB = {5: -2.5, 6: -5.0, 7: -7.5, 8: -10.0, 9: -12.5, 10: -15.0, 11: -17.5, 12: -20.0}
#: Links weaker than the demodulation floor by more than this are left out of the model.
IRRELEVANCE_MARGIN_DB = 10.0
EARTH_HORIZON_KM_PER_SQRT_M = 4.12


@dataclass(frozen=True, slots=True)
class Link:
    """What ``dst`` receives when ``src`` transmits (mean values, before per-frame fading)."""

    src: int
    dst: int
    snr_db: float
    rssi_dbm: float
    #: Probability that a frame is lost on this link regardless of SNR (link table scenarios).
    loss: float = 0.0


def noise_floor_dbm(p: ModemPreset, noise_figure_db: float = 6.0) -> float:
    return -174.0 + 10.0 * math.log10(p.bw_hz) + noise_figure_db


def demod_floor_db(p: ModemPreset) -> float:
    return DEMOD_FLOOR_DB[p.sf]


def distance_km(a: Position, b: Position) -> float:
    """Great-circle distance (haversine, mean earth radius)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def free_space_loss_db(d_km: float, f_mhz: float = FREQUENCY_MHZ) -> float:
    return 32.44 + 20 * math.log10(max(d_km, 0.001)) + 20 * math.log10(f_mhz)


def hata_loss_db(
    d_km: float, h_base_m: float, h_mobile_m: float, env: Environment, f_mhz: float = FREQUENCY_MHZ
) -> float:
    """Okumura-Hata median path loss (dB), extrapolated as described in the module doc."""
    hb = max(h_base_m, 1.0)
    hm = min(max(h_mobile_m, 1.0), 10.0)
    lf = math.log10(f_mhz)
    a_hm = (1.1 * lf - 0.7) * hm - (1.56 * lf - 0.8)
    loss = (
        69.55
        + 26.16 * lf
        - 13.82 * math.log10(hb)
        - a_hm
        + (44.9 - 6.55 * math.log10(hb)) * math.log10(max(d_km, 0.001))
    )
    if env is Environment.SUBURBAN:
        loss -= 2 * math.log10(f_mhz / 28) ** 2 + 5.4
    elif env is Environment.OPEN:
        loss -= 4.78 * lf**2 - 18.33 * lf + 40.94
    return max(loss, free_space_loss_db(d_km, f_mhz))


def path_loss_db(d_km: float, h1_m: float, h2_m: float, radio: RadioConfig) -> float:
    """Median path loss (dB) of a link on the scenario's model (before shadowing)."""
    high, low = max(h1_m, h2_m), min(h1_m, h2_m)
    if radio.path_loss is PathLoss.TOWN and high < ELEVATED_M:
        umi = umi_nlos_db(d_km * 1000.0, high, low, FREQUENCY_MHZ / 1000.0)
        return max(umi, free_space_loss_db(d_km))
    return hata_loss_db(d_km, high, low, radio.environment)


def radio_horizon_km(h1_m: float, h2_m: float) -> float:
    return EARTH_HORIZON_KM_PER_SQRT_M * (math.sqrt(h1_m) + math.sqrt(h2_m))


def pair_shadowing_db(seed: int, a: int, b: int, sigma_db: float) -> float:
    """Deterministic log-normal shadowing for the unordered node pair (a, b)."""
    if sigma_db == 0:
        return 0.0
    lo, hi = min(a, b), max(a, b)
    # A seeded stream per pair (not a secret): the same pair gets the same value in any order.
    return random.Random(f"{seed}:{lo}:{hi}").gauss(0.0, sigma_db)  # noqa: S311


def mean_snr_db(
    src: NodeSpec, dst: NodeSpec, radio: RadioConfig, shadowing_db: float
) -> float | None:
    """Mean SNR at ``dst`` of ``src``'s frames, or None beyond the radio horizon."""
    assert src.position is not None and dst.position is not None
    h1, h2 = src.position.height_m, dst.position.height_m
    d = distance_km(src.position, dst.position)
    if d > radio_horizon_km(h1, h2):
        return None
    loss = path_loss_db(d, h1, h2, radio) + shadowing_db
    tx = src.tx_power_dbm if src.tx_power_dbm is not None else radio.tx_power_dbm
    g_tx = src.antenna_gain_dbi if src.antenna_gain_dbi is not None else radio.antenna_gain_dbi
    g_rx = dst.antenna_gain_dbi if dst.antenna_gain_dbi is not None else radio.antenna_gain_dbi
    site_losses = 2 * radio.cable_loss_db + src.extra_loss_db + dst.extra_loss_db
    rx_dbm = tx + g_tx + g_rx - loss - site_losses
    return rx_dbm - noise_floor_dbm(radio.preset, radio.noise_figure_db)


def build_links(scenario: Scenario, seed: int) -> dict[tuple[int, int], Link]:
    """Every directed link worth modelling, keyed by (src num, dst num)."""
    radio = scenario.radio
    noise = noise_floor_dbm(radio.preset, radio.noise_figure_db)
    cutoff = demod_floor_db(radio.preset) - IRRELEVANCE_MARGIN_DB
    links: dict[tuple[int, int], Link] = {}
    if scenario.links is not None:
        by_name = {n.name: n.num for n in scenario.nodes}
        for spec in scenario.links:
            one, two = by_name[spec.a], by_name[spec.b]
            pairs = [(one, two)] if spec.one_way else [(one, two), (two, one)]
            for src, dst in pairs:
                links[(src, dst)] = Link(src, dst, spec.snr_db, spec.snr_db + noise, spec.loss)
        return links
    nodes = scenario.nodes
    for i, first in enumerate(nodes):
        for second in nodes[i + 1 :]:
            shadow = pair_shadowing_db(seed, first.num, second.num, radio.shadowing_sigma_db)
            for tx, rx in ((first, second), (second, first)):
                snr = mean_snr_db(tx, rx, radio, shadow)
                if snr is not None and snr >= cutoff:
                    links[(tx.num, rx.num)] = Link(tx.num, rx.num, snr, snr + noise)
    return links
