"""The delivery engine against plain Meshtastic text, same traffic, same air (issue 4).

Traffic (both columns): the hub issues ``bulletins_per_hour`` bulletins (sample Dutch
texts, every third one Immediate/Severe) and every point reports status every
``status_interval`` seconds. The plain column sends each as one TEXT_MESSAGE_APP
broadcast (what users have today, no receipts, no repair); the noodrelay column runs the
hub and point engines: signed messages, heartbeats and pull repair, status reports as
direct messages with receipts.

Measured from what the applications actually received (not from what was sent).
"""

from __future__ import annotations

import dataclasses
import math
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from relay.airtime import preset as airtime_preset
from relay.engine.config import EngineConfig
from relay.engine.hub import HubEngine
from relay.engine.hubclock import HubClock
from relay.engine.outputs import (
    BulletinAccepted,
    HubHeard,
    Output,
    ReceiptAccepted,
    StatusAccepted,
)
from relay.engine.point import PointEngine
from relay.sim.antennas import antennas_outside, weak_indoor_points
from relay.sim.api import BROADCAST, MeshPacket, Role, RoutingReport
from relay.sim.bench import AppContext, DeliveryLog, reachable_points
from relay.sim.bridges import bridge_points
from relay.sim.engine_driver import EngineDriver
from relay.sim.frames import TEXT_MESSAGE_APP
from relay.sim.layout import shipped_engine_config, shipped_layout
from relay.sim.mesh import Mesh
from relay.sim.scenario import NodeKind, Scenario
from relay.wire import envelope, hubtime
from relay.wire import model as m
from relay.wire.issuer import Issuer, MemoryCounter
from relay.wire.keys import PrivateKey
from relay.wire.trust import Keyring

#: Hub time at the start of a run: a multiple of every status interval the hub may announce
#: (up to 4 h), so the bench's windows are the hub's own status intervals.
NOW = hubtime.from_unix(1_795_000_000) // 14_400 * 14_400
DELIVERY_DEADLINE_S = 600.0
SAMPLE_BULLETINS = (
    "Stroomstoring in regio Utrecht duurt naar verwachting tot donderdag 18:00. Drinkwater "
    "verkrijgbaar bij sporthal De Vliert, Pythagoraslaan 2. Neem eigen flessen mee.",
    "Kookadvies voor Houten, Bunnik en Nieuwegein: kook leidingwater minimaal 1 minuut voordat "
    "u het drinkt. Dit advies geldt tot nader bericht.",
    "Noodsteunpunt Overvecht (wijkcentrum De Dreef) is geopend van 08:00 tot 20:00. Hier kunt u "
    "telefoons opladen, drinkwater halen en hulp vragen.",
    "Wegafsluiting A12 tussen Oudenrijn en Lunetten door overstroming. Omleiding via A2 en A27.",
    "Mobiel netwerk en internet vallen in de hele regio uit. Bel 112 alleen bij levensgevaar; "
    "ga bij een noodgeval naar het dichtstbijzijnde noodsteunpunt.",
    "Opvang voor geëvacueerden in Jaarbeurs hal 7, Jaarbeursplein 6 Utrecht. Bedden, maaltijden "
    "en medische zorg beschikbaar. Meld u bij de registratiebalie.",
)


@dataclass
class Traffic:
    bulletins_per_hour: int = 6
    status_interval: float = 1800.0
    first_bulletin_at: float = 120.0


@dataclass
class Collector:
    """What arrived where and when, filled in by the apps of one run."""

    sent: dict[object, float] = field(default_factory=dict)
    received: dict[object, dict[str, float]] = field(default_factory=dict)
    #: point name -> times the hub accepted a status report from it
    status_at_hub: dict[str, list[float]] = field(default_factory=dict)
    #: point name -> times the point verified a frame from the hub (hub contact)
    hub_heard: dict[str, list[float]] = field(default_factory=dict)
    hub_bulletin_airtime: float = 0.0
    #: The engines of a noodrelay run, for the receipt check.
    hub: HubEngine | None = None
    points: dict[int, PointEngine] = field(default_factory=dict)
    #: (point id, bulletin seq) pairs the hub ever showed as received while the point's
    #: catalogue did not hold the bulletin, and how many receipts were checked.
    false_receipts: set[tuple[int, int]] = field(default_factory=set)
    receipts_checked: int = 0

    def bulletin_sent(self, key: object, at: float) -> None:
        self.sent.setdefault(key, at)
        self.received.setdefault(key, {})

    def bulletin_received(self, key: object, point: str, at: float) -> None:
        if key in self.sent:
            self.received[key].setdefault(point, at)

    def check_receipts(self) -> None:
        """A false receipt: the hub's matrix says point P holds bulletin S while P's
        engine does not hold it at this moment (issue 11: receipts never lie)."""
        if self.hub is None:
            return
        self.receipts_checked += 1
        key_id = self.hub.key_id
        for pid, row in self.hub.receipt_matrix().items():
            point = self.points.get(pid)
            held = point.catalogue.held(key_id) if point is not None else set()
            self.false_receipts.update(
                (pid, seq) for seq, (received, _) in row.items() if received and seq not in held
            )


