"""A tiny in-process SimNodeAPI for unit tests of the emulator's stream side.

Deliveries happen on the next loop iteration, DMs are acked by their destination,
broadcasts with want_ack get an implicit ack from the first other node. It is *not*
the simulator: the end-to-end tests run over the real air.
"""

from __future__ import annotations

import asyncio
import itertools

from relay.sim.api import (
    BROADCAST,
    MeshPacket,
    NodeApp,
    NodeInfo,
    RebroadcastMode,
    Role,
    RoutingError,
    RoutingReport,
)


class FakeAir:
    def __init__(self) -> None:
        self.nodes: dict[int, FakeNode] = {}
        self.sent: list[MeshPacket] = []
        #: Simulation time; tests move it by hand.
        self.clock = 0.0

    def add(self, num: int, name: str) -> FakeNode:
        node = FakeNode(self, NodeInfo(num=num, long_name=name, short_name=name[:4]))
        self.nodes[num] = node
        return node


class FakeNode:
    def __init__(self, air: FakeAir, info: NodeInfo) -> None:
        self._air = air
        self._info = info
        self.app: NodeApp | None = None
        self.duty_cycle_spent = False
        self.free = 16
        self.configured: list[tuple[Role | None, RebroadcastMode | None, int | None]] = []
        self._ids = itertools.count(1000)

    @property
    def info(self) -> NodeInfo:
        return self._info

    def now(self) -> float:
        return self._air.clock

    def attach(self, app: NodeApp) -> None:
        self.app = app

    def detach(self, app: NodeApp) -> None:
        if self.app is app:
            self.app = None

    def configure(
        self,
        *,
        role: Role | None = None,
        rebroadcast_mode: RebroadcastMode | None = None,
        hop_limit: int | None = None,
    ) -> None:
        self.configured.append((role, rebroadcast_mode, hop_limit))

    def channel_utilization(self) -> float:
        return 1.5

    def air_util_tx(self) -> float:
        return 0.25

    def queue_status(self) -> tuple[int, int]:
        return self.free, 16

    def peers(self) -> list[NodeInfo]:
        return [n.info for n in self._air.nodes.values() if n is not self]

    def send(
        self,
        dst: int,
        portnum: int,
        payload: bytes,
        *,
        want_ack: bool = False,
        hop_limit: int | None = None,
        packet_id: int | None = None,
    ) -> int:
        pid = packet_id if packet_id is not None else next(self._ids)
        me = self._info.num
        loop = asyncio.get_running_loop()
        # Like the simulator, refusals arrive on the model's next turn, not inside send().
        if len(payload) > 231:
            loop.call_soon(self._report, pid, RoutingError.TOO_LARGE, me)
            return pid
        if self.duty_cycle_spent:
            loop.call_soon(self._report, pid, RoutingError.DUTY_CYCLE_LIMIT, me)
            return pid
        hops = 3 if hop_limit is None else hop_limit
        packet = MeshPacket(
            id=pid,
            src=me,
            dst=dst,
            portnum=portnum,
            payload=payload,
            want_ack=want_ack,
            hop_limit=hops,
            hop_start=hops,
            rx_snr=6.25,
            rx_rssi=-80,
        )
        self._air.sent.append(packet)
        for node in self._air.nodes.values():
            if node is self or (dst != BROADCAST and node.info.num != dst):
                continue
            loop.call_soon(node._receive, packet)
            if want_ack:
                loop.call_soon(self._report_later, pid, node.info.num, dst == BROADCAST)
                want_ack = False
        return pid

    def _receive(self, packet: MeshPacket) -> None:
        if self.app is not None:
            self.app.on_packet(packet)

    def _report_later(self, pid: int, by: int, implicit: bool) -> None:
        self._report(pid, RoutingError.NONE, by, implicit)

    def _report(self, pid: int, error: RoutingError, by: int, implicit: bool = False) -> None:
        if self.app is not None:
            report = RoutingReport(pid, error, by, 0.0, implicit)
            self.app.on_routing(report)
