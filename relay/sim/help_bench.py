"""Help requests in the simulator (issue 7): how fast and how surely they reach the hub.

Background traffic is the delivery table's (relay.sim.engine_bench): the hub issues
bulletins, every point runs its engine (status reports with receipts, repair). On top,
``requests`` help requests leave random reachable points at random times, and an
operator at the hub acknowledges each ``operator_delay_s`` after it shows.

Two columns, same air, same background:

* ``noodrelay``: :meth:`PointEngine.send_help` (sealed, signed, first in the outbox,
  retried until the hub answers) and :meth:`HubEngine.help_update`. Measured: send ->
  :class:`HelpRequestAccepted` at the hub, and send -> the point holding the
  ACKNOWLEDGED (or a later) update.
* ``plain``: what staff could do without us: the same number of bytes as one
  Meshtastic direct message to the hub (``want_ack``; the firmware's own retransmissions,
  nothing more), and the operator's acknowledgement as one direct message back.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from relay.engine.base import Engine
from relay.engine.config import EngineConfig
from relay.engine.hub import HubEngine
from relay.engine.hubclock import HubClock
from relay.engine.outputs import HelpRequestAccepted, HelpUpdateAccepted, Output
from relay.engine.point import PointEngine
from relay.sim.api import MeshPacket, Role, RoutingReport
from relay.sim.bench import AppContext, reachable_points
from relay.sim.engine_bench import (
    NOW,
    Collector,
    Region,
    Traffic,
    _Idle,
    _schedule_bulletins,
    attach_and_run,
    bench_mesh,
    default_engine_config,
)
from relay.sim.engine_driver import EngineDriver
from relay.sim.frames import TEXT_MESSAGE_APP
from relay.sim.scenario import NodeKind, Scenario
from relay.wire import model as m
from relay.wire.help import HelpDetails, HelpReply
from relay.wire.issuer import Issuer, MemoryCounter

#: Help texts of the kind staff would type (sizes like real ones: ~150-200 bytes signed).
SAMPLE_HELP = (
    (m.HelpType.MEDICAL, "Dorpsstraat 14", "Man (70) gevallen, hoofdwond, aanspreekbaar."),
    (
        m.HelpType.VULNERABLE_PERSON,
        "Pythagoraslaan 2, 2e etage",
        "Mevrouw met thuiszuurstof, accu bijna leeg, graag aggregaat of vervoer.",
    ),
    (m.HelpType.FIRE, "Schuur achter Kerkweg 3", "Rookontwikkeling, niemand binnen."),
    (
        m.HelpType.MISSING_PERSON,
        "Sporthal De Vliert",
        "Jongen (8) vermist sinds 14:00, blauwe jas.",
    ),
)
#: Bytes of the plain column's messages: a typical signed request, and a short answer.
PLAIN_REQUEST_BYTES = 180
PLAIN_ANSWER_BYTES = 60


@dataclass
class HelpLog:
    """Per request: where and when it left, when the hub saw it, when the point knew."""

    sent: dict[object, tuple[str, float]] = field(default_factory=dict)
    at_hub: dict[object, float] = field(default_factory=dict)
    #: How often the hub surfaced each request (more than once: a duplicate).
    surfaced: dict[object, int] = field(default_factory=dict)
    acked: dict[object, float] = field(default_factory=dict)

    def hub_saw(self, key: object, at: float) -> None:
        self.at_hub.setdefault(key, at)
        self.surfaced[key] = self.surfaced.get(key, 0) + 1


@dataclass(frozen=True)
class HelpPlan:
    requests: int = 8
    operator_delay_s: float = 30.0
    #: Requests leave between ``warmup_s`` and ``duration - tail_s``.
    warmup_s: float = 600.0
    tail_s: float = 900.0


def _schedule(
    rng: random.Random, points: list[str], plan: HelpPlan, duration: float
) -> list[tuple[float, str]]:
    end = max(plan.warmup_s + 1.0, duration - plan.tail_s)
    return sorted(
        (rng.uniform(plan.warmup_s, end), rng.choice(points)) for _ in range(plan.requests)
    )


# --- the apps ------------------------------------------------------------------------


class HelpNode:
    """One node's app: the engine driver, plus the help requests of this run."""

    def __init__(
        self, ctx: AppContext, engine: Engine, log: HelpLog, column: str, plan: HelpPlan
    ) -> None:
        self.ctx = ctx
        self.driver = EngineDriver(ctx.node, engine, ctx.call_later, self.on_output)
        self.log = log
        self.column = column
        self.plan = plan

    def send_help(self, index: int) -> None:
        engine = self.driver.engine
        now = self.ctx.node.now()
        if self.column == "plain":
            payload = f"HELP|{index}|".encode().ljust(PLAIN_REQUEST_BYTES, b".")
            self.ctx.node.send(self.ctx.hub_num, TEXT_MESSAGE_APP, payload, want_ack=True)
            self.log.sent[index] = (self.ctx.spec.name, now)
            return
        assert isinstance(engine, PointEngine)
        kind, where, what = SAMPLE_HELP[index % len(SAMPLE_HELP)]
        details = HelpDetails(where, what, "dienstdoende")
        message, outputs = engine.send_help(kind, m.HelpUrgency.URGENT, 1, details, now)
        env = message.envelope
        self.log.sent[(env.key_id, env.seq)] = (self.ctx.spec.name, now)
        self.driver.handle(outputs)

    def on_output(self, out: Output) -> None:
        now = self.ctx.node.now()
        if isinstance(out, HelpRequestAccepted):
            env = out.message.envelope
            key = (env.key_id, env.seq)
            self.log.hub_saw(key, now)
            self.ctx.call_later(self.plan.operator_delay_s, lambda: self._acknowledge(key))
        elif isinstance(out, HelpUpdateAccepted) and out.update.state >= m.HelpState.ACKNOWLEDGED:
            key = (self.driver.engine.issuer.key.key_id, out.update.request)
            self.log.acked.setdefault(key, now)

    def _acknowledge(self, key: tuple[int, int]) -> None:
        hub = self.driver.engine
        assert isinstance(hub, HubEngine)
        _, outputs = hub.help_update(
            key[0],
            key[1],
            m.HelpState.ACKNOWLEDGED,
            HelpReply("Hulp komt", "meldkamer"),
            self.ctx.node.now(),
        )
        self.driver.handle(outputs)

    # The plain column: one direct message each way, the firmware's retries only.

    def on_packet(self, packet: MeshPacket) -> None:
        if packet.portnum != TEXT_MESSAGE_APP or not packet.payload.startswith(b"HELP"):
            self.driver.on_packet(packet)
            return
        index = int(packet.payload.split(b"|")[1])
        now = self.ctx.node.now()
        if packet.payload.startswith(b"HELP|"):
            self.log.hub_saw(index, now)
            if self.log.surfaced[index] == 1:
                src = packet.src
                self.ctx.call_later(
                    self.plan.operator_delay_s, lambda: self._plain_answer(src, index)
                )
        elif packet.payload.startswith(b"HELPOK|"):
            self.log.acked.setdefault(index, now)

    def _plain_answer(self, dst: int, index: int) -> None:
        payload = f"HELPOK|{index}|".encode().ljust(PLAIN_ANSWER_BYTES, b".")
        self.ctx.node.send(dst, TEXT_MESSAGE_APP, payload, want_ack=True)

    def on_routing(self, report: RoutingReport) -> None:
        self.driver.on_routing(report)