# --- the region's keys ---------------------------------------------------------------


class Region:
    """Keys and certificates for every node of a scenario (deterministic per seed)."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - test keys of a simulation, not secrets
        self.root = self._key(rng, "root", m.Role.ROOT)
        self.keys: dict[str, PrivateKey] = {}
        self.certs: dict[str, m.SignedMessage] = {}
        self.point_ids: dict[str, int] = {}
        self._keyring: Keyring | None = None
        for n, spec in enumerate(scenario.nodes, start=1):
            role = {NodeKind.HUB: m.Role.HUB, NodeKind.POINT: m.Role.POINT}.get(spec.kind)
            if role is None:
                continue
            key = self._key(rng, spec.name, role)
            cert = m.Certificate(key.public.raw, role, spec.name, 0, NOW + 10**8, n)
            self.keys[spec.name] = key
            self.certs[spec.name] = envelope.sign(self.root, n, NOW, cert)
            self.point_ids[spec.name] = n

    @staticmethod
    def _key(rng: random.Random, name: str, role: m.Role) -> PrivateKey:
        return PrivateKey(Ed25519PrivateKey.from_private_bytes(rng.randbytes(32)), name, role)

    def keyring(self) -> Keyring:
        """Each engine's own keyring; the certificates are checked once per region."""
        if self._keyring is None:
            self._keyring = Keyring([self.root.public])
            for cert in self.certs.values():
                self._keyring.add_certificate(cert)
        return self._keyring.copy()


# --- noodrelay column ----------------------------------------------------------------


class _Idle:
    """Relay sites run no application."""

    def on_packet(self, packet: MeshPacket) -> None: ...

    def on_routing(self, report: RoutingReport) -> None: ...


def noodrelay_factory(
    scenario: Scenario, seed: int, collector: Collector, traffic: Traffic, config: EngineConfig
) -> Callable[[AppContext], object]:
    region = Region(scenario, seed)

    def make(ctx: AppContext) -> object:
        name = ctx.spec.name
        if name not in region.keys:
            return _Idle()
        rng = random.Random(ctx.rng.random())  # noqa: S311
        issuer = Issuer(region.keys[name], region.certs[name], MemoryCounter(), lambda: NOW)
        on_output = _recorder(collector, name, ctx)
        if ctx.spec.kind is NodeKind.HUB:
            hub = HubEngine(config, issuer, region.keyring(), HubClock.authoritative(NOW), rng)
            collector.hub = hub
            driver = EngineDriver(ctx.node, hub, ctx.call_later, on_output)
            _schedule_bulletins(ctx, hub, driver, collector, traffic)
        else:
            point = PointEngine(
                config,
                issuer,
                region.keyring(),
                HubClock(),
                rng,
                point_id=region.point_ids[name],
            )
            collector.points[region.point_ids[name]] = point
            driver = EngineDriver(ctx.node, point, ctx.call_later, on_output)
        ctx.call_later(0.0, driver.start)
        return driver

    return make


def _recorder(collector: Collector, name: str, ctx: AppContext) -> Callable[[Output], None]:
    def record(out: Output) -> None:
        now = ctx.node.now()
        if isinstance(out, BulletinAccepted) and out.targeted:
            env = out.message.envelope
            collector.bulletin_received((env.key_id, env.seq), name, now)
        elif isinstance(out, StatusAccepted):
            collector.status_at_hub.setdefault(out.sender.name, []).append(now)
        elif isinstance(out, ReceiptAccepted):
            collector.check_receipts()
        elif isinstance(out, HubHeard):
            collector.hub_heard.setdefault(name, []).append(now)

    return record


