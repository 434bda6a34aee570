"""The routing part of Meshtastic 2.7 firmware, one instance per simulated node.

It follows ``ReliableRouter`` -> ``NextHopRouter`` -> ``FloodingRouter`` -> ``Router``
(firmware v2.7.26, ``src/mesh/``) method by method; the names below point at them.

* Managed flooding: duplicates are suppressed through :class:`PacketHistory`; a node
  relays a packet it has not seen with one hop less, after the radio's SNR-weighted
  delay; a CLIENT that overhears someone else's relay first cancels its own
  (``perhapsCancelDupe``), ROUTER and ROUTER_LATE never cancel, ROUTER_LATE moves its
  copy to the late window. CLIENT_MUTE and rebroadcast mode NONE never relay;
  CORE_PORTNUMS_ONLY drops (does not relay, does not deliver) private ports like 256.
* Reliability: a want_ack packet from our client is sent up to 3 times
  (``NUM_RELIABLE_RETX``); a broadcast is acked implicitly when we overhear a relay of
  it; a DM is acked by the destination with a ROUTING_APP packet; after the last try the
  client gets ``MAX_RETRANSMIT``.
* Next-hop routing for DMs: learned from acks that come back through a node that also
  relayed the original; an intermediate relay retransmits once, falling back to
  flooding; the original sender's last try floods and forgets the learned hop.
* ``Router::send`` refusals: over the duty cycle our own packets are NAKed with
  ``DUTY_CYCLE_LIMIT`` and relays silently dropped; frames above 255 PHY bytes are NAKed
  ``TOO_LARGE``. Every client packet gets its ``QueueStatus`` result
  (``MeshService::sendToMesh``), which is the only sign of a full transmit queue.
* PKI (``perhapsEncode``): a direct message we originate, on any port but ROUTING,
  TRACEROUTE, NODEINFO and POSITION, is encrypted to the destination's key: 12 more
  bytes on air (for every copy, relays included), ``TOO_LARGE`` above 219 bytes of ours,
  and ``PKI_SEND_FAIL_PUBLIC_KEY`` to a node not in the node database. Every scenario
  node's key is known (the database starts full).

Not modelled: channel encryption itself, MQTT, favourite routers, position/nodeinfo/telemetry
modules (the node database is pre-filled with every scenario node).
"""

from __future__ import annotations

import dataclasses
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from relay.sim.api import BROADCAST, ERRNO_OK, ERRNO_UNKNOWN, RebroadcastMode, Role, RoutingError
from relay.sim.frames import (
    CORE_PORTNUMS,
    NO_NEXT_HOP,
    PKI_EXCLUDED_PORTS,
    ROUTING_APP,
    TEXT_MESSAGE_APP,
    TEXT_MESSAGE_COMPRESSED_APP,
    AirFrame,
    Priority,
    default_priority,
    last_byte,
    routing_payload,
)
from relay.sim.history import PacketHistory
from relay.sim.radio import NodeRadio
from relay.sim.scheduler import Scheduler, Timer

log = logging.getLogger(__name__)

NUM_RELIABLE_RETX = 3
NUM_INTERMEDIATE_RETX = 2
#: (rx_snr, rx_rssi) of a packet we generated ourselves; the radio times those differently.
LOCAL = (0.0, 0)
Rx = tuple[float, int]


class FirmwareHost(Protocol):
    """The node around the firmware: hands packets and routing results to the client."""

    def deliver(self, frame: AirFrame, rx: Rx, sender: int) -> None: ...

    def routing_result(
        self, request_id: int, error: RoutingError, from_node: int, implicit: bool
    ) -> None: ...

    def client_send_result(self, packet_id: int, res: int) -> None:
        """What ``MeshService::sendToMesh`` puts into the client's QueueStatus."""


@dataclass(slots=True)
class NodeRecord:
    """The part of ``NodeInfoLite`` routing uses."""

    num: int
    next_hop: int = NO_NEXT_HOP
    last_heard: float | None = None
    snr: float | None = None
    hops_away: int | None = None


@dataclass(slots=True, eq=False)
class PendingPacket:
    frame: AirFrame
    rx: Rx
    retransmissions_left: int
    next_tx: float
    timer: Timer | None = None


@dataclass(slots=True)
class FirmwareCounters:
    rx_dupe: int = 0
    relays_queued: int = 0
    relays_cancelled: int = 0
    relays_dropped_duty_cycle: int = 0
    refused_duty_cycle: int = 0
    refused_too_large: int = 0
    #: Our own packets the full transmit queue refused (QueueStatus res ERRNO_UNKNOWN).
    refused_queue_full: int = 0
    retransmissions: int = 0


