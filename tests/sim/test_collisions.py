"""The receiver: locking, capture, collisions and half duplex, with exact timing."""

import random

import pytest

from relay.sim.air import Air
from relay.sim.api import BROADCAST, Role
from relay.sim.frames import AirFrame
from relay.sim.propagation import Link, noise_floor_dbm
from relay.sim.radio import NodeRadio
from relay.sim.scheduler import Scheduler

from .helpers import link_scenario

RX = 0x10


class Heard:
    def __init__(self) -> None:
        self.frames: list[tuple[AirFrame, int]] = []

    def radio_received(self, frame, sender, snr_db, rssi_dbm):
        self.frames.append((frame, sender))


def bench(snr_at_rx: dict[int, float]):
    """Senders (numbers 1, 2, ...) each heard by one receiver RX at the given mean SNR."""
    config = link_scenario(["x"], []).radio
    noise = noise_floor_dbm(config.preset)
    links = {(s, RX): Link(s, RX, snr, snr + noise) for s, snr in snr_at_rx.items()}
    sched = Scheduler()
    air = Air(sched, links, config, random.Random(1))
    rx = NodeRadio(RX, Role.CLIENT, scheduler=sched, air=air, rng=random.Random(2))
    heard = Heard()
    rx.listener = heard
    return sched, air, rx, heard


def frame(src: int, size: int = 50) -> AirFrame:
    return AirFrame(
        src=src, dst=BROADCAST, id=src, portnum=256, payload=bytes(size), hop_limit=3, hop_start=3
    )


def received(heard: Heard) -> list[int]:
    return [sender for _, sender in heard.frames]


def test_overlapping_frames_of_equal_power_are_both_lost():
    sched, air, rx, heard = bench({1: 0.0, 2: 0.0})
    air.transmit(1, frame(1), 0.0)
    air.transmit(2, frame(2), 0.3)
    sched.run_until(5)
    assert received(heard) == []
    assert rx.counters.rx_corrupted == 1


def test_frames_that_do_not_overlap_both_arrive():
    sched, air, _rx, heard = bench({1: 0.0, 2: 0.0})
    first = air.transmit(1, frame(1), 0.0)
    air.transmit(2, frame(2), first.end + 0.01)
    sched.run_until(5)
    assert received(heard) == [1, 2]


def test_a_locked_frame_survives_a_much_weaker_one():
    sched, air, _rx, heard = bench({1: 5.0, 2: -2.0})  # 7 dB apart: beyond the 6 dB margin
    air.transmit(1, frame(1), 0.0)
    air.transmit(2, frame(2), 0.3)
    sched.run_until(5)
    assert received(heard) == [1]


def test_a_stronger_frame_in_the_preamble_captures_the_receiver():
    sched, air, rx, heard = bench({1: -5.0, 2: 5.0})
    air.transmit(1, frame(1), 0.0)
    air.transmit(2, frame(2), 0.02)  # within the first 11 preamble symbols (90 ms)
    sched.run_until(5)
    assert received(heard) == [2]
    assert rx.counters.rx_captured == 1


def test_a_stronger_frame_after_the_preamble_destroys_both():
    sched, air, _rx, heard = bench({1: -5.0, 2: 5.0})
    air.transmit(1, frame(1), 0.0)
    air.transmit(2, frame(2), 0.5)
    sched.run_until(5)
    assert received(heard) == []


def test_a_frame_below_the_demodulation_floor_is_not_received_but_still_interferes():
    sched, air, _rx, heard = bench({1: -19.0, 2: -15.0})  # LONG_FAST floor: -17.5 dB
    air.transmit(1, frame(1), 0.0)
    sched.run_until(5)
    assert received(heard) == []
    air.transmit(2, frame(2), 5.0)
    air.transmit(1, frame(1), 5.3)  # 4 dB weaker: within the capture margin
    sched.run_until(10)
    assert received(heard) == []


def test_half_duplex_a_transmitting_radio_hears_nothing():
    sched, air, rx, heard = bench({1: 5.0})
    rx.transmit_now(frame(RX))
    air.transmit(1, frame(1), 0.1)
    sched.run_until(5)
    assert received(heard) == []
    assert rx.counters.rx_missed_transmitting == 1


def test_late_lock_on_a_preamble_still_in_progress():
    """A frame that starts while the receiver is busy can still be caught if at least
    five preamble symbols remain when the receiver frees up."""
    sched, air, _rx, heard = bench({1: 5.0, 2: 5.0})
    first = air.transmit(1, frame(1, size=10), 0.0)
    air.transmit(2, frame(2), first.end - 0.01)  # overlaps 10 ms of the first one's tail
    sched.run_until(5)
    assert received(heard) == [2]


@pytest.mark.parametrize("offset", [0.0, 0.005])
def test_cad_cannot_see_a_transmission_that_starts_within_a_symbol(offset):
    """Two radios whose timers fire less than a symbol apart both transmit (and collide)."""
    sched, air, rx, _ = bench({1: 5.0})
    air.transmit(1, frame(1), 0.0 + 0.0205)  # announced now, on the air after CAD
    sched.run_until(offset)
    assert rx.channel_active() is False
    sched.run_until(0.2)
    assert rx.channel_active() is True