def _schedule_bulletins(
    ctx: AppContext, hub: HubEngine, driver: EngineDriver, collector: Collector, traffic: Traffic
) -> None:
    interval = 3600.0 / traffic.bulletins_per_hour
    count = [0]

    def issue() -> None:
        i = count[0]
        count[0] += 1
        urgent = i % 3 == 0
        bulletin = m.Bulletin(
            texts=(m.LocalizedText("nl", "", SAMPLE_BULLETINS[i % len(SAMPLE_BULLETINS)]),),
            urgency=m.Urgency.IMMEDIATE if urgent else m.Urgency.EXPECTED,
            severity=m.Severity.SEVERE if urgent else m.Severity.MODERATE,
            certainty=m.Certainty.LIKELY,
            expires_in_min=24 * 60,
        )
        now = ctx.node.now()
        message, outputs = hub.issue(bulletin, now)
        env = message.envelope
        collector.bulletin_sent((env.key_id, env.seq), now)
        driver.handle(outputs)
        if now + interval < ctx.duration - DELIVERY_DEADLINE_S:
            ctx.call_later(interval, issue)

    ctx.call_later(traffic.first_bulletin_at, issue)


# --- plain Meshtastic text column ----------------------------------------------------


class PlainTextApp:
    """Bulletins as plain channel text; status as a 60-byte text broadcast (what users do)."""

    def __init__(self, ctx: AppContext, collector: Collector, traffic: Traffic) -> None:
        self._ctx = ctx
        self._collector = collector
        self._traffic = traffic
        self._count = 0
        kind = ctx.spec.kind
        if kind is NodeKind.HUB:
            ctx.call_later(traffic.first_bulletin_at, self._bulletin)
        elif kind is NodeKind.POINT:
            ctx.call_later(ctx.rng.uniform(0, traffic.status_interval), self._status)

    def _bulletin(self) -> None:
        ctx = self._ctx
        text = SAMPLE_BULLETINS[self._count % len(SAMPLE_BULLETINS)].encode()
        self._count += 1
        pid = ctx.node.send(BROADCAST, TEXT_MESSAGE_APP, text[:200], hop_limit=3)
        now = ctx.node.now()
        self._collector.bulletin_sent(pid, now)
        interval = 3600.0 / self._traffic.bulletins_per_hour
        if now + interval < ctx.duration - DELIVERY_DEADLINE_S:
            ctx.call_later(interval, self._bulletin)

    def _status(self) -> None:
        ctx = self._ctx
        body = f"S|{ctx.spec.name}|".encode().ljust(60, b".")
        ctx.node.send(BROADCAST, TEXT_MESSAGE_APP, body, hop_limit=3)
        ctx.call_later(self._traffic.status_interval, self._status)

    def on_packet(self, packet: MeshPacket) -> None:
        ctx = self._ctx
        if packet.portnum != TEXT_MESSAGE_APP:
            return
        if packet.payload.startswith(b"S|"):
            if ctx.spec.kind is NodeKind.HUB:
                name = packet.payload.split(b"|")[1].decode()
                self._collector.status_at_hub.setdefault(name, []).append(ctx.node.now())
        elif ctx.spec.kind is NodeKind.POINT:
            self._collector.bulletin_received(packet.id, ctx.spec.name, ctx.node.now())

    def on_routing(self, report: RoutingReport) -> None: ...


# --- running and measuring -----------------------------------------------------------


@dataclass(frozen=True)
class DeliveryMetrics:
    column: str
    bulletins: int
    #: Share of (bulletin, reachable point) pairs delivered within 10 minutes / at all.
    within_deadline: float
    delivered: float
    #: Per bulletin: time until every reachable point had it (None: some never did).
    to_all: tuple[float | None, ...]
    #: Share of (reachable point, status interval) pairs in which the hub heard the point.
    status_share: float
    #: (bulletin, reachable point) pairs the delivery shares are over.
    pairs: int
    #: Distinct (point, bulletin) pairs the hub showed as received that the point did
    #: not hold at that moment (always 0 for plain text, which has no receipts).
    false_receipts: int
    receipts_checked: int
    util_mean: float
    util_max: float
    duty_max: float
    tx_per_hour: float
    wall_s: float
    #: The node with the highest channel utilisation.
    busiest_node: str = ""
    #: Points within the hop limit of the hub on links above the demodulation floor
    #: (the shares above are over these).
    reachable: int = 0


