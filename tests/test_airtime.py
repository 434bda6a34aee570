"""Airtime against the reference values in shared/notes/radio-budget.md."""

import pytest

from relay.airtime import (
    MAX_APP_PAYLOAD,
    MAX_PHY_PAYLOAD,
    ModemPreset,
    frame_airtime_s,
    lora_airtime_s,
    phy_bytes,
    preset,
)
from relay.errors import ConfigError


@pytest.mark.parametrize(
    ("p", "payload", "preamble", "expected_ms"),
    [
        (ModemPreset("ref", 7, 125_000, 1), 10, 8, 41.2),
        (ModemPreset("ref", 7, 125_000, 1), 13, 8, 46.3),
        (preset("LONG_FAST"), 50, 16, 641.0),
        (preset("LONG_FAST"), 237, 16, 2033.7),
    ],
)
def test_semtech_reference_values(
    p: ModemPreset, payload: int, preamble: int, expected_ms: float
) -> None:
    assert lora_airtime_s(payload, p, preamble=preamble) * 1000 == pytest.approx(
        expected_ms, abs=0.05
    )


@pytest.mark.parametrize(
    ("name", "ms_50", "ms_255"),
    [
        ("SHORT_FAST", 53, 204),
        ("SHORT_SLOW", 96, 362),
        ("MEDIUM_FAST", 181, 642),
        ("MEDIUM_SLOW", 341, 1181),
        ("LONG_FAST", 641, 2157),
        ("LONG_MODERATE", 2036, 7934),
    ],
)
def test_preset_table(name: str, ms_50: int, ms_255: int) -> None:
    p = preset(name)
    assert round(lora_airtime_s(50, p) * 1000) == pytest.approx(ms_50, abs=1)
    assert round(lora_airtime_s(255, p) * 1000) == pytest.approx(ms_255, abs=1)


def test_full_frame_fills_the_phy() -> None:
    assert phy_bytes(MAX_APP_PAYLOAD) == MAX_PHY_PAYLOAD
    assert frame_airtime_s(MAX_APP_PAYLOAD, preset("LONG_FAST")) == pytest.approx(2.157, abs=0.001)


def test_unknown_preset_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="LONG_FASTER"):
        preset("LONG_FASTER")
