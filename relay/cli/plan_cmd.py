"""``relay plan``: for technicians, before a region goes on the air.

``relay plan SCENARIO.toml`` (or a shipped scenario's name), or ``relay plan --points 150
--relays 8 --preset LONG_FAST [--terrain town]`` for a generated region: simulates the
region in the layout we ship, prints the expected channel utilisation, bulletin
delivery, status coverage and busiest node, and recommends a modem preset and a status
interval (relay.sim.plan). Progress goes to stderr, so the result can be piped.
Bad input is one line on stderr and exit status 2.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import click

from relay.airtime import PRESETS
from relay.errors import ConfigError
from relay.sim.antennas import WEAK_MARGIN_DB
from relay.sim.generate import generate_region
from relay.sim.plan import PRESETS as CANDIDATE_PRESETS
from relay.sim.plan import (
    AntennaAdvice,
    BridgeAdvice,
    Candidate,
    Outcome,
    PlanSettings,
    antenna_advice,
    bridge_advice,
    candidates,
    evaluate,
    recommend,
)
from relay.sim.scenario import NodeKind, Scenario, load_scenario
from relay.sim.targets import pct

BAD_INPUT = 2


@click.command("plan")
@click.argument("scenario", required=False)
@click.option("--points", type=int, help="Generate a region with this many support points.")
@click.option("--relays", type=int, default=8, show_default=True, help="Relay sites (generated).")
@click.option(
    "--terrain", default="town", show_default=True, help="Generated terrain: town or open."
)
@click.option("--preset", help="The preset you plan to use (default: the scenario's).")
@click.option("--seeds", type=int, default=2, show_default=True, help="Runs per candidate.")
@click.option(
    "--minutes", type=float, default=60.0, show_default=True, help="Virtual time per run."
)
@click.option("--loss", type=float, default=0.2, show_default=True, help="Extra link loss.")
@click.option(
    "--status-minutes",
    default="30,60",
    show_default=True,
    help="Status intervals to try, comma-separated.",
)
@click.option("--jobs", type=int, default=2, show_default=True, help="Processes.")
@click.pass_context
def plan(
    ctx: click.Context,
    scenario: str | None,
    points: int | None,
    relays: int,
    terrain: str,
    preset: str | None,
    seeds: int,
    minutes: float,
    loss: float,
    status_minutes: str,
    jobs: int,
) -> None:
    """Simulate a region and recommend a preset and status interval."""
    try:
        region = _region(scenario, points, relays, terrain)
        intervals = _intervals(status_minutes)
        planned = Candidate(_preset(preset, region), intervals[0])
        settings = _settings(seeds, minutes, loss, jobs)
    except ConfigError as err:
        click.echo(f"Error: {err}", err=True)
        ctx.exit(BAD_INPUT)
    _describe(region, settings)
    options = _options(planned, intervals)

    def progress(done: int, total: int, index: int, result: object) -> None:
        click.echo(f"  simulating: {done}/{total} runs done", err=True)

    def progress_outside(done: int, total: int, index: int, result: object) -> None:
        click.echo(f"  simulating, antennas outside: {done}/{total} runs done", err=True)

    outcomes = evaluate(region, options, settings, progress)
    _show_planned(next(o for o in outcomes if o.candidate == planned))
    _show_candidates(outcomes)
    best, why = recommend(outcomes)
    _show_recommendation(best, why)
    _show_bridges(bridge_advice(region, planned.preset, settings.loss))
    antennas = antenna_advice(region, planned.preset, settings.loss)
    _show_antennas(antennas)
    if best is None and antennas.weak:
        # The cheapest change found for regions whose targets fail (the region bench's
        # "shipped + antennas" column): try every candidate again with it.
        outside = evaluate(region, options, settings, progress_outside, outdoor=True)
        _show_candidates(outside, "With those antennas outside")
        _show_recommendation(*recommend(outside), "with those antennas outside")


def _region(scenario: str | None, points: int | None, relays: int, terrain: str) -> Scenario:
    if (scenario is None) == (points is None):
        raise ConfigError("give a scenario file or --points, one of the two")
    if scenario is not None:
        source = Path(scenario) if scenario.endswith(".toml") else scenario
        region = load_scenario(source)
        if not region.of_kind(NodeKind.HUB) or not region.of_kind(NodeKind.POINT):
            raise ConfigError(f"{scenario}: a plan needs a hub and at least one point")
        return region
    assert points is not None
    if points < 1:
        raise ConfigError(f"--points must be at least 1, not {points}")
    if relays < 0:
        raise ConfigError(f"--relays must be 0 or more, not {relays}")
    if terrain not in ("town", "open"):
        raise ConfigError(f"--terrain must be town or open, not {terrain!r}")
    return generate_region(points, relays=relays, terrain=terrain)


def _preset(preset: str | None, region: Scenario) -> str:
    name = (preset or region.radio.preset.name).upper()
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {preset!r} (known: {', '.join(PRESETS)})")
    return name


def _settings(seeds: int, minutes: float, loss: float, jobs: int) -> PlanSettings:
    if seeds < 1 or minutes <= 0 or jobs < 1:
        raise ConfigError("--seeds, --minutes and --jobs must be positive")
    if not 0 <= loss < 1:
        raise ConfigError(f"--loss must be in [0, 1), not {loss}")
    return PlanSettings(seeds=seeds, duration_s=minutes * 60, loss=loss, jobs=jobs)


def _intervals(text: str) -> list[float]:
    """Status intervals in seconds; the first is the one planned."""
    try:
        values = [float(part) * 60 for part in text.split(",")]
    except ValueError:
        raise ConfigError(f"--status-minutes must be numbers like 30,60, not {text!r}") from None
    if not values or min(values) <= 0:
        raise ConfigError(f"--status-minutes must be positive, not {text!r}")
    return values


def _options(planned: Candidate, intervals: list[float]) -> list[Candidate]:
    """The planned setting first, then every other candidate."""
    presets = dict.fromkeys((planned.preset, *CANDIDATE_PRESETS))
    rest = [c for c in candidates(list(presets), intervals) if c != planned]
    return [planned, *rest]


def _describe(region: Scenario, settings: PlanSettings) -> None:
    kinds = ", ".join(f"{len(region.of_kind(k))} {k.value}" for k in NodeKind)
    click.echo(
        f"Planning {region.name}: {kinds}; {settings.loss:.0%} extra loss, "
        f"{settings.seeds} seed(s) x {settings.duration_s / 60:.0f} min per candidate, "
        "radios and engines as provisioned."
    )


def _show_planned(o: Outcome) -> None:
    s = o.summary
    click.echo(f"\nExpected with {o.candidate} (targets of issue 11 in brackets):")
    click.echo(
        f"  channel utilisation  {s.util_avg:.1f}% average node [<= 25%], "
        f"{s.util_busiest_worst:.1f}% busiest node [<= 40%]"
    )
    click.echo(f"  busiest node         {o.busiest_node}")
    click.echo(f"  points reached       {s.reachable} within the hop limit (the shares' base)")
    click.echo(
        f"  bulletins <= 10 min  {100 * s.bulletins:.2f}% "
        f"(worst seed {100 * s.bulletins_worst:.2f}%) [>= 99.9%]"
    )
    click.echo(f"  status coverage      {pct(s.status, 1)} [>= 99%]")
    click.echo(f"  duty cycle, max      {s.duty_max:.1f}% [<= 10%]")
    if s.min_pairs < 1000:
        click.echo(
            f"  (only {s.min_pairs} bulletin-point pairs per seed: the delivery share is "
            "rough; more --minutes or --seeds sharpen it)"
        )


def _show_candidates(outcomes: list[Outcome], heading: str = "Candidates") -> None:
    click.echo(f"\n{heading}:")
    for o in outcomes:
        s = o.summary
        verdict = "meets every target" if o.ok else "misses: " + ", ".join(o.misses)
        click.echo(
            f"  {o.candidate!s:<36} util {s.util_avg:5.1f}% / {s.util_busiest_worst:5.1f}%  "
            f"bulletins {100 * s.bulletins:6.2f}%  status {pct(s.status, 1):>6}  {verdict}"
        )


def _show_recommendation(best: Outcome | None, why: str, condition: str = "") -> None:
    heading = f"Recommendation {condition}" if condition else "Recommendation"
    if best is None:
        click.echo(f"\n{heading}: none; {why}")
        return
    c = best.candidate
    interval = int(c.status_interval_s)
    click.echo(f"\n{heading}: {c.preset}, status every {interval // 60} min: {why}.")
    click.echo(
        f"  firmware-config/*.yaml: modem_preset: {c.preset}; relay.toml: [radio] preset = "
        f'"{c.preset}", [intervals] status_s = {interval}, receipt_min_gap_s = {interval}'
    )


def _show_bridges(advice: BridgeAdvice) -> None:
    """Which support points should get the relaying profile, and what that buys."""
    click.echo(
        f"\nReach in the shipped layout (every point CLIENT_MUTE): {advice.reached} of "
        f"{advice.points} points within the hop limit."
    )
    if not advice.bridges:
        click.echo("  No point's relaying would bring more within reach.")
        return
    n = len(advice.bridges)
    which = "this point" if n == 1 else f"these {n} points"
    click.echo(
        f"  Give {which} the relaying profile "
        f"(firmware-config/point-relaying.yaml) to reach {advice.reached_with_bridges}:"
    )
    for name in advice.bridges:
        click.echo(f"    {name}")
    click.echo(
        "  Then run the plan again on that layout: relaying points also add air "
        "(the region bench's 'shipped + plan' column measures it)."
    )


def _show_antennas(advice: AntennaAdvice) -> None:
    """Which indoor points should get an antenna outside, and what that buys."""
    if not advice.weak:
        click.echo("\nNo indoor point has a weak link to the hub or a relay site.")
        return
    n = len(advice.weak)
    text = (
        f"{n} indoor point{'s' if n != 1 else ''} with a link to the hub or a relay site "
        f"under {WEAK_MARGIN_DB:.0f} dB above the demodulation floor, or none: such a link "
        "loses about half its frames, and these points hold most late bulletins in the "
        "region bench. An antenna outside (wall or roof, no building loss) is the cheapest "
        f"change; with it {advice.reached_outside} points are within reach "
        f"({advice.reached} now):"
    )
    click.echo("\n" + textwrap.fill(text, 88))
    for name, margin in advice.weak:
        shown = "no link" if margin is None else f"{margin:+.1f} dB"
        click.echo(f"    {name:<28} {shown}")