def run(
    scenario: Scenario,
    loss: float,
    seed: int,
    column: str,
    traffic: Traffic,
    duration: float,
    config: EngineConfig | None = None,
    point_role: Role | None = None,
    preset: str | None = None,
    *,
    shipped: bool = False,
    bridges: bool = False,
    outdoor: bool = False,
) -> DeliveryMetrics:
    """One run of ``column`` ("noodrelay" or "plain"); ``point_role`` overrides the
    scenario's Meshtastic role of every support point's radio (a relay layout choice);
    ``shipped`` configures every radio and the engines as provisioned (relay.sim.layout);
    ``outdoor`` puts the antennas of the weak indoor points outside (relay.sim.antennas)."""
    scenario, rng, mesh = bench_mesh(
        scenario, loss, seed, preset, point_role, shipped=shipped, bridges=bridges, outdoor=outdoor
    )
    collector = Collector()
    hubs = scenario.of_kind(NodeKind.HUB)
    cfg = config or default_engine_config(scenario, shipped)
    make: Callable[[AppContext], object]
    if column == "noodrelay":
        make = noodrelay_factory(scenario, seed, collector, traffic, cfg)
    else:
        make = lambda ctx: PlainTextApp(ctx, collector, traffic)  # noqa: E731
    wall = attach_and_run(mesh, rng, hubs[0].num, make, duration)
    if collector.hub is not None:
        windows = announced_windows(collector.hub.interval_log, duration)
    else:
        windows = fixed_windows(traffic.status_interval, duration)
    return _measure(mesh, column, collector, hubs[0].name, windows, duration, wall)


Windows = list[tuple[float, float]]


