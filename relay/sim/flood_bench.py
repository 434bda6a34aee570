"""Duty-cycle starvation (issue 14, item 8): a frame flood through one relay site.

A radio next to the relay site (an intruder, or a neighbour's broken client; its radio
ignores the duty cycle) sends ``frames`` short broadcasts back to back. The relay site
relays them all until its own rolling-hour transmit share passes the region's limit
(10 % in EU868); from then on the firmware drops every relay, the hub's frames
included, until enough of the flood's minutes have left its window.

Everything else is as shipped (:mod:`relay.sim.layout`): the radios' profiles, the
engines' timings, six bulletins an hour. The measure, per support point, counted from the
moment the flood stops:

* **bulletins**: until the point holds every bulletin the hub issued up to then;
* **hears hub**: until the point hears the hub again (0 if it heard it within the last
  1.5 heartbeat periods, i.e. it never lost contact);
* **heard by hub**: until the hub accepts the point's next status report.

A point that never gets there within the run counts as not recovered. The baseline run
is the same seed without the flood, measured from the same instant.
"""

from __future__ import annotations

import dataclasses
import itertools
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from relay.airtime import frame_airtime_s
from relay.engine.config import EngineConfig
from relay.sim.api import BROADCAST, MeshPacket, RebroadcastMode, Role, RoutingReport
from relay.sim.bench import AppContext
from relay.sim.engine_bench import (
    Collector,
    Traffic,
    attach_and_run,
    bench_mesh,
    default_engine_config,
    noodrelay_factory,
)
from relay.sim.frames import TEXT_MESSAGE_APP
from relay.sim.mesh import Mesh
from relay.sim.scenario import LinkSpec, NodeKind, NodeSpec, Scenario

FLOODER = "flooder"
FLOODER_NUM = 0x7E5700FF


@dataclass(frozen=True)
class Flood:
    """One flood: through which relay site, how many frames, of what size, when."""

    relay: str = "relay-kerk"
    frames: int = 500
    #: Bytes of payload per frame (1.5 s each at LONG_FAST): enough that the relay site,
    #: which loses some of them to collisions, passes its limit during the flood.
    payload: int = 140
    #: When the flood starts: after the region settled (first reports, hop limits learned).
    start_s: float = 3600.0
    #: Silence after each frame, on top of its airtime (the relay's turn to repeat it).
    gap_s: float = 1.5
    #: How long the run goes on after the flood stops.
    after_s: float = 2 * 3600.0

    def pace(self, preset_name: str) -> float:
        from relay.airtime import preset

        return frame_airtime_s(self.payload, preset(preset_name), TEXT_MESSAGE_APP) + self.gap_s

    def end_s(self, preset_name: str) -> float:
        return self.start_s + self.frames * self.pace(preset_name)


def with_flooder(scenario: Scenario, relay: str) -> Scenario:
    """``scenario`` plus the flooding radio, heard by ``relay`` alone (a mute client: it
    relays nothing itself)."""
    site = scenario.node(relay)
    spec = NodeSpec(FLOODER, FLOODER_NUM, NodeKind.RELAY, Role.CLIENT_MUTE, RebroadcastMode.ALL,
                    position=site.position)  # fmt: skip
    links = scenario.links
    if links is not None:
        links = (*links, LinkSpec(FLOODER, relay, snr_db=10.0))
    return dataclasses.replace(scenario, nodes=(*scenario.nodes, spec), links=links)


class FloodApp:
    """The flooder's client: ``frames`` broadcasts, one every ``pace`` seconds."""

    def __init__(self, ctx: AppContext, flood: Flood, pace: float) -> None:
        self._ctx, self._flood, self._pace = ctx, flood, pace
        self.sent = 0
        ctx.call_later(flood.start_s, self._send)

    def _send(self) -> None:
        payload = self._ctx.rng.randbytes(self._flood.payload)
        self._ctx.node.send(BROADCAST, TEXT_MESSAGE_APP, payload, hop_limit=3)
        self.sent += 1
        if self.sent < self._flood.frames:
            self._ctx.call_later(self._pace, self._send)

    def on_packet(self, packet: MeshPacket) -> None: ...

    def on_routing(self, report: RoutingReport) -> None: ...


@dataclass(frozen=True)
class PointRecovery:
    """Seconds from the flood's end until each thing came back (None: not in the run)."""

    point: str
    bulletins: float | None
    hears_hub: float | None
    heard_by_hub: float | None
    #: Longest stretch (s) without a hub frame between the flood's start and the run's end.
    longest_silence: float
    #: Bulletins issued before the flood's end that the point never got.
    missing: int = 0


@dataclass(frozen=True)
class FloodRun:
    seed: int
    flooded: bool
    points: tuple[PointRecovery, ...]
    #: The relay site: peak rolling-hour transmit share (%), relays it dropped for the
    #: duty cycle, and when (s after the flood's end) it dropped the last one.
    relay_peak_duty: float
    relay_dropped: int
    relay_back_s: float | None
    #: (point, bulletin) pairs the hub's receipts ever claimed that the point lacked.
    false_receipts: int = 0


@dataclass
class _DropWatch:
    """When the relay site last dropped a relay for its duty cycle (sampled every 10 s):
    it hovers at the limit, relaying what fits, until the flood's minutes leave its
    rolling hour."""

    mesh: Mesh
    relay: str
    last_drop: float | None = None
    _count: int = 0

    def start(self) -> None:
        self.mesh.scheduler.call_later(10.0, self._tick)

    def _tick(self) -> None:
        dropped = self.mesh.node(self.relay).firmware.counters.relays_dropped_duty_cycle
        if dropped > self._count:
            self._count, self.last_drop = dropped, self.mesh.now()
        self.mesh.scheduler.call_later(10.0, self._tick)


