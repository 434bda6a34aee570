"""Path loss for low antennas in Dutch towns: the ``town`` model of the region-town scenario.

Why another model
-----------------
Support points are 1-2 storey buildings with the radio indoors or an antenna a few
metres up. Okumura-Hata is fitted for base antennas of 30-200 m and mobiles of 1-10 m
(Hata 1980; ITU-R P.529-3): between two such low antennas it is an extrapolation, and
a 10 m "mobile" antenna earns Hata's 21.5 dB height gain at 869 MHz. The ``town`` model
therefore splits links by the height of their higher antenna:

* **Below rooftop at both ends** (higher antenna < :data:`ELEVATED_M`): 3GPP TR 38.901
  V17.0.0, Table 7.4.1-1, *UMi-Street Canyon*, NLOS: ``PL = max(PL_LOS, PL'_NLOS)``
  with ``PL'_NLOS = 35.3 log10(d3D) + 22.4 + 21.3 log10(fc) - 0.3 (hUT - 1.5)`` and the
  two-slope LOS formula (breakpoint ``d'BP = 4 h'BS h'UT fc / c``, effective environment
  height 1 m). Valid 0.5-100 GHz (869 MHz is inside), 10 m <= d2D <= 5 km,
  1.5 m <= hUT <= 22.5 m; beyond 5 km the formula is extended (the loss there already
  exceeds the LoRa link budget). Shadowing in the TR: σ = 7.82 dB (the scenario's
  ``shadowing_sigma_db`` of 8 dB is used).
* **One end elevated** (a relay site or the hub, >= 30 m): Okumura-Hata, inside its
  fitted range, with the *real* height of the low antenna (1.5-8 m gives 0-12 dB of
  height gain, no longer 21.5 dB).

Indoor radios lose the **building entry loss** of ITU-R P.2109-2 (Annex 1, §3) at both
ends of every link; :func:`building_entry_loss_db` computes it for a traditional
(non-insulated-glass) building. At 869 MHz its median is 14.2 dB, its interquartile
range 9.4-19.7 dB: the generator draws each indoor point's loss from that range.
"""

from __future__ import annotations

import math
from statistics import NormalDist

#: Antennas at or above this height are "elevated": Hata's lowest fitted base height.
ELEVATED_M = 30.0
#: 3GPP TR 38.901 Table 7.4.1-1, UMi-Street Canyon: validity of the UE height (m).
UMI_H_UT_MIN_M = 1.5
UMI_H_UT_MAX_M = 22.5
#: TR 38.901 §7.4.1 note: effective environment height for the UMi breakpoint (m).
UMI_ENV_HEIGHT_M = 1.0
#: TR 38.901 7.4.1: the formulas start at a 2D distance of 10 m.
UMI_MIN_D2D_M = 10.0
SPEED_OF_LIGHT = 299_792_458.0

#: ITU-R P.2109-2 Table 1, building entry loss coefficients (r, s, t, u, v, w, x, y, z).
P2109_TRADITIONAL = (12.64, 3.72, 0.96, 9.6, 2.0, 9.1, -3.0, 4.5, -2.0)
P2109_THERMALLY_EFFICIENT = (28.19, -3.00, 8.48, 13.5, 3.8, 27.8, -2.9, 9.4, -2.1)
#: P.2109-2 eq. (1): the constant C (dB).
P2109_C_DB = -3.0


def umi_los_db(d2d_m: float, h_bs_m: float, h_ut_m: float, f_ghz: float) -> float:
    """TR 38.901 UMi-Street Canyon LOS path loss (dB), two slopes around ``d'BP``."""
    d2d = max(d2d_m, UMI_MIN_D2D_M)
    d3d = math.hypot(d2d, h_bs_m - h_ut_m)
    h_bs_eff = max(h_bs_m - UMI_ENV_HEIGHT_M, 0.1)
    h_ut_eff = max(h_ut_m - UMI_ENV_HEIGHT_M, 0.1)
    d_bp = 4 * h_bs_eff * h_ut_eff * f_ghz * 1e9 / SPEED_OF_LIGHT
    if d2d <= d_bp:
        return 32.4 + 21 * math.log10(d3d) + 20 * math.log10(f_ghz)
    return (
        32.4
        + 40 * math.log10(d3d)
        + 20 * math.log10(f_ghz)
        - 9.5 * math.log10(d_bp**2 + (h_bs_m - h_ut_m) ** 2)
    )


def umi_nlos_db(d2d_m: float, h_bs_m: float, h_ut_m: float, f_ghz: float) -> float:
    """TR 38.901 UMi-Street Canyon NLOS path loss (dB): never below the LOS loss."""
    h_ut = min(max(h_ut_m, UMI_H_UT_MIN_M), UMI_H_UT_MAX_M)
    d3d = math.hypot(max(d2d_m, UMI_MIN_D2D_M), h_bs_m - h_ut)
    nlos = 35.3 * math.log10(d3d) + 22.4 + 21.3 * math.log10(f_ghz) - 0.3 * (h_ut - 1.5)
    return max(umi_los_db(d2d_m, h_bs_m, h_ut, f_ghz), nlos)


def building_entry_loss_db(
    f_ghz: float,
    probability: float,
    coefficients: tuple[float, ...] = P2109_TRADITIONAL,
    elevation_deg: float = 0.0,
) -> float:
    """ITU-R P.2109-2 building entry loss (dB) not exceeded with ``probability`` (0..1)."""
    if not 0.0 < probability < 1.0:
        raise ValueError(f"probability must be in (0, 1), not {probability}")
    r, s, t, u, v, w, x, y, z = coefficients
    lf = math.log10(f_ghz)
    horizontal = r + s * lf + t * lf**2  # eq. (2): median loss, horizontal path
    mu1 = horizontal + 0.212 * abs(elevation_deg)  # eq. (3)
    sigma1 = u + v * lf
    mu2 = w + x * lf
    sigma2 = y + z * lf
    q = NormalDist().inv_cdf(probability)
    a = q * sigma1 + mu1
    b = q * sigma2 + mu2
    return 10 * math.log10(10 ** (0.1 * a) + 10 ** (0.1 * b) + 10 ** (0.1 * P2109_C_DB))
