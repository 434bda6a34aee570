"""The shared LoRa channel: who hears a transmission, how strongly, and when.

The air knows the links (from :mod:`relay.sim.propagation` or a scenario's link table)
and the radios attached to it. A transmission is announced when its sender decides to
transmit (so a neighbour's channel-activity detection a few milliseconds later can see
it coming), then starts and ends at fixed virtual times; every radio in range gets a
:class:`Signal` with its own received power, per-frame fading and link loss drawn from
the simulation's random stream. What a radio makes of overlapping signals (locking,
capture, collisions, half-duplex) is the radio's business (:mod:`relay.sim.radio`).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from relay.airtime import lora_airtime_s
from relay.sim.frames import AirFrame
from relay.sim.propagation import Link, demod_floor_db
from relay.sim.scenario import RadioConfig
from relay.sim.scheduler import Scheduler


@dataclass(slots=True, eq=False)
class Transmission:
    sender: int
    frame: AirFrame
    start: float
    end: float


@dataclass(slots=True, eq=False)
class Signal:
    """One transmission as one receiver experiences it."""

    tx: Transmission
    snr_db: float
    rssi_dbm: float
    #: Above the demodulation floor: channel activity detection notices it.
    sensed: bool
    #: Sensed and not lost on the link: the receiver can decode it if nothing interferes.
    decodable: bool
    corrupted: bool = field(default=False)

    @property
    def start(self) -> float:
        return self.tx.start

    @property
    def end(self) -> float:
        return self.tx.end


class Receiver(Protocol):
    """What the air needs from a radio."""

    @property
    def num(self) -> int: ...

    def signal_announced(self, signal: Signal) -> None: ...

    def signal_started(self, signal: Signal) -> None: ...

    def signal_ended(self, signal: Signal) -> None: ...


@dataclass(slots=True)
class AirStats:
    transmissions: int = 0
    airtime_s: float = 0.0
    #: Time during which at least one transmission was on the air somewhere.
    busy_s: float = 0.0
    busy_until: float = 0.0

    def add(self, start: float, end: float) -> None:
        self.transmissions += 1
        self.airtime_s += end - start
        if start >= self.busy_until:
            self.busy_s += end - start
            self.busy_until = end
        elif end > self.busy_until:
            self.busy_s += end - self.busy_until
            self.busy_until = end


class Air:
    def __init__(
        self,
        scheduler: Scheduler,
        links: dict[tuple[int, int], Link],
        radio: RadioConfig,
        rng: random.Random,
    ) -> None:
        self.scheduler = scheduler
        self.config = radio
        self._rng = rng
        self._floor = demod_floor_db(radio.preset)
        self._links = dict(links)
        self._neighbours: dict[int, list[Link]] = {}
        for (src, _dst), link in sorted(self._links.items()):
            self._neighbours.setdefault(src, []).append(link)
        self._receivers: dict[int, Receiver] = {}
        self._airtime_cache: dict[int, float] = {}
        self.stats = AirStats()

    @property
    def demod_floor_db(self) -> float:
        return self._floor

    def attach(self, receiver: Receiver) -> None:
        self._receivers[receiver.num] = receiver

    def link(self, src: int, dst: int) -> Link | None:
        return self._links.get((src, dst))

    def neighbours(self, src: int) -> Iterable[Link]:
        return tuple(self._neighbours.get(src, ()))

    def airtime_s(self, frame: AirFrame) -> float:
        cached = self._airtime_cache.get(frame.phy_len)
        if cached is None:
            cached = lora_airtime_s(frame.phy_len, self.config.preset)
            self._airtime_cache[frame.phy_len] = cached
        return cached

    def transmit(self, sender: int, frame: AirFrame, start: float) -> Transmission:
        """Put ``frame`` on the air from ``start`` (now, or after the sender's CAD)."""
        tx = Transmission(sender, frame, start, start + self.airtime_s(frame))
        signals = [(rx, self._signal(tx, link)) for rx, link in self._audience(sender)]
        for rx, sig in signals:
            rx.signal_announced(sig)
        self.scheduler.call_at(tx.start, lambda: _start_all(signals))
        self.scheduler.call_at(tx.end, lambda: _end_all(signals))
        self.stats.add(tx.start, tx.end)
        return tx

    def _audience(self, sender: int) -> list[tuple[Receiver, Link]]:
        out = []
        for link in self._neighbours.get(sender, ()):
            rx = self._receivers.get(link.dst)
            if rx is not None:
                out.append((rx, link))
        return out

    def _signal(self, tx: Transmission, link: Link) -> Signal:
        rng, cfg = self._rng, self.config
        fade = rng.gauss(0.0, cfg.fading_sigma_db) if cfg.fading_sigma_db else 0.0
        snr = link.snr_db + fade
        lost = (link.loss > 0 and rng.random() < link.loss) or (
            cfg.extra_loss > 0 and rng.random() < cfg.extra_loss
        )
        sensed = snr >= self._floor
        return Signal(tx, snr, link.rssi_dbm + fade, sensed=sensed, decodable=sensed and not lost)


def _start_all(signals: list[tuple[Receiver, Signal]]) -> None:
    for rx, sig in signals:
        rx.signal_started(sig)


def _end_all(signals: list[tuple[Receiver, Signal]]) -> None:
    for rx, sig in signals:
        rx.signal_ended(sig)