def _factory(
    scenario: Scenario,
    seed: int,
    log: HelpLog,
    column: str,
    plan: HelpPlan,
    schedule: list[tuple[float, str]],
    config: EngineConfig,
) -> Callable[[AppContext], object]:
    region = Region(scenario, seed)
    collector = Collector()
    traffic = Traffic()

    def make(ctx: AppContext) -> object:
        name = ctx.spec.name
        if name not in region.keys:
            return _Idle()
        rng = random.Random(ctx.rng.random())  # noqa: S311 - a simulation's stream
        issuer = Issuer(region.keys[name], region.certs[name], MemoryCounter(), lambda: NOW)
        app: HelpNode
        if ctx.spec.kind is NodeKind.HUB:
            hub = HubEngine(config, issuer, region.keyring(), HubClock.authoritative(NOW), rng)
            app = HelpNode(ctx, hub, log, column, plan)
            _schedule_bulletins(ctx, hub, app.driver, collector, traffic)
        else:
            point = PointEngine(
                config, issuer, region.keyring(), HubClock(), rng, point_id=region.point_ids[name]
            )
            app = HelpNode(ctx, point, log, column, plan)
            for index, (at, who) in enumerate(schedule):
                if who == name:
                    ctx.call_later(at, functools.partial(app.send_help, index))
        ctx.call_later(0.0, app.driver.start)
        return app

    return make


# --- running and measuring -----------------------------------------------------------


@dataclass(frozen=True)
class HelpMetrics:
    column: str
    requests: int
    #: Seconds from send to the hub's view / to the point holding the acknowledgement,
    #: for the requests that got there within the run.
    to_hub: tuple[float, ...]
    to_ack: tuple[float, ...]
    #: Requests the hub surfaced more than once.
    duplicates: int
    wall_s: float


def run(
    scenario: Scenario,
    loss: float,
    seed: int,
    column: str,
    duration: float,
    plan: HelpPlan,
    preset: str | None = None,
    point_role: Role | None = None,
    config: EngineConfig | None = None,
    *,
    shipped: bool = False,
    outdoor: bool = False,
) -> HelpMetrics:
    """One run: ``column`` is "noodrelay" or "plain"; same requests for the same seed;
    ``shipped``: radios and engines as provisioned (relay.sim.layout); ``outdoor``: and
    the weak indoor points' antennas outside (relay.sim.antennas)."""
    scenario, rng, mesh = bench_mesh(
        scenario, loss, seed, preset, point_role, shipped=shipped, outdoor=outdoor
    )
    hubs = scenario.of_kind(NodeKind.HUB)
    points = sorted(reachable_points(mesh, hubs[0].name))
    schedule = _schedule(random.Random(seed * 7919), points, plan, duration)  # noqa: S311
    log = HelpLog()
    cfg = config or default_engine_config(scenario, shipped)
    make = _factory(scenario, seed, log, column, plan, schedule, cfg)
    wall = attach_and_run(mesh, rng, hubs[0].num, make, duration)
    to_hub = [log.at_hub[k] - t for k, (_, t) in log.sent.items() if k in log.at_hub]
    to_ack = [log.acked[k] - t for k, (_, t) in log.sent.items() if k in log.acked]
    return HelpMetrics(
        column,
        len(log.sent),
        tuple(to_hub),
        tuple(to_ack),
        sum(1 for n in log.surfaced.values() if n > 1),
        wall,
    )


