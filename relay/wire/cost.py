"""What a message costs on air: bytes, frames and time at a modem preset.

Shown before anything is sent (``relay compose``, the daemon's queue, the dashboard),
so operators see that a long text costs three frames and seven seconds of channel.
"""

from __future__ import annotations

from dataclasses import dataclass

from relay.airtime import MAX_APP_PAYLOAD, ModemPreset, frame_airtime_s
from relay.wire.fragments import HEADER_BYTES, frame_count


@dataclass(frozen=True, slots=True)
class Cost:
    size: int
    frames: int
    airtime_s: float
    preset: str

    @property
    def airtime_ms(self) -> float:
        return self.airtime_s * 1000.0


def frame_sizes(size: int, max_payload: int = MAX_APP_PAYLOAD) -> list[int]:
    """Payload bytes of each frame that carries a message of ``size`` bytes."""
    n = frame_count(size, max_payload)
    if n == 1:
        return [size]
    chunk = max_payload - HEADER_BYTES
    return [HEADER_BYTES + min(chunk, size - i * chunk) for i in range(n)]


def message_cost(size: int, preset: ModemPreset, max_payload: int = MAX_APP_PAYLOAD) -> Cost:
    """Cost of sending a message of ``size`` bytes once (one transmission per frame)."""
    sizes = frame_sizes(size, max_payload)
    airtime = sum(frame_airtime_s(s, preset) for s in sizes)
    return Cost(size=size, frames=len(sizes), airtime_s=airtime, preset=preset.name)
