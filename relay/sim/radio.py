"""One node's LoRa radio, modelled on the firmware's ``RadioLibInterface``.

Transmit side (``RadioLibInterface::onNotify`` / ``setTransmitDelay``):

* a transmit queue of ``MAX_TX_QUEUE`` (16) packets ordered as ``MeshPacketQueue``
  orders them: packets in the late-rebroadcast window last, then by priority, relayed
  packets before our own at equal priority; a full queue evicts as the firmware does;
* one transmit timer. Its delay is drawn for the packet at the front: our own packets
  wait a random number of slots from a contention window sized by channel utilisation
  (``getTxDelayMsec``); relayed packets wait by the SNR they arrived with
  (``getTxDelayMsecWeighted``: weak-signal receivers first, ROUTER early, everyone else
  after the routers' window). Every completed reception or transmission restarts the
  timer with a fresh draw; an enqueue while the timer runs does not;
* when the timer fires: if the radio is transmitting or receiving, draw again; if the
  packet is in the late window, wait for it; if channel activity detection (CAD) hears a
  signal, draw again; otherwise transmit. CAD takes 2.5 symbols, so two radios whose
  timers fire less than a symbol apart do not hear each other and collide.

Receive side (the SX126x as the LoRa collision literature describes it):

* half duplex: nothing is received while transmitting (or doing CAD before it);
* the receiver locks onto the first decodable frame whose preamble it hears while idle,
  or one whose preamble still has 5 symbols left when it becomes idle;
* a locked frame is lost if another signal overlaps it after its first 11 preamble
  symbols and is not at least ``capture_margin_db`` (6 dB) weaker; a frame at least that
  much stronger arriving during the locked frame's preamble captures the receiver.
"""

from __future__ import annotations

import logging
import math
import random
from dataclasses import dataclass
from typing import Protocol

from relay.airtime import MESHTASTIC_PREAMBLE
from relay.sim.air import Air, Signal
from relay.sim.airtime_log import AirtimeLog
from relay.sim.api import Role
from relay.sim.frames import AirFrame
from relay.sim.scheduler import Scheduler, Timer

log = logging.getLogger(__name__)

CW_MIN = 3
CW_MAX = 8
SNR_MIN = -20
SNR_MAX = 10
PROCESSING_TIME_S = 4.5
#: Symbols of CAD (RadioLib's default 2, plus the half symbol the firmware's slot time counts).
CAD_SYMBOLS = 2.5
#: Preamble symbols a receiver needs to lock (the last 5 of Meshtastic's 16).
LOCK_SYMBOLS = 5
#: SX126x SNR estimates saturate for strong signals; reported SNR is capped here.
REPORTED_SNR_MAX_DB = 12.0


def arduino_map(x: float, in_min: int, in_max: int, out_min: int, out_max: int) -> int:
    """Arduino's integer ``map()``: x truncated to an integer, no clamping."""
    numerator = (math.trunc(x) - in_min) * (out_max - out_min)
    return math.trunc(numerator / (in_max - in_min)) + out_min


class RadioListener(Protocol):
    def radio_received(self, frame: AirFrame, sender: int, snr_db: float, rssi_dbm: int) -> None:
        """A frame decoded intact; ``sender`` is the node that transmitted this copy."""


@dataclass(slots=True, eq=False)
class QueuedTx:
    """A packet waiting in the transmit queue, with the reception data the firmware keeps."""

    frame: AirFrame
    rx_snr: float = 0.0
    rx_rssi: int = 0
    #: Absolute time the packet may go (0: not in the late-rebroadcast window).
    tx_after: float = 0.0

    @property
    def local(self) -> bool:
        return self.rx_snr == 0 and self.rx_rssi == 0


@dataclass(slots=True)
class RadioCounters:
    tx_packets: int = 0
    tx_relayed: int = 0
    rx_good: int = 0
    rx_corrupted: int = 0
    rx_captured: int = 0
    rx_missed_transmitting: int = 0
    queue_drops: int = 0
    deferrals: int = 0