@dataclass(frozen=True)
class HelpTask:
    """One run, picklable for a process pool (see relay.sim.parallel)."""

    scenario: Scenario
    loss: float
    seed: int
    column: str
    duration: float
    plan: HelpPlan
    preset: str | None = None
    point_role: Role | None = None
    shipped: bool = False
    outdoor: bool = False

    def __call__(self) -> HelpMetrics:
        return run(
            self.scenario,
            self.loss,
            self.seed,
            self.column,
            self.duration,
            self.plan,
            self.preset,
            self.point_role,
            shipped=self.shipped,
            outdoor=self.outdoor,
        )


# --- the table -----------------------------------------------------------------------


@dataclass(frozen=True)
class HelpRow:
    scenario: str
    preset: str
    loss: float
    ours: list[HelpMetrics]
    plain: list[HelpMetrics]


def _share(runs: list[HelpMetrics], attr: str) -> str:
    sent = sum(r.requests for r in runs)
    got = sum(len(getattr(r, attr)) for r in runs)
    return f"{100 * got / sent:5.0f}%" if sent else f"{'-':>6}"


def _worst(runs: list[HelpMetrics], attr: str) -> str:
    """The worst seed's share."""
    shares = [len(getattr(r, attr)) / r.requests for r in runs if r.requests]
    return f"{100 * min(shares):4.0f}%" if shares else f"{'-':>5}"


def help_verdicts(row: HelpRow) -> list[tuple[str, str, bool]]:
    """Issue 11's help targets for our column: (target, value, met)."""
    runs = row.ours
    sent = sum(r.requests for r in runs)
    hub = _times(runs, "to_hub")
    ack = _times(runs, "to_ack")
    p95 = sorted(hub)[min(len(hub) - 1, int(0.95 * len(hub)))] if hub else float("inf")
    return [
        ("100 % reach the hub", f"{len(hub)}/{sent}", len(hub) == sent),
        ("100 % acknowledged back", f"{len(ack)}/{sent}", len(ack) == sent),
        ("p95 to the hub <= 120 s", f"{p95:.0f}s", p95 <= 120.0),
    ]


def _q(xs: list[float], q: float) -> str:
    if not xs:
        return f"{'-':>5}"
    v = sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]
    return f"{v:4.0f}s"


def _times(runs: list[HelpMetrics], attr: str) -> list[float]:
    return [t for r in runs for t in getattr(r, attr)]


def format_help_table(rows: list[HelpRow]) -> str:
    head = (
        f"{'scenario':<11} {'layout':<21} {'loss':>4} | {'n':>3} {'hub':>6} {'worst':>5} "
        f"{'p50':>5} {'p95':>5} {'max':>5} | {'ack':>6} {'worst':>5} {'p50':>5} {'p95':>5} "
        f"{'max':>5} {'dup':>3} | "
        f"{'hub':>6} {'p50':>5} {'p95':>5} | {'ack':>6} {'p95':>5} | {'wall':>5}"
    )
    title = (
        f"{'':<38} | {'noodrelay (sealed, signed, retried until answered)':<68} | "
        f"{'plain DM, firmware retries only':<34} |"
    )
    lines = [title, head, "-" * len(head)]
    for row in rows:
        ours, plain = row.ours, row.plain
        hub, ack = _times(ours, "to_hub"), _times(ours, "to_ack")
        phub, pack = _times(plain, "to_hub"), _times(plain, "to_ack")
        wall = sum(r.wall_s for r in ours + plain)
        lines.append(
            f"{row.scenario:<11} {row.preset:<21} {row.loss:>4.0%} | "
            f"{sum(r.requests for r in ours):>3} {_share(ours, 'to_hub')} "
            f"{_worst(ours, 'to_hub')} {_q(hub, 0.5)} {_q(hub, 0.95)} {_q(hub, 1.0)} | "
            f"{_share(ours, 'to_ack')} {_worst(ours, 'to_ack')} {_q(ack, 0.5)} "
            f"{_q(ack, 0.95)} {_q(ack, 1.0)} {sum(r.duplicates for r in ours):>3} | "
            f"{_share(plain, 'to_hub')} {_q(phub, 0.5)} {_q(phub, 0.95)} | "
            f"{_share(plain, 'to_ack')} {_q(pack, 0.95)} | {wall:4.0f}s"
        )
    return "\n".join(lines)
