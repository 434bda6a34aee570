"""A simulated Meshtastic node: radio + firmware, with one client app on top.

:class:`SimNode` is the :class:`relay.sim.api.SimNodeAPI` the emulator, the ``sim://``
transport and the benchmark apps talk to. Everything runs on the simulator's scheduler;
the app's callbacks are called from it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from relay.sim.api import (
    BROADCAST,
    MeshPacket,
    NodeApp,
    NodeInfo,
    QueueReport,
    QueueStatusListener,
    RebroadcastMode,
    Role,
    RoutingError,
    RoutingReport,
)
from relay.sim.firmware import Firmware, Rx
from relay.sim.frames import AirFrame
from relay.sim.radio import NodeRadio
from relay.sim.scenario import NodeSpec
from relay.sim.scheduler import Scheduler

log = logging.getLogger(__name__)


class SimNode:
    """Implements :class:`relay.sim.api.SimNodeAPI` for one scenario node."""

    def __init__(
        self,
        spec: NodeSpec,
        scheduler: Scheduler,
        radio: NodeRadio,
        peers: dict[int, NodeSpec],
        on_app_error: Callable[[Exception], None],
    ) -> None:
        self.spec = spec
        self._on_app_error = on_app_error
        self._sched = scheduler
        self.radio = radio
        self._peer_specs = {num: s for num, s in peers.items() if num != spec.num}
        self._app: NodeApp | None = None
        # Set by the mesh right after construction (the firmware needs us as its host).
        self.firmware: Firmware

    @property
    def num(self) -> int:
        return self.spec.num

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def info(self) -> NodeInfo:
        return dataclasses.replace(_node_info(self.spec), role=self.firmware.config.role)

    def now(self) -> float:
        return self._sched.now()

    @property
    def app(self) -> NodeApp | None:
        return self._app

    def attach(self, app: NodeApp) -> None:
        if self._app is not None and self._app is not app:
            log.info("%s: client replaced", self.name)
        self._app = app

    def detach(self, app: NodeApp) -> None:
        if self._app is app:
            self._app = None

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
        return self.firmware.send_from_client(
            dst,
            portnum,
            bytes(payload),
            want_ack=want_ack,
            hop_limit=hop_limit,
            packet_id=packet_id,
        )

    def queue_status(self) -> tuple[int, int]:
        return self.radio.queue_status()

    def configure(
        self,
        *,
        role: Role | None = None,
        rebroadcast_mode: RebroadcastMode | None = None,
        hop_limit: int | None = None,
    ) -> None:
        if hop_limit is not None and not 0 <= hop_limit <= 7:
            raise ValueError(f"hop limit must be 0..7, not {hop_limit}")
        old = self.firmware.config
        self.firmware.config = dataclasses.replace(
            old,
            role=old.role if role is None else role,
            rebroadcast_mode=old.rebroadcast_mode if rebroadcast_mode is None else rebroadcast_mode,
            hop_limit=old.hop_limit if hop_limit is None else hop_limit,
        )
        self.radio.role = self.firmware.config.role
        log.info("%s: now %s", self.name, self.firmware.config)

    def channel_utilization(self) -> float:
        return self.radio.channel_utilization()

    def air_util_tx(self) -> float:
        return self.radio.airtime.utilization_tx_percent(self._sched.now())

    def peers(self) -> list[NodeInfo]:
        out = []
        for num, spec in sorted(self._peer_specs.items()):
            record = self.firmware.nodes.get(num)
            info = _node_info(spec)
            if record is not None:
                info = dataclasses.replace(
                    info,
                    last_heard=record.last_heard,
                    snr=record.snr,
                    hops_away=record.hops_away,
                )
            out.append(info)
        return out

    # --- FirmwareHost ---------------------------------------------------------------

    def deliver(self, frame: AirFrame, rx: Rx, sender: int) -> None:
        if self._app is None:
            return
        packet = MeshPacket(
            id=frame.id,
            src=frame.src,
            dst=frame.dst,
            portnum=frame.portnum,
            payload=frame.payload,
            want_ack=frame.want_ack and frame.dst != BROADCAST,
            hop_limit=frame.hop_limit,
            hop_start=frame.hop_start,
            request_id=frame.request_id,
            channel=frame.channel,
            rx_time=self._sched.now(),
            rx_snr=rx[0],
            rx_rssi=rx[1],
        )
        try:
            self._app.on_packet(packet)
        except Exception as err:
            self._app_failed(err)

    def _app_failed(self, err: Exception) -> None:
        # The model must stay consistent (other receivers of this frame still get it),
        # so the app's exception is logged and handed to the mesh instead of unwinding.
        log.exception("%s: client app failed", self.name)
        self._on_app_error(err)

    def routing_result(
        self, request_id: int, error: RoutingError, from_node: int, implicit: bool
    ) -> None:
        if self._app is None:
            return
        report = RoutingReport(request_id, error, from_node, self._sched.now(), implicit)
        try:
            self._app.on_routing(report)
        except Exception as err:
            self._app_failed(err)

    def client_send_result(self, packet_id: int, res: int) -> None:
        # The QueueStatus travels through the fromRadio queue: the client reads it on the
        # model's next turn, after send() returned.
        free, capacity = self.radio.queue_status()
        report = QueueReport(packet_id, int(res), free, capacity, self._sched.now())
        self._sched.call_later(0.0, lambda: self._queue_report(report))

    def _queue_report(self, report: QueueReport) -> None:
        app = self._app
        if not isinstance(app, QueueStatusListener):
            return
        try:
            app.on_queue_status(report)
        except Exception as err:
            self._app_failed(err)


def _node_info(spec: NodeSpec) -> NodeInfo:
    pos = spec.position
    return NodeInfo(
        num=spec.num,
        long_name=spec.name,
        short_name=spec.short_name,
        role=spec.role,
        latitude=pos.lat if pos else None,
        longitude=pos.lon if pos else None,
        altitude_m=round(pos.height_m) if pos else None,
    )
