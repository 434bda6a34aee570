"""The issue-11 targets, judged on the runs (seeds) of one cell.

A cell is one scenario at one preset and loss; its runs are the seeds of one column.
:class:`Summary` condenses the seeds the same way for every table (mean and worst seed),
and :func:`verdicts` says, target by target, whether the cell meets it. The delivery
bench, ``tools/bench_scale.py`` and ``relay plan`` all judge through here, so a target
changes in one place.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from relay.sim.engine_bench import DeliveryMetrics

#: Issue 11, "Targets", at 20 % extra loss in the shipped layout.
BULLETIN_MEAN = 0.999
BULLETIN_WORST_SEED = 0.995
STATUS_SHARE = 0.99
UTIL_AVG_PCT = 25.0
UTIL_BUSIEST_PCT = 40.0
DUTY_PCT = 10.0
STATUS_TARGET = "status heard >= 99 %"


def pct(share: float, digits: int) -> str:
    """A share in percent; "n/a" for one not measured (NaN: the run was too short)."""
    return "n/a" if math.isnan(share) else f"{100 * share:.{digits}f}%"


@dataclass(frozen=True, slots=True)
class Summary:
    """The seeds of one column in one cell."""

    seeds: int
    #: (bulletin, reachable point) pairs delivered within 10 minutes: mean over seeds
    #: and the worst seed.
    bulletins: float
    bulletins_worst: float
    status: float
    status_worst: float
    util_avg: float
    #: The busiest node's utilisation: mean over seeds, and the worst seed's.
    util_busiest: float
    util_busiest_worst: float
    duty_max: float
    false_receipts: int
    #: Fewest (bulletin, reachable point) pairs in one seed (a share means little
    #: below ~1000).
    min_pairs: int
    wall_s: float
    #: Points the shares are over (reachable from the hub; fewest in one seed).
    reachable: int = 0

    @classmethod
    def of(cls, runs: Sequence[DeliveryMetrics]) -> Summary:
        if not runs:
            raise ValueError("a cell needs at least one run")
        return cls(
            seeds=len(runs),
            bulletins=statistics.fmean(r.within_deadline for r in runs),
            bulletins_worst=min(r.within_deadline for r in runs),
            status=statistics.fmean(r.status_share for r in runs),
            status_worst=min(r.status_share for r in runs),
            util_avg=statistics.fmean(r.util_mean for r in runs),
            util_busiest=statistics.fmean(r.util_max for r in runs),
            util_busiest_worst=max(r.util_max for r in runs),
            duty_max=max(r.duty_max for r in runs),
            false_receipts=sum(r.false_receipts for r in runs),
            min_pairs=min(r.pairs for r in runs),
            wall_s=sum(r.wall_s for r in runs),
            reachable=min(r.reachable for r in runs),
        )


@dataclass(frozen=True, slots=True)
class Verdict:
    target: str
    value: str
    ok: bool

    def __str__(self) -> str:
        return f"{self.value} {'pass' if self.ok else 'FAIL'}"


def verdicts(ours: Summary, plain: Summary | None = None) -> list[Verdict]:
    """Every target for one cell; ``plain`` is the plain-text column of the same runs."""
    out = [
        Verdict(
            "bulletins <=10 min, mean >= 99.9 %",
            f"{100 * ours.bulletins:.2f}%",
            ours.bulletins >= BULLETIN_MEAN,
        ),
        Verdict(
            "bulletins, worst seed >= 99.5 %",
            f"{100 * ours.bulletins_worst:.2f}%",
            ours.bulletins_worst >= BULLETIN_WORST_SEED,
        ),
    ]
    if plain is not None:
        out.append(
            Verdict(
                "bulletins >= plain text (mean)",
                f"{100 * (ours.bulletins - plain.bulletins):+.2f}pt",
                ours.bulletins >= plain.bulletins,
            )
        )
    out += [
        Verdict(STATUS_TARGET, pct(ours.status, 1), ours.status >= STATUS_SHARE),
        Verdict("utilisation avg <= 25 %", f"{ours.util_avg:.1f}%", ours.util_avg <= UTIL_AVG_PCT),
        Verdict(
            "utilisation busiest <= 40 %",
            f"{ours.util_busiest_worst:.1f}%",
            ours.util_busiest_worst <= UTIL_BUSIEST_PCT,
        ),
        Verdict("duty max <= 10 %", f"{ours.duty_max:.1f}%", ours.duty_max <= DUTY_PCT),
        Verdict("false receipts = 0", str(ours.false_receipts), ours.false_receipts == 0),
    ]
    return out


def failed(ours: Summary, plain: Summary | None = None) -> list[str]:
    """The targets this cell misses (empty: it meets them all)."""
    return [v.target for v in verdicts(ours, plain) if not v.ok]


def verdict_table(cells: Sequence[tuple[str, Summary, Summary | None]]) -> str:
    """Targets as rows, cells (label, ours, plain) as columns."""
    if not cells:
        return ""
    columns = [verdicts(ours, plain) for _, ours, plain in cells]
    names = [v.target for v in max(columns, key=len)]
    width = max(16, *(len(label) for label, _, _ in cells))
    lines = [f"{'target':<36} " + " ".join(f"{label:>{width}}" for label, _, _ in cells)]
    lines.append("-" * len(lines[0]))
    for name in names:
        row = [next((str(v) for v in col if v.target == name), "-") for col in columns]
        lines.append(f"{name:<36} " + " ".join(f"{cell:>{width}}" for cell in row))
    return "\n".join(lines)