def run_flood(
    scenario: Scenario,
    seed: int,
    flood: Flood,
    *,
    flooded: bool = True,
    config: EngineConfig | None = None,
    traffic: Traffic | None = None,
) -> FloodRun:
    """One run of the shipped layout with (or without: the baseline) the flood."""
    scenario = with_flooder(scenario, flood.relay)
    scenario, rng, mesh = bench_mesh(scenario, 0.0, seed, None, None, shipped=True)
    flooder = mesh.node(FLOODER)
    flooder.configure(role=Role.CLIENT_MUTE)  # the layout gave it a relay site's profile
    flooder.firmware.config = dataclasses.replace(flooder.firmware.config, duty_cycle_percent=100)
    preset_name = scenario.radio.preset.name
    cfg = config or default_engine_config(scenario, shipped=True)
    collector = Collector()
    engines = noodrelay_factory(scenario, seed, collector, traffic or Traffic(), cfg)
    pace = flood.pace(preset_name)

    def make(ctx: AppContext) -> object:
        if ctx.spec.name == FLOODER:
            return FloodApp(ctx, flood, pace) if flooded else engines(ctx)
        return engines(ctx)

    end = flood.end_s(preset_name)
    watch = _DropWatch(mesh, flood.relay)
    watch.start()
    hub = scenario.of_kind(NodeKind.HUB)[0]
    attach_and_run(mesh, rng, hub.num, make, end + flood.after_s)
    relay = mesh.node(flood.relay)
    window = (flood.start_s, end, end + flood.after_s)
    points = tuple(
        _recovery(spec.name, collector, window, cfg.heartbeat_interval_s)
        for spec in scenario.of_kind(NodeKind.POINT)
    )
    return FloodRun(
        seed=seed,
        flooded=flooded,
        points=points,
        relay_peak_duty=relay.radio.airtime.peak_tx_percent,
        relay_dropped=relay.firmware.counters.relays_dropped_duty_cycle,
        relay_back_s=0.0 if watch.last_drop is None else max(0.0, watch.last_drop - end),
        false_receipts=len(collector.false_receipts),
    )


def _recovery(
    point: str, c: Collector, window: tuple[float, float, float], heartbeat: float
) -> PointRecovery:
    start, end, stop = window
    due = [key for key, at in c.sent.items() if at <= end]
    got = [c.received[key].get(point) for key in due]
    bulletins = None if None in got else max(0.0, max((t or 0.0 for t in got), default=0.0) - end)
    heard = sorted(c.hub_heard.get(point, []))
    before = [t for t in heard if t <= end]
    after = [t for t in heard if t > end]
    if before and end - before[-1] <= 1.5 * heartbeat:
        hears: float | None = 0.0
    else:
        hears = after[0] - end if after else None
    reports = [t for t in c.status_at_hub.get(point, []) if t > end]
    marks = [start, *(t for t in heard if start < t < stop), stop]
    silence = max(b - a for a, b in itertools.pairwise(marks))
    first_report = reports[0] - end if reports else None
    return PointRecovery(point, bulletins, hears, first_report, silence, got.count(None))


def run_seeds(
    scenario: Scenario,
    seeds: list[int],
    flood: Flood,
    config: EngineConfig | None = None,
    progress: Callable[[FloodRun], None] | None = None,
) -> list[FloodRun]:
    """Baseline and flood for every seed, in that order."""
    runs = []
    for seed in seeds:
        for flooded in (False, True):
            run = run_flood(scenario, seed, flood, flooded=flooded, config=config)
            runs.append(run)
            if progress is not None:
                progress(run)
    return runs


def _stat(values: list[float | None]) -> str:
    got = [v for v in values if v is not None]
    never = len(values) - len(got)
    if not got:
        return f"{'never':>15}"
    text = f"{statistics.fmean(got) / 60:6.1f} {max(got) / 60:6.1f}"
    return f"{text}{'*' if never else ' '}{never if never else '':>1}"


def format_flood_table(label: str, runs: list[FloodRun]) -> str:
    """Per point and column (baseline, flood): mean and worst minutes to recover over the
    seeds; ``*n``: n seeds in which it did not recover within the run."""
    names = [p.point for p in runs[0].points]
    head = (
        f"{'engine':<10} {'point':<10} {'run':<9} {'bulletins mean/worst':>21} "
        f"{'hears hub':>15} {'heard by hub':>15} {'silence max':>11}"
    )
    lines = [head, "-" * len(head)]
    for name in names:
        for flooded in (False, True):
            rows = [p for r in runs if r.flooded is flooded for p in r.points if p.point == name]
            bulletins = _stat([p.bulletins for p in rows])
            hears = _stat([p.hears_hub for p in rows])
            lines.append(
                f"{label:<10} {name:<10} {'flood' if flooded else 'baseline':<9} "
                f"{bulletins:>21} {hears:>15} {_stat([p.heard_by_hub for p in rows]):>15} "
                f"{max(p.longest_silence for p in rows) / 60:10.1f}m"
            )
    flooded_runs = [r for r in runs if r.flooded]
    back = [r.relay_back_s for r in flooded_runs]
    lines.append(
        f"relay site: peak duty {max(r.relay_peak_duty for r in flooded_runs):.1f} %, "
        f"relays dropped {statistics.fmean(r.relay_dropped for r in flooded_runs):.0f} per run, "
        f"last relay dropped {_minutes(back)} after the flood"
    )
    return "\n".join(lines)


def _minutes(values: list[float | None]) -> str:
    got = [v for v in values if v is not None]
    if not got:
        return "never"
    worst = max(got) / 60
    mean = statistics.fmean(got) / 60
    return f"{mean:.1f} min (worst {worst:.1f}){'' if len(got) == len(values) else ' or never'}"