class NodeRadio:
    def __init__(
        self,
        num: int,
        role: Role,
        *,
        scheduler: Scheduler,
        air: Air,
        rng: random.Random,
        queue_size: int = 16,
    ) -> None:
        self._num = num
        self.role = role
        self._sched = scheduler
        self._air = air
        self._rng = rng
        self._queue_size = queue_size
        cfg = air.config
        self._margin = cfg.capture_margin_db
        tsym_ms = 2**cfg.preset.sf / cfg.preset.bw_hz * 1000
        self._tsym = tsym_ms / 1000
        # computeSlotTimeMsec(): CAD + propagation + turnaround + MAC, truncated to ms.
        self.slot_s = int(max(2.25, CAD_SYMBOLS) * tsym_ms + 0.2 + 0.4 + 7) / 1000
        self._cad_s = CAD_SYMBOLS * self._tsym
        self._lock_window = (MESHTASTIC_PREAMBLE - LOCK_SYMBOLS) * self._tsym
        self.listener: RadioListener | None = None
        self.airtime = AirtimeLog()
        self.counters = RadioCounters()
        self._queue: list[QueuedTx] = []
        self._timer: Timer | None = None
        self._tx_busy = False
        # Signals announced or on the air at this receiver (a dict: O(1) removal, in order).
        self._signals: dict[Signal, None] = {}
        self._locked: Signal | None = None
        air.attach(self)

    @property
    def num(self) -> int:
        return self._num

    # --- delays (RadioInterface.cpp) ---------------------------------------------------

    def channel_utilization(self) -> float:
        return self.airtime.channel_utilization_percent(self._sched.now())

    def _cw_for_util(self) -> int:
        return arduino_map(self.channel_utilization(), 0, 100, CW_MIN, CW_MAX)

    def _cw_for_snr(self, snr: float) -> int:
        return max(0, arduino_map(snr, SNR_MIN, SNR_MAX, CW_MIN, CW_MAX))

    def local_delay(self) -> float:
        return self._rng.randrange(1 << self._cw_for_util()) * self.slot_s

    def weighted_delay(self, entry: QueuedTx) -> float:
        cw = self._cw_for_snr(entry.rx_snr)
        if self.role is Role.ROUTER:
            return self._rng.randrange(max(1, 2 * cw)) * self.slot_s
        return (2 * CW_MAX + self._rng.randrange(1 << cw)) * self.slot_s

    def weighted_worst(self, snr: float) -> float:
        return (2 * CW_MAX + (1 << self._cw_for_snr(snr))) * self.slot_s

    def retransmission_delay(self, frame: AirFrame) -> float:
        """getRetransmissionMsec(): long enough for the frame, the relays and an ack."""
        cw = self._cw_for_util()
        slots = (1 << cw) + 2 * CW_MAX + (1 << ((CW_MAX + CW_MIN) // 2))
        return 2 * self.packet_time(frame) + slots * self.slot_s + PROCESSING_TIME_S

    def packet_time(self, frame: AirFrame) -> float:
        return self._air.airtime_s(frame)

    # --- the transmit queue (MeshPacketQueue) -------------------------------------------

    def queue_status(self) -> tuple[int, int]:
        return (self._queue_size - len(self._queue), self._queue_size)

    def enqueue(self, frame: AirFrame, rx_snr: float = 0.0, rx_rssi: int = 0) -> bool:
        """RadioLibInterface::send(): queue (or refuse when full), then arm the timer."""
        entry = QueuedTx(frame, rx_snr, rx_rssi)
        if not self._insert(entry):
            self.counters.queue_drops += 1
            return False
        self._set_transmit_delay()
        return True

    def find(self, src: int, packet_id: int) -> bool:
        return any(e.frame.key == (src, packet_id) for e in self._queue)

    def cancel(self, src: int, packet_id: int) -> bool:
        return self._remove(src, packet_id, normal=True, late=True) is not None

    def remove_pending(self, src: int, packet_id: int, hop_limit_below: int) -> bool:
        """Drop a queued copy with fewer hops left than an upgraded one we just heard."""
        return self._remove(src, packet_id, True, True, hop_limit_below) is not None

    def clamp_to_late_window(self, src: int, packet_id: int) -> None:
        entry = self._remove(src, packet_id, normal=True, late=False)
        if entry is not None:
            entry.tx_after = self._sched.now() + self.weighted_worst(entry.rx_snr)
            if not self._insert(entry):
                self.counters.queue_drops += 1

    def _before(self, a: QueuedTx, b: QueuedTx) -> bool:
        if bool(a.tx_after) != bool(b.tx_after):
            return not a.tx_after
        if a.frame.priority != b.frame.priority:
            return a.frame.priority > b.frame.priority
        return a.frame.src != self._num and b.frame.src == self._num

    def _insert(self, entry: QueuedTx) -> bool:
        if len(self._queue) >= self._queue_size and not self._evict_for(entry):
            return False
        for i, other in enumerate(self._queue):
            if self._before(entry, other):
                self._queue.insert(i, entry)
                return True
        self._queue.append(entry)
        return True

    def _evict_for(self, entry: QueuedTx) -> bool:
        """replaceLowerPriorityPacket(): make room for a more important packet."""
        queue, prio = self._queue, entry.frame.priority
        back = queue[-1]
        if not back.tx_after and back.frame.priority < prio:
            queue.pop()
            return True
        if back.tx_after:
            normal = [i for i, e in enumerate(queue) if not e.tx_after]
            if normal and queue[normal[-1]].frame.priority < prio:
                del queue[normal[-1]]
                return True
            late_ok = not entry.tx_after or back.tx_after > entry.tx_after
            if back.tx_after < self._sched.now() and late_ok:
                queue.pop()
                return True
        return False

    def _remove(
        self, src: int, packet_id: int, normal: bool, late: bool, hop_limit_below: int = 0
    ) -> QueuedTx | None:
        for i, entry in enumerate(self._queue):
            f = entry.frame
            window_ok = (normal and not entry.tx_after) or (late and bool(entry.tx_after))
            hops_ok = not hop_limit_below or f.hop_limit < hop_limit_below
            if f.key == (src, packet_id) and window_ok and hops_ok:
                del self._queue[i]
                return entry
        return None

    # --- the transmit timer (RadioLibInterface::onNotify) -------------------------------

    def _set_transmit_delay(self) -> None:
        if not self._queue or (self._timer is not None and self._timer.active):
            return
        front, now = self._queue[0], self._sched.now()
        if front.tx_after:
            add = self.weighted_delay(front) if front.rx_rssi else self.local_delay()
            ceiling = now + 2 * self.weighted_worst(front.rx_snr)
            front.tx_after = min(max(front.tx_after + add, now + add), ceiling)
            delay = front.tx_after - now
        elif front.local:
            delay = self.local_delay()
        else:
            delay = self.weighted_delay(front)
        self._timer = self._sched.call_later(delay, self._transmit_delay_completed)

    def _restart_timer(self) -> None:
        """An RX or TX interrupt: the pending delay is forgotten and drawn again."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._set_transmit_delay()

    def _transmit_delay_completed(self) -> None:
        self._timer = None
        if not self._queue:
            return
        now = self._sched.now()
        if self._tx_busy or self._locked is not None:
            self.counters.deferrals += 1
            self._set_transmit_delay()
            return
        front = self._queue[0]
        if front.tx_after and front.tx_after > now:
            self._timer = self._sched.call_at(front.tx_after, self._transmit_delay_completed)
            return
        if self.channel_active():
            self.counters.deferrals += 1
            self._set_transmit_delay()
            return
        self._queue.pop(0)
        self._start_send(front)

    def channel_active(self) -> bool:
        """CAD: a sensed signal that is on the air during our detection window."""
        now = self._sched.now()
        horizon = now + self._cad_s - self._tsym
        return any(s.sensed and s.start <= horizon and s.end > now for s in self._signals)

    def transmit_now(self, frame: AirFrame) -> None:
        """Start transmitting ``frame`` at once, bypassing the queue and CAD (for tests and
        tools that need a transmission at an exact time)."""
        self._start_send(QueuedTx(frame))

    def _start_send(self, entry: QueuedTx) -> None:
        self._tx_busy = True
        start = self._sched.now() + self._cad_s
        tx = self._air.transmit(self._num, entry.frame, start)
        self._sched.call_at(tx.end, lambda: self._send_completed(entry.frame, tx.end - tx.start))

    def _send_completed(self, frame: AirFrame, airtime_s: float) -> None:
        self._tx_busy = False
        self.airtime.log_tx(self._sched.now(), airtime_s)
        self.counters.tx_packets += 1
        if frame.src != self._num:
            self.counters.tx_relayed += 1
        self._restart_timer()
        self._try_late_lock()

    @property
    def transmitting(self) -> bool:
        return self._tx_busy

    @property
    def receiving(self) -> bool:
        return self._locked is not None

    # --- the receiver -------------------------------------------------------------------

    def signal_announced(self, signal: Signal) -> None:
        self._signals[signal] = None

    def signal_started(self, signal: Signal) -> None:
        if self._tx_busy:
            if signal.decodable:
                self.counters.rx_missed_transmitting += 1
            return
        locked = self._locked
        if locked is None:
            if signal.decodable:
                self._lock(signal)
            return
        in_preamble = self._sched.now() < locked.start + self._lock_window
        if signal.decodable and in_preamble and signal.snr_db >= locked.snr_db + self._margin:
            self.counters.rx_captured += 1
            self._lock(signal)
        elif signal.snr_db > locked.snr_db - self._margin:
            locked.corrupted = True

    def _lock(self, signal: Signal) -> None:
        now = self._sched.now()
        self._locked = signal
        critical = max(now, signal.start + self._lock_window)
        floor = signal.snr_db - self._margin
        signal.corrupted = any(
            o is not signal and o.start <= now and o.end > critical and o.snr_db > floor
            for o in self._signals
        )

    def _try_late_lock(self) -> None:
        if self._tx_busy or self._locked is not None:
            return
        now = self._sched.now()
        late = [
            s
            for s in self._signals
            if s.decodable and s.start <= now < s.end and now <= s.start + self._lock_window
        ]
        if late:
            self._lock(max(late, key=lambda s: s.snr_db))

    def signal_ended(self, signal: Signal) -> None:
        del self._signals[signal]
        if signal is not self._locked:
            return
        self._locked = None
        self.airtime.log_rx(self._sched.now(), signal.end - signal.start)
        self._restart_timer()
        if signal.corrupted:
            self.counters.rx_corrupted += 1
        else:
            self.counters.rx_good += 1
            if self.listener is not None:
                snr = min(signal.snr_db, REPORTED_SNR_MAX_DB)
                self.listener.radio_received(
                    signal.tx.frame, signal.tx.sender, snr, round(signal.rssi_dbm)
                )
        self._try_late_lock()
