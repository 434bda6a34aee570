"""``relay sim``: inspect mesh scenarios before trusting a plan to them.

``relay sim scenarios`` lists the shipped scenarios; ``relay sim check NAME|FILE``
validates one (a bad key is a one-line error naming it) and shows, per support point,
how many radio hops it is from the hub and its best link, after a histogram of points
by hops (1, 2, 3, 4+, unreachable), on the simulator's path-loss
model. ``relay sim run NAME|FILE`` floods text bulletins from the hub for a while and
prints what reached the points.
"""

from __future__ import annotations

import random
from pathlib import Path

import click

from relay.sim.bench import reachable_points, run_scenario, text_baseline
from relay.sim.hops import hop_histogram
from relay.sim.mesh import Mesh
from relay.sim.scenario import NodeKind, PathLoss, Scenario, load_scenario, shipped_scenarios


@click.group()
def sim() -> None:
    """The mesh simulator: scenarios, links and a quick flood test."""


@sim.command("scenarios")
def scenarios() -> None:
    """List the scenarios shipped with noodrelay."""
    for name in shipped_scenarios():
        scenario = load_scenario(name)
        click.echo(f"{name:<12} {len(scenario.nodes):>4} nodes  {scenario.description}")


def _load(name_or_file: str) -> Scenario:
    return load_scenario(Path(name_or_file) if name_or_file.endswith(".toml") else name_or_file)


@sim.command("check")
@click.argument("scenario")
@click.option("--seed", default=1, show_default=True, help="Seed of the link shadowing.")
def check(scenario: str, seed: int) -> None:
    """Validate SCENARIO (a shipped name or a .toml file) and show its links."""
    sc = _load(scenario)
    mesh = Mesh(sc, random.Random(seed), link_seed=seed)  # noqa: S311 (simulation, not secrets)
    hubs = sc.of_kind(NodeKind.HUB)
    radio = sc.radio
    click.echo(f"scenario    {sc.name}: {sc.description}")
    click.echo(f"radio       {radio.preset.name}, hop limit {radio.hop_limit}, {_model(sc)}")
    kinds = ", ".join(f"{len(sc.of_kind(k))} {k.value}" for k in NodeKind)
    click.echo(f"nodes       {len(sc.nodes)} ({kinds}); {len(mesh.links)} directed links")
    if not hubs:
        return
    hops = mesh.hops_from(hubs[0].name)
    reachable = reachable_points(mesh, hubs[0].name)
    points = sc.of_kind(NodeKind.POINT)
    click.echo(f"reach       {len(reachable)} of {len(points)} points within the hop limit")
    histogram = hop_histogram(mesh, hubs[0].name)
    click.echo("hops        points by fewest radio hops from the hub (usable links)")
    for label, count in histogram.rows():
        click.echo(f"  {label:<12} {count:>4}")
    floor = mesh.air.demod_floor_db
    for spec in points:
        links = [link for link in mesh.air.neighbours(spec.num) if link.snr_db >= floor]
        best = max((link.snr_db for link in links), default=None)
        hop = hops.get(spec.name)
        where = f"{hop} hop(s)" if hop is not None else "unreachable"
        best_text = f"best link {best:+.1f} dB" if best is not None else "no usable link"
        click.echo(f"  {spec.name:<28} {where:<12} {len(links):>3} neighbours, {best_text}")


def _model(sc: Scenario) -> str:
    if sc.links is not None:
        return "link table"
    hata = f"Hata {sc.radio.environment.value}"
    if sc.radio.path_loss is PathLoss.TOWN:
        return f"town path loss (3GPP UMi below 30 m, {hata} above)"
    return f"{hata} path loss"


@sim.command("run")
@click.argument("scenario")
@click.option("--minutes", default=60, show_default=True, help="Virtual minutes to run.")
@click.option("--loss", default=0.0, show_default=True, help="Extra link loss 0..1.")
@click.option("--seed", default=1, show_default=True)
def run(scenario: str, minutes: int, loss: float, seed: int) -> None:
    """Flood a text bulletin from the hub every 5 minutes and report what arrived."""
    sc = _load(scenario)
    metrics = run_scenario(sc, loss, seed, text_baseline(300.0), duration=minutes * 60.0)
    lat = metrics.latencies
    click.echo(f"bulletins   {metrics.bulletins}, reach {metrics.reach:.1%} of reachable points")
    if lat:
        click.echo(f"latency     p50 {lat[len(lat) // 2]:.1f} s, max {lat[-1]:.1f} s")
    click.echo(
        f"channel     {metrics.util_mean:.1f} % average, {metrics.util_max:.1f} % busiest node"
    )
    click.echo(f"duty cycle  {metrics.duty_max:.2f} % highest node (limit 10 %)")
    click.echo(f"speed       {metrics.speed:.0f}x real time")