@dataclass(frozen=True, slots=True)
class FirmwareConfig:
    role: Role
    rebroadcast_mode: RebroadcastMode
    hop_limit: int = 3
    duty_cycle_percent: float = 10.0


class Firmware:
    def __init__(
        self,
        num: int,
        config: FirmwareConfig,
        *,
        scheduler: Scheduler,
        radio: NodeRadio,
        rng: random.Random,
        host: FirmwareHost,
        known_nodes: Iterable[int] = (),
    ) -> None:
        self.num = num
        self.config = config
        self._relay_id = last_byte(num)
        self._sched = scheduler
        self.radio = radio
        self._rng = rng
        self._host = host
        self.history = PacketHistory(num)
        self.nodes = {n: NodeRecord(n) for n in known_nodes if n != num}
        self.pending: dict[tuple[int, int], PendingPacket] = {}
        self.counters = FirmwareCounters()
        self._id_counter = rng.getrandbits(31)
        radio.listener = self

    # --- from the client (MeshService::handleToRadio, Router::sendLocal) -----------------

    def generate_packet_id(self) -> int:
        """generatePacketId(): a rolling 10-bit counter under 22 random bits."""
        self._id_counter = (self._id_counter + 1) & 0x3FF
        return ((self._rng.getrandbits(22) << 10) | self._id_counter) or 1

    def send_from_client(
        self,
        dst: int,
        portnum: int,
        payload: bytes,
        *,
        want_ack: bool,
        hop_limit: int | None,
        packet_id: int | None,
    ) -> int:
        pid = packet_id or self.generate_packet_id()
        hops = self.config.hop_limit if hop_limit is None else hop_limit
        if want_ack and hops == 0:
            hops = self.config.hop_limit
        frame = AirFrame(
            src=self.num,
            dst=dst,
            id=pid,
            portnum=portnum,
            payload=payload,
            hop_limit=hops,
            hop_start=hops,
            want_ack=want_ack,
            priority=default_priority(portnum, want_ack, 0),
            pki=dst not in (BROADCAST, self.num) and portnum not in PKI_EXCLUDED_PORTS,
        )
        self._host.client_send_result(pid, self._send_local(frame))
        return pid

    def _send_local(self, frame: AirFrame) -> int:
        """Router::sendLocal(): the ErrorCode for the client's QueueStatus."""
        if frame.dst == self.num:
            # Enqueued to ourselves: handled on the next turn, like the fromRadio queue.
            self._sched.call_later(0.0, lambda: self._handle_received(frame, LOCAL, self.num))
            return ERRNO_OK
        return self._reliable_send(frame)

    def _send_ack_nak(
        self, error: RoutingError, to: int, request_id: int, hop_limit: int, want_ack: bool = False
    ) -> None:
        """RoutingModule::sendAckNak(): an ack or NAK packet, to the mesh or to ourselves."""
        frame = AirFrame(
            src=self.num,
            dst=to,
            id=self.generate_packet_id(),
            portnum=ROUTING_APP,
            payload=routing_payload(error),
            hop_limit=hop_limit,
            hop_start=hop_limit,
            want_ack=want_ack,
            request_id=request_id,
            routing_error=error,
            priority=Priority.ACK,
        )
        self._send_local(frame)

    def _abort_send_and_nak(self, error: RoutingError, frame: AirFrame) -> None:
        self._send_ack_nak(error, frame.src, frame.id, self.config.hop_limit)

    # --- sending (ReliableRouter / NextHopRouter / FloodingRouter / Router ::send) ------

    def _reliable_send(self, frame: AirFrame) -> int:
        if frame.want_ack:
            self._start_retransmission(frame, LOCAL, NUM_RELIABLE_RETX)
        airtime = self.radio.packet_time(frame)
        for key, pending in self.pending.items():
            if key[1] != frame.id:
                pending.next_tx += airtime
        if frame.is_broadcast:
            return self._flooding_send(frame, LOCAL)
        return self._next_hop_send(frame, LOCAL)

    def _flooding_send(self, frame: AirFrame, rx: Rx) -> int:
        frame = dataclasses.replace(frame, relay_node=self._relay_id)
        self.history.was_seen_recently(frame)
        return self._router_send(frame, rx)

    def _next_hop_send(self, frame: AirFrame, rx: Rx) -> int:
        frame = dataclasses.replace(frame, relay_node=self._relay_id)
        self.history.was_seen_recently(frame)
        frame = dataclasses.replace(frame, next_hop=self._next_hop_for(frame.dst))
        from_us = frame.src == self.num
        relaying_next_hop = frame.next_hop != NO_NEXT_HOP and (
            frame.hop_limit > 0 or frame.want_ack
        )
        if (not from_us or not frame.want_ack) and relaying_next_hop:
            self._start_retransmission(frame, rx, NUM_INTERMEDIATE_RETX)
        return self._router_send(frame, rx)

    def _next_hop_for(self, dst: int) -> int:
        record = self.nodes.get(dst)
        if dst == BROADCAST or record is None or record.next_hop == NO_NEXT_HOP:
            return NO_NEXT_HOP
        return record.next_hop if record.next_hop != self._relay_id else NO_NEXT_HOP

    def _router_send(self, frame: AirFrame, rx: Rx) -> int:
        """Router::send() down to RadioLibInterface::send(): an ErrorCode (0 = queued)."""
        from_us = frame.src == self.num
        now = self._sched.now()
        if self.radio.airtime.utilization_tx_percent(now) > self.config.duty_cycle_percent:
            if from_us:
                self.counters.refused_duty_cycle += 1
                self._abort_send_and_nak(RoutingError.DUTY_CYCLE_LIMIT, frame)
            else:
                self.counters.relays_dropped_duty_cycle += 1
            return RoutingError.DUTY_CYCLE_LIMIT
        if frame.is_broadcast and frame.want_ack:
            frame = dataclasses.replace(frame, want_ack=False)
        if from_us and frame.hop_start != frame.hop_limit:
            frame = dataclasses.replace(frame, hop_start=frame.hop_limit)
        # perhapsEncode(): the size check includes the PKI overhead (frame.phy_len has it).
        if frame.too_large:
            self.counters.refused_too_large += 1
            self._abort_send_and_nak(RoutingError.TOO_LARGE, frame)
            return RoutingError.TOO_LARGE
        if frame.pki and from_us and frame.dst not in self.nodes:
            self._abort_send_and_nak(RoutingError.PKI_SEND_FAIL_PUBLIC_KEY, frame)
            return RoutingError.PKI_SEND_FAIL_PUBLIC_KEY
        if not from_us:
            self.counters.relays_queued += 1
        if not self.radio.enqueue(frame, *rx):
            # RadioLibInterface::send(): MeshPacketQueue::enqueue() found no room and
            # nothing of lower priority to evict; the packet is released unsent.
            if from_us:
                self.counters.refused_queue_full += 1
            return ERRNO_UNKNOWN
        return ERRNO_OK

    def _cancel_sending(self, src: int, packet_id: int) -> bool:
        if self.radio.cancel(src, packet_id):
            self.history.remove_relayer(self._relay_id, packet_id, src)
            return True
        return False

    # --- retransmissions (NextHopRouter::doRetransmissions) -----------------------------

    def _start_retransmission(self, frame: AirFrame, rx: Rx, tries: int) -> None:
        self.stop_retransmission(frame.key)
        pending = PendingPacket(frame, rx, tries - 1, 0.0)
        self.pending[frame.key] = pending
        self._schedule_retransmission(pending)

    def _schedule_retransmission(self, pending: PendingPacket) -> None:
        pending.next_tx = self._sched.now() + self.radio.retransmission_delay(pending.frame)
        key = pending.frame.key
        pending.timer = self._sched.call_at(pending.next_tx, lambda: self._retransmit_due(key))

    def stop_retransmission(self, key: tuple[int, int]) -> bool:
        pending = self.pending.pop(key, None)
        if pending is None:
            return False
        if pending.retransmissions_left < NUM_RELIABLE_RETX - 1:
            frame = pending.frame
            if frame.src == self.num or self._role_allows_cancel():
                self._cancel_sending(*key)
        if pending.timer is not None:
            pending.timer.cancel()
        return True

    def _retransmit_due(self, key: tuple[int, int]) -> None:
        pending = self.pending.get(key)
        if pending is None:
            return
        now = self._sched.now()
        if now < pending.next_tx:  # pushed back by airtime we spent or heard meanwhile
            pending.timer = self._sched.call_at(pending.next_tx, lambda: self._retransmit_due(key))
            return
        frame = pending.frame
        if pending.retransmissions_left == 0:
            if frame.src == self.num:
                self._send_ack_nak(RoutingError.MAX_RETRANSMIT, self.num, frame.id, 0)
            self.stop_retransmission(key)
            return
        self.counters.retransmissions += 1
        if frame.is_broadcast:
            self._flooding_send(frame, pending.rx)
        elif pending.retransmissions_left == 1:
            # Last try: forget the learned next hop and flood.
            frame = pending.frame = dataclasses.replace(frame, next_hop=NO_NEXT_HOP)
            record = self.nodes.get(frame.dst)
            if record is not None:
                record.next_hop = NO_NEXT_HOP
            self._flooding_send(frame, pending.rx)
        else:
            self._next_hop_send(frame, pending.rx)
        pending.retransmissions_left -= 1
        self._schedule_retransmission(pending)

    # --- receiving (Router::perhapsHandleReceived and the shouldFilterReceived chain) ---

    def radio_received(self, frame: AirFrame, sender: int, snr_db: float, rssi_dbm: int) -> None:
        if frame.src == BROADCAST:
            return
        rx = (snr_db, rssi_dbm)
        if not self._should_filter(frame, rx, sender):
            self._handle_received(frame, rx, sender)

    def _should_filter(self, frame: AirFrame, rx: Rx, sender: int) -> bool:
        """ReliableRouter::shouldFilterReceived()."""
        if frame.src == self.num and frame.key in self.pending:
            # Someone relayed our packet: an implicit ack, and no more retries.
            self._host_routing(frame.id, RoutingError.NONE, sender, implicit=True)
            self.stop_retransmission(frame.key)
        airtime = self.radio.packet_time(frame)
        for pending in self.pending.values():
            pending.next_tx += airtime
        if frame.is_broadcast:
            return self._flooding_filter(frame, rx)
        return self._next_hop_filter(frame, rx)

    def _flooding_filter(self, frame: AirFrame, rx: Rx) -> bool:
        seen = self.history.was_seen_recently(frame)
        if seen.upgraded and self._handle_upgraded(frame, rx):
            return True
        if not seen.seen:
            return False
        self.counters.rx_dupe += 1
        if frame.hop_start > 0 and frame.hop_start == frame.hop_limit:
            # The originator is retrying: relay again unless our copy is still queued.
            if not self.radio.find(*frame.key):
                self._perhaps_rebroadcast(frame, rx)
        else:
            self._perhaps_cancel_dupe(frame)
        return True

    def _next_hop_filter(self, frame: AirFrame, rx: Rx) -> bool:
        seen = self.history.was_seen_recently(frame)
        if seen.upgraded and self._handle_upgraded(frame, rx):
            return True
        if not seen.seen:
            return False
        self.counters.rx_dupe += 1
        self.stop_retransmission(frame.key)
        if seen.fallback:
            if not self.radio.find(*frame.key):
                self._perhaps_rebroadcast(frame, rx)
        elif frame.hops_away == 0:
            if not self.radio.find(*frame.key):
                relayed = self._perhaps_rebroadcast(frame, rx)
                if not relayed and frame.dst == self.num and frame.want_ack:
                    self._send_ack_nak(RoutingError.NONE, frame.src, frame.id, 0)
        elif not seen.we_were_next_hop:
            self._perhaps_cancel_dupe(frame)
        return True

    def _handle_upgraded(self, frame: AirFrame, rx: Rx) -> bool:
        """A copy with more hops left than the one we queued replaces it."""
        if not (self._is_rebroadcaster() and frame.hop_limit > 0):
            return False
        if not self.radio.remove_pending(frame.src, frame.id, frame.hop_limit):
            return False
        self._perhaps_rebroadcast(frame, rx)
        self.counters.rx_dupe += 1
        return True

    def _role_allows_cancel(self) -> bool:
        return self.config.role not in (Role.ROUTER, Role.ROUTER_LATE)

    def _perhaps_cancel_dupe(self, frame: AirFrame) -> None:
        if self._role_allows_cancel() and self._cancel_sending(*frame.key):
            self.counters.relays_cancelled += 1
        if self.config.role is Role.ROUTER_LATE:
            self.radio.clamp_to_late_window(*frame.key)

    def _is_rebroadcaster(self) -> bool:
        return (
            self.config.role is not Role.CLIENT_MUTE
            and self.config.rebroadcast_mode is not RebroadcastMode.NONE
        )

    # --- handling (Router::handleReceived, RoutingModule, the sniffReceived chain) ------

    def _handle_received(self, frame: AirFrame, rx: Rx, sender: int) -> None:
        self._update_node(frame, rx)
        mode = self.config.rebroadcast_mode
        if mode is RebroadcastMode.CORE_PORTNUMS_ONLY and frame.portnum not in CORE_PORTNUMS:
            self._cancel_sending(*frame.key)
            return
        self._sniff_received(frame, rx)
        if frame.is_broadcast or frame.dst == self.num:
            if frame.portnum == ROUTING_APP:
                error = frame.routing_error or RoutingError.NONE
                self._host_routing(frame.request_id, error, frame.src, implicit=False)
            else:
                self._host.deliver(frame, rx, sender)

    def _host_routing(self, request_id: int, error: RoutingError, frm: int, implicit: bool) -> None:
        self._host.routing_result(request_id, error, frm, implicit)

    def _update_node(self, frame: AirFrame, rx: Rx) -> None:
        record = self.nodes.get(frame.src)
        if record is not None and rx != LOCAL:
            record.last_heard = self._sched.now()
            record.snr = rx[0]
            hops = frame.hops_away
            record.hops_away = hops if hops >= 0 else record.hops_away

    def _sniff_received(self, frame: AirFrame, rx: Rx) -> None:
        """ReliableRouter::sniffReceived(), then the flooding / next-hop variant."""
        if frame.dst == self.num:
            self._ack_if_asked(frame)
            if frame.request_id:
                # An ack, a reply or a NAK for something we sent: no more retries.
                self.stop_retransmission((frame.dst, frame.request_id))
        if frame.is_broadcast:
            self._perhaps_rebroadcast(frame, rx)
            return
        if frame.request_id:
            self._learn_next_hop(frame)
            if frame.dst != self.num:
                self._cancel_sending(frame.dst, frame.request_id)
                self.stop_retransmission((frame.dst, frame.request_id))
        self._perhaps_rebroadcast(frame, rx)

    def _ack_if_asked(self, frame: AirFrame) -> None:
        src = frame.src
        if frame.src == self.num:
            return
        if frame.want_ack:
            if frame.portnum in (TEXT_MESSAGE_APP, TEXT_MESSAGE_COMPRESSED_APP):
                hops = self._hop_limit_for_response(frame)
                self._send_ack_nak(RoutingError.NONE, src, frame.id, hops, want_ack=True)
            elif not frame.request_id:
                hops = self._hop_limit_for_response(frame)
                self._send_ack_nak(RoutingError.NONE, src, frame.id, hops)
            elif frame.hops_away == 0 or frame.next_hop != NO_NEXT_HOP:
                self._send_ack_nak(RoutingError.NONE, src, frame.id, 0)
        elif frame.next_hop == self._relay_id and frame.hop_limit > 0:
            self._send_ack_nak(RoutingError.NONE, src, frame.id, 0)

    def _hop_limit_for_response(self, frame: AirFrame) -> int:
        used, limit = frame.hops_away, self.config.hop_limit
        if used >= 0:
            if used > limit:
                return used
            if frame.hop_start == 0:
                return 0
            if used + 2 < limit:
                return used + 2
        return limit

    def _learn_next_hop(self, frame: AirFrame) -> None:
        """An ack/reply came back through ``relay_node``: route to its sender that way."""
        origin = self.nodes.get(frame.src)
        if origin is None:
            return
        history = self.history
        ack_relayer_relayed, _ = history.was_relayer(frame.relay_node, frame.request_id, frame.dst)
        we_relayed, we_alone = history.was_relayer(self._relay_id, frame.request_id, frame.dst)
        learn = (we_relayed and ack_relayer_relayed) or (frame.hops_away == 0 and we_alone)
        if learn and origin.next_hop != frame.relay_node:
            log.debug("%08x: next hop to %08x is now %02x", self.num, frame.src, frame.relay_node)
            origin.next_hop = frame.relay_node

    def _perhaps_rebroadcast(self, frame: AirFrame, rx: Rx) -> bool:
        if self.num in (frame.dst, frame.src) or frame.hop_limit <= 0:
            return False
        if frame.id == 0 or not self._is_rebroadcaster():
            return False
        if frame.next_hop not in (NO_NEXT_HOP, self._relay_id):
            return False
        # fixPriority() runs again on the relay's copy, with the header's want_ack.
        priority = default_priority(frame.portnum, frame.want_ack, frame.request_id)
        relay = dataclasses.replace(frame, hop_limit=frame.hop_limit - 1, priority=priority)
        if frame.next_hop == NO_NEXT_HOP:
            self._flooding_send(relay, rx)
        else:
            self._next_hop_send(relay, rx)
        return True
