"""A tiny deterministic mesh for engine tests: every node hears every other node.

Pure and in virtual time, like the engines: frames arrive after their airtime, each
copy lost with a probability drawn from a seeded RNG (or dropped by a test's filter),
direct messages acked or refused the way the firmware reports. The real simulator
(relay.sim) models flooding, ranges and collisions; this one isolates the protocol.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from relay.engine.base import Engine
from relay.engine.config import EngineConfig
from relay.engine.hub import HubEngine
from relay.engine.hubclock import HubClock
from relay.engine.outputs import Output, Transmit
from relay.engine.point import PointEngine
from relay.radio.transport import BROADCAST, Frame, SendStatus
from relay.wire import envelope
from relay.wire import model as m
from relay.wire.issuer import Issuer, MemoryCounter
from relay.wire.keys import PrivateKey
from relay.wire.trust import Keyring
from tests.wire.conftest import NOW, YEAR, fixed_key

#: Drop filter: (transmitting node, receiving node, payload) -> True to lose that copy.
DropFilter = Callable[[int, int, bytes], bool]

HUB_NODE = 0x1000


@dataclass(order=True)
class _Event:
    when: float
    order: int
    action: Callable[[], None] = field(compare=False)


class Mesh:
    def __init__(self, loss: float = 0.0, seed: int = 1) -> None:
        self.now = 0.0
        self.loss = loss
        self.rng = random.Random(seed)
        self.nodes: dict[int, Engine] = {}
        self.online: set[int] = set()
        self.outputs: dict[int, list[Output]] = {}
        self.drop: DropFilter = lambda src, dst, payload: False
        #: Like ``drop``, for direct messages only (a weak next hop that floods avoid).
        self.drop_dm: DropFilter = lambda src, dst, payload: False
        self.airtime_log: dict[int, list[tuple[float, float]]] = {}
        #: Hops every frame reports (None: the firmware says nothing, as old ones do).
        self.hops: int | None = None
        self._queue: list[_Event] = []
        #: Per node: the time of its pending tick (one at a time, as a real driver does).
        self._armed: dict[int, float] = {}
        self._order = itertools.count()

    def add(self, node: int, engine: Engine, *, online: bool = True) -> None:
        self.nodes[node] = engine
        self.outputs[node] = []
        self.airtime_log[node] = []
        if online:
            self.bring_online(node)

    def bring_online(self, node: int) -> None:
        self.online.add(node)
        engine = self.nodes[node]
        start = getattr(engine, "start", None)
        if start is not None:
            self._handle(node, start(self.now))

    def _at(self, when: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._queue, _Event(when, next(self._order), action))

    def _handle(self, node: int, outputs: list[Output]) -> None:
        for out in outputs:
            self.outputs[node].append(out)
            if isinstance(out, Transmit):
                self._transmit(node, out)
        deadline = self.nodes[node].next_deadline(self.now)
        if deadline is not None:
            deadline = max(deadline, self.now)
            armed = self._armed.get(node)
            if armed is None or deadline < armed:
                self._armed[node] = deadline
                self._at(deadline, functools.partial(self._tick, node, deadline))

    def _tick(self, node: int, armed_for: float) -> None:
        if self._armed.get(node) != armed_for:
            return  # superseded by an earlier arming
        del self._armed[node]
        if node in self.online:
            self._handle(node, self.nodes[node].tick(self.now))

    def _transmit(self, src: int, t: Transmit) -> None:
        self.airtime_log[src].append((self.now, t.airtime_s))
        arrive = self.now + t.airtime_s
        targets = [n for n in self.online if n != src]
        if t.destination != BROADCAST:
            targets = [n for n in targets if n == t.destination]
        delivered = False
        for dst in targets:
            if self.rng.random() < self.loss or self.drop(src, dst, t.payload):
                continue
            if t.destination != BROADCAST and self.drop_dm(src, dst, t.payload):
                continue
            delivered = True
            frame = Frame(t.payload, src, t.destination, hops=self.hops, rx_time=arrive)
            self._at(arrive, functools.partial(self._deliver, dst, frame))
        if t.destination == BROADCAST or not t.want_ack:
            status = SendStatus.QUEUED
        else:
            status = SendStatus.ACKED if delivered else SendStatus.MAX_RETRANSMIT
        self._at(arrive + 0.1, lambda: self._result(src, t.token, status))

    def _deliver(self, node: int, frame: Frame) -> None:
        if node in self.online:
            self._handle(node, self.nodes[node].receive(frame, self.now))

    def _result(self, node: int, token: int, status: SendStatus) -> None:
        self._handle(node, self.nodes[node].on_send_result(token, status, self.now))

    def call(self, node: int, fn: Callable[[float], list[Output]]) -> None:
        """Call an engine API (publish, set_status...) at the current time."""
        self._handle(node, fn(self.now))

    def run(self, seconds: float) -> None:
        end = self.now + seconds
        while self._queue and self._queue[0].when <= end:
            event = heapq.heappop(self._queue)
            self.now = max(self.now, event.when)
            event.action()
        self.now = end

    def of(self, node: int, kind: type) -> list[object]:
        return [o for o in self.outputs[node] if isinstance(o, kind)]


@dataclass
class World:
    mesh: Mesh
    root: PrivateKey
    hub: HubEngine
    points: dict[int, PointEngine]
    keyring_factory: Callable[[], Keyring]

    def point_node(self, point_id: int) -> int:
        return 0x2000 + point_id


def certify(
    root: PrivateKey, key: PrivateKey, role: m.Role, seq: int, point_id: int = 0
) -> m.SignedMessage:
    cert = m.Certificate(key.public.raw, role, key.name, NOW - YEAR, NOW + YEAR, point_id)
    return envelope.sign(root, seq, NOW - YEAR, cert)


def build_world(
    n_points: int = 3,
    *,
    loss: float = 0.0,
    seed: int = 1,
    config: EngineConfig | None = None,
    points_know_hub_cert: bool = True,
    hub_knows_point_certs: bool = True,
    offline: tuple[int, ...] = (),
) -> World:
    config = config or EngineConfig()
    root = fixed_key(1, "root", m.Role.ROOT)
    hub_key = fixed_key(2, "hub-utrecht", m.Role.HUB)
    hub_cert = certify(root, hub_key, m.Role.HUB, 1)
    point_keys = {
        pid: fixed_key(10 + pid, f"np-{pid:03d}", m.Role.POINT) for pid in range(1, n_points + 1)
    }
    point_certs = {
        pid: certify(root, k, m.Role.POINT, 1 + pid, pid) for pid, k in point_keys.items()
    }

    def keyring(with_hub: bool, with_points: bool) -> Keyring:
        ring = Keyring([root.public])
        if with_hub:
            ring.add_certificate(hub_cert)
        if with_points:
            for c in point_certs.values():
                ring.add_certificate(c)
        return ring

    mesh = Mesh(loss=loss, seed=seed)
    hub_clock = HubClock.authoritative(NOW)
    hub = HubEngine(
        config,
        Issuer(hub_key, hub_cert, MemoryCounter(100), lambda: NOW),
        keyring(True, hub_knows_point_certs),
        hub_clock,
        random.Random(seed),
    )
    mesh.add(HUB_NODE, hub)
    points = {}
    for pid, key in point_keys.items():
        engine = PointEngine(
            config,
            Issuer(key, point_certs[pid], MemoryCounter(), lambda: 0),
            keyring(points_know_hub_cert, False),
            HubClock(),
            random.Random(seed * 1000 + pid),
            point_id=pid,
        )
        points[pid] = engine
        mesh.add(0x2000 + pid, engine, online=pid not in offline)
    return World(mesh, root, hub, points, lambda: keyring(True, True))


def text(body: str, **kw: object) -> m.Bulletin:
    return m.Bulletin(texts=(m.LocalizedText("nl", "", body),), **kw)  # type: ignore[arg-type]
