"""Benchmark harness: run a scenario with one app per node, measure what got through.

:func:`run_scenario` builds a :class:`~relay.sim.mesh.Mesh`, attaches the app an
:data:`AppFactory` makes for every node, runs virtual time and returns a
:class:`RunMetrics`. Apps report what they originate and receive to a
:class:`DeliveryLog`; reach and latency come from it, airtime from the radios.

Traffic models are columns: ``tools/bench_mesh.py`` runs the plain Meshtastic text
baseline (:func:`text_baseline`); the delivery engine adds its own factory and appears
as another column of the same table (:func:`format_table`).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

from relay.sim.api import BROADCAST, MeshPacket, NodeApp, RoutingReport, SimNodeAPI
from relay.sim.frames import TEXT_MESSAGE_APP
from relay.sim.mesh import Mesh
from relay.sim.scenario import NodeKind, NodeSpec, Scenario


class DeliveryLog:
    """Bulletins sent by the hub and, per bulletin, which points got it when."""

    def __init__(self) -> None:
        self.sent: dict[Hashable, float] = {}
        self.received: dict[Hashable, dict[str, float]] = {}
        #: Free-form counters a traffic model wants in its report (e.g. status reports).
        self.counts: dict[str, int] = {}

    def bulletin_sent(self, key: Hashable, at: float) -> None:
        self.sent.setdefault(key, at)
        self.received.setdefault(key, {})

    def bulletin_received(self, key: Hashable, point: str, at: float) -> None:
        if key in self.sent:
            self.received[key].setdefault(point, at)

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


@dataclass(frozen=True, slots=True)
class AppContext:
    """What an app factory gets for one node."""

    node: SimNodeAPI
    spec: NodeSpec
    hub_num: int
    log: DeliveryLog
    rng: random.Random
    call_later: Callable[[float, Callable[[], None]], object]
    duration: float


AppFactory = Callable[[AppContext], NodeApp]


@dataclass(frozen=True, slots=True)
class RunMetrics:
    scenario: str
    loss: float
    seed: int
    bulletins: int
    #: Mean over bulletins of the share of reachable points that received it.
    reach: float
    latencies: tuple[float, ...]
    #: Per-node channel utilisation over the run (transmit + receive airtime), percent.
    util_mean: float
    util_max: float
    #: Highest rolling-hour transmit share of any node (percent).
    duty_max: float
    transmissions: int
    virtual_s: float
    wall_s: float
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def speed(self) -> float:
        return self.virtual_s / self.wall_s if self.wall_s > 0 else float("inf")


def reachable_points(mesh: Mesh, hub: str, *, relaying_only: bool = True) -> set[str]:
    """Points a flood from ``hub`` could reach within the hop limit on mean-SNR links,
    through nodes that relay our port in the mesh's current radio layout (a point behind
    a CLIENT_MUTE neighbour is out of reach of that layout: the fix is a relay site or a
    relaying profile, not the protocol). Call it after the layout is applied."""
    hops = mesh.hops_from(hub, relaying_only=relaying_only)
    limit = mesh.scenario.radio.hop_limit + 1
    points = {n.name for n in mesh.scenario.of_kind(NodeKind.POINT)}
    return {name for name, h in hops.items() if name in points and h <= limit}


def run_scenario(
    scenario: Scenario,
    loss: float,
    seed: int,
    app_factory: AppFactory,
    duration: float = 3600.0,
    *,
    link_seed: int = 1,
) -> RunMetrics:
    scenario = scenario.with_extra_loss(loss)
    rng = random.Random(seed)  # noqa: S311 (a simulation's random stream, not a secret)
    mesh = Mesh(scenario, rng, link_seed=link_seed)
    hubs = scenario.of_kind(NodeKind.HUB)
    if not hubs:
        raise ValueError(f"scenario {scenario.name!r} has no hub")
    log = DeliveryLog()
    sched = mesh.scheduler
    for node in mesh.nodes:
        ctx = AppContext(
            node=node,
            spec=node.spec,
            hub_num=hubs[0].num,
            log=log,
            rng=rng,
            call_later=sched.call_later,
            duration=duration,
        )
        node.attach(app_factory(ctx))
    started = time.perf_counter()
    mesh.run_until(duration)
    wall = time.perf_counter() - started
    return _metrics(mesh, log, hubs[0].name, loss=loss, seed=seed, duration=duration, wall=wall)


def _metrics(
    mesh: Mesh, log: DeliveryLog, hub: str, *, loss: float, seed: int, duration: float, wall: float
) -> RunMetrics:
    reachable = reachable_points(mesh, hub)
    shares: list[float] = []
    latencies: list[float] = []
    for key, sent_at in log.sent.items():
        got = {p: t for p, t in log.received[key].items() if p in reachable}
        shares.append(len(got) / len(reachable) if reachable else 1.0)
        latencies.extend(t - sent_at for t in got.values())
    usage = mesh.usage()
    utils = [100.0 * (u.tx_airtime_s + u.rx_airtime_s) / duration for u in usage]
    return RunMetrics(
        scenario=mesh.scenario.name,
        loss=loss,
        seed=seed,
        bulletins=len(log.sent),
        reach=statistics.fmean(shares) if shares else 0.0,
        latencies=tuple(sorted(latencies)),
        util_mean=statistics.fmean(utils),
        util_max=max(utils),
        duty_max=max(u.peak_duty_cycle_percent for u in usage),
        transmissions=mesh.air.stats.transmissions,
        virtual_s=duration,
        wall_s=wall,
        counts=dict(log.counts),
    )


# --- the plain Meshtastic text baseline --------------------------------------------------


class TextBaselineApp:
    """Plain Meshtastic text, as users have it today.

    The hub broadcasts a text bulletin every ``bulletin_interval`` seconds (hop limit 3,
    no ack: a phone's channel message); points optionally broadcast a short text status
    every ``status_interval`` seconds, from a random phase.
    """

    def __init__(
        self,
        ctx: AppContext,
        bulletin_bytes: int = 200,
        bulletin_interval: float = 300.0,
        status_interval: float | None = None,
        status_bytes: int = 60,
    ) -> None:
        self._ctx = ctx
        self._bulletin = bytes(bulletin_bytes)
        self._status = bytes(status_bytes)
        self._bulletin_interval = bulletin_interval
        self._status_interval = status_interval
        if ctx.spec.kind is NodeKind.HUB:
            ctx.call_later(30.0, self._send_bulletin)
        elif ctx.spec.kind is NodeKind.POINT and status_interval:
            ctx.call_later(ctx.rng.uniform(0, status_interval), self._send_status)

    def _send_bulletin(self) -> None:
        ctx = self._ctx
        pid = ctx.node.send(BROADCAST, TEXT_MESSAGE_APP, self._bulletin, hop_limit=3)
        ctx.log.bulletin_sent(pid, ctx.node.now())
        if ctx.node.now() + self._bulletin_interval < ctx.duration - 60:
            ctx.call_later(self._bulletin_interval, self._send_bulletin)

    def _send_status(self) -> None:
        ctx = self._ctx
        ctx.node.send(BROADCAST, TEXT_MESSAGE_APP, self._status, hop_limit=3)
        ctx.log.count("status_sent")
        assert self._status_interval is not None
        ctx.call_later(self._status_interval, self._send_status)

    def on_packet(self, packet: MeshPacket) -> None:
        ctx = self._ctx
        if packet.src == ctx.hub_num and ctx.spec.kind is NodeKind.POINT:
            ctx.log.bulletin_received(packet.id, ctx.spec.name, packet.rx_time)
        elif ctx.spec.kind is NodeKind.HUB and packet.portnum == TEXT_MESSAGE_APP:
            ctx.log.count("status_at_hub")

    def on_routing(self, report: RoutingReport) -> None:
        if report.error.value:
            self._ctx.log.count(f"refused_{report.error.name.lower()}")


def text_baseline(
    bulletin_interval: float = 300.0, status_interval: float | None = None
) -> AppFactory:
    def factory(ctx: AppContext) -> NodeApp:
        return TextBaselineApp(
            ctx, bulletin_interval=bulletin_interval, status_interval=status_interval
        )

    return factory


# --- the table ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """All runs (seeds) of one traffic column for one scenario and loss level."""

    column: str
    runs: tuple[RunMetrics, ...]

    @property
    def reach(self) -> float:
        return statistics.fmean(r.reach for r in self.runs)

    def latency(self, q: float) -> float | None:
        pooled = sorted(x for r in self.runs for x in r.latencies)
        if not pooled:
            return None
        return pooled[min(len(pooled) - 1, int(q * len(pooled)))]

    @property
    def speed(self) -> float:
        return sum(r.virtual_s for r in self.runs) / sum(r.wall_s for r in self.runs)


def format_table(rows: Sequence[tuple[str, int, float, Sequence[Cell]]]) -> str:
    """Rows of (scenario, node count, loss, cells): one line per traffic column."""
    head = (
        f"{'scenario':<9} {'nodes':>5} {'loss':>4}  {'traffic':<28} {'reach':>6} "
        f"{'p50':>6} {'p95':>6} {'util avg':>8} {'util max':>8} {'duty max':>8} "
        f"{'tx/h':>6} {'speed':>7}"
    )
    lines = [head, "-" * len(head)]
    for scenario, nodes, loss, cells in rows:
        for i, cell in enumerate(cells):
            runs = cell.runs
            label = f"{scenario:<9} {nodes:>5} {loss:>4.0%}" if i == 0 else " " * 20
            lines.append(
                f"{label}  {cell.column:<28} {cell.reach:>6.1%} "
                f"{_seconds(cell.latency(0.5))} {_seconds(cell.latency(0.95))} "
                f"{statistics.fmean(r.util_mean for r in runs):>7.1f}% "
                f"{max(r.util_max for r in runs):>7.1f}% "
                f"{max(r.duty_max for r in runs):>7.1f}% "
                f"{statistics.fmean(r.transmissions * 3600 / r.virtual_s for r in runs):>6.0f} "
                f"{cell.speed:>6.0f}x"
            )
    return "\n".join(lines)


def _seconds(value: float | None) -> str:
    return f"{'-':>6}" if value is None else f"{value:>5.1f}s"