def fixed_windows(interval: float, duration: float) -> Windows:
    """Whole windows of ``interval`` seconds from the start of the run."""
    return [(k * interval, (k + 1) * interval) for k in range(int(duration // interval))]


def announced_windows(log: list[tuple[float, float]], duration: float) -> Windows:
    """The status intervals the hub announced, as whole windows of run time. The run
    starts at a multiple of every interval the hub may announce (``NOW``), and admission
    control changes the interval only where one ends, so each window is one of the hub's
    intervals: a point counts as heard in it if the hub heard it at least once there."""
    changes = sorted((hub_t - NOW, interval) for hub_t, interval in log)
    windows: Windows = []
    start = 0.0
    while True:
        interval = next(iv for at, iv in reversed(changes) if at <= start + 1e-6)
        if start + interval > duration:
            return windows
        windows.append((start, start + interval))
        start += interval


def default_engine_config(scenario: Scenario, shipped: bool) -> EngineConfig:
    """The engines' timings: as provisioned, or the engine's own defaults."""
    name = scenario.radio.preset.name
    return shipped_engine_config(name) if shipped else EngineConfig(preset=name)


def bench_mesh(
    scenario: Scenario,
    loss: float,
    seed: int,
    preset: str | None,
    point_role: Role | None,
    *,
    shipped: bool = False,
    bridges: bool = False,
    outdoor: bool = False,
) -> tuple[Scenario, random.Random, Mesh]:
    """The simulated air of one bench run: extra link loss, the preset, the points' role
    (``shipped``: every radio as its firmware-config profile sets it; ``bridges``: and
    the points ``relay plan`` names get the relaying profile, relay.sim.bridges;
    ``outdoor``: and the indoor points with weak links an outside antenna, measured on
    this seed's links before the run, relay.sim.antennas)."""
    scenario = scenario.with_extra_loss(loss)
    if shipped:
        scenario = shipped_layout(scenario, preset)
    elif preset is not None:
        radio = dataclasses.replace(scenario.radio, preset=airtime_preset(preset))
        scenario = dataclasses.replace(scenario, radio=radio)
    rng = random.Random(seed)  # noqa: S311 - the simulation's random stream
    mesh = Mesh(scenario, rng)
    if outdoor:
        # The same seed again: the same shadowing on every link, less the walls.
        scenario = antennas_outside(scenario, weak_indoor_points(mesh))
        rng = random.Random(seed)  # noqa: S311
        mesh = Mesh(scenario, rng)
    if point_role is not None:
        for node in mesh.nodes:
            if node.spec.kind is NodeKind.POINT:
                node.configure(role=point_role)
    if bridges:
        bridge_points(mesh, scenario.of_kind(NodeKind.HUB)[0].name)
    return scenario, rng, mesh


def attach_and_run(
    mesh: Mesh,
    rng: random.Random,
    hub_num: int,
    make: Callable[[AppContext], object],
    duration: float,
) -> float:
    """Give every node its app, run ``duration`` virtual seconds; the wall time taken."""
    for node in mesh.nodes:
        ctx = AppContext(
            node, node.spec, hub_num, DeliveryLog(), rng, mesh.scheduler.call_later, duration
        )
        node.attach(make(ctx))  # type: ignore[arg-type]
    started = time.perf_counter()
    mesh.run_until(duration)
    return time.perf_counter() - started


def _measure(
    mesh: Mesh,
    column: str,
    c: Collector,
    hub: str,
    windows: Windows,
    duration: float,
    wall: float,
) -> DeliveryMetrics:
    reachable = reachable_points(mesh, hub)
    pairs = in_time = got_any = 0
    to_all: list[float | None] = []
    for key, sent_at in c.sent.items():
        got = {p: t - sent_at for p, t in c.received[key].items() if p in reachable}
        pairs += len(reachable)
        in_time += sum(1 for d in got.values() if d <= DELIVERY_DEADLINE_S)
        got_any += len(got)
        to_all.append(max(got.values()) if len(got) == len(reachable) and got else None)
    usage = mesh.usage()
    utils = [100.0 * (u.tx_airtime_s + u.rx_airtime_s) / duration for u in usage]
    return DeliveryMetrics(
        column=column,
        bulletins=len(c.sent),
        within_deadline=in_time / pairs if pairs else 1.0,
        delivered=got_any / pairs if pairs else 1.0,
        to_all=tuple(to_all),
        status_share=status_share(c.status_at_hub, reachable, windows),
        pairs=pairs,
        false_receipts=len(c.false_receipts),
        receipts_checked=c.receipts_checked,
        util_mean=statistics.fmean(utils),
        util_max=max(utils),
        duty_max=max(u.peak_duty_cycle_percent for u in usage),
        tx_per_hour=mesh.air.stats.transmissions * 3600 / duration,
        wall_s=wall,
        busiest_node=usage[utils.index(max(utils))].name,
        reachable=len(reachable),
    )


def status_share(heard_at: dict[str, list[float]], points: set[str], windows: Windows) -> float:
    """Share of (point, status interval) pairs in which the hub heard the point at least
    once; ``windows`` are the status intervals (run time), whole ones only."""
    if not windows:
        return math.nan  # no whole interval in the run: not measured
    if not points:
        return 1.0
    heard = 0
    for point in points:
        times = heard_at.get(point, [])
        heard += sum(1 for a, b in windows if any(a <= t < b for t in times))
    return heard / (len(points) * len(windows))


@dataclass(frozen=True)
class Column:
    """A traffic model and radio layout to compare."""

    label: str
    kind: str  # "noodrelay" or "plain"
    preset: str | None = None  # None: the scenario's preset
    point_role: Role | None = None  # None: the scenario's roles
    shipped: bool = False  # every radio and engine as provisioned (relay.sim.layout)
    bridges: bool = False  # and the points relay plan names relaying (relay.sim.bridges)
    outdoor: bool = False  # and weak indoor points' antennas outside (relay.sim.antennas)


def _pct(x: float) -> str:
    return f"{'n/a':>7}" if math.isnan(x) else f"{100 * x:6.1f}%"


def _quantile(xs: list[float], q: float) -> str:
    if not xs:
        return f"{'-':>6}"
    v = sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]
    return f"{v:5.0f}s"


def format_delivery_table(rows: list[tuple[str, float, Column, list[DeliveryMetrics]]]) -> str:
    head = (
        f"{'scenario':<8} {'loss':>4}  {'column':<34} {'<=10min':>7} {'1 hour':>7} "
        f"{'all p50':>6} {'all p95':>6} {'never':>5} {'status':>7} {'util avg':>8} "
        f"{'util max':>8} {'duty max':>8} {'tx/h':>6} {'wall':>5}"
    )
    lines = [head, "-" * len(head)]
    last = None
    for scenario, loss, column, runs in rows:
        label = f"{scenario:<8} {loss:>4.0%}" if (scenario, loss) != last else " " * 13
        last = (scenario, loss)
        to_all = [t for r in runs for t in r.to_all if t is not None]
        never = sum(1 for r in runs for t in r.to_all if t is None)
        n = len(runs)
        lines.append(
            f"{label}  {column.label:<34} "
            f"{_pct(sum(r.within_deadline for r in runs) / n)} "
            f"{_pct(sum(r.delivered for r in runs) / n)} "
            f"{_quantile(to_all, 0.5)} {_quantile(to_all, 0.95)} {never:>5} "
            f"{_pct(sum(r.status_share for r in runs) / n)} "
            f"{sum(r.util_mean for r in runs) / n:7.1f}% {max(r.util_max for r in runs):7.1f}% "
            f"{max(r.duty_max for r in runs):7.1f}% "
            f"{sum(r.tx_per_hour for r in runs) / n:6.0f} {sum(r.wall_s for r in runs) / n:4.0f}s"
        )
    return "\n".join(lines)
