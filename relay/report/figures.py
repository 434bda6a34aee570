"""The report's figures, drawn with matplotlib (Agg, no display) as PNG bytes.

matplotlib rather than hand-drawn SVG: it is the well-kept standard for exactly these
charts (time axes, stacked areas, legends), prints well, and the PNGs embed in one
self-contained HTML file that opens anywhere, also offline, and pastes into documents.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from relay.report.data import ReportData

BIN_S = 900.0
POWERS = ("grid", "generator", "battery", "none", "unknown")
COLOURS = {
    "grid": "#2b7bba",
    "generator": "#e08a1e",
    "battery": "#4caf50",
    "none": "#c62828",
    "unknown": "#9e9e9e",
}


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(draw: Callable[[Any, Any], None], size: tuple[float, float] = (9.0, 3.2)) -> bytes:
    plt = _plt()
    fig, ax = plt.subplots(figsize=size, dpi=100)
    try:
        draw(fig, ax)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)


def _times(values: list[float]) -> list[datetime]:
    return [datetime.fromtimestamp(v, UTC) for v in values]


def _min(seconds: float | None) -> float:
    return float("nan") if seconds is None else seconds / 60


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value


def reach(data: ReportData) -> bytes:
    """Minutes until 50 %, 90 % and 100 % of the points had each bulletin."""

    def draw(_fig: Any, ax: Any) -> None:
        rows = data.bulletins
        xs = list(range(len(rows)))
        for i, (label, colour) in enumerate(
            (("50 %", "#4caf50"), ("90 %", "#e08a1e"), ("100 %", "#c62828"))
        ):
            ys = [_min(r.reach_s[i]) for r in rows]
            ax.bar([x + (i - 1) * 0.27 for x in xs], ys, width=0.27, label=label, color=colour)
        ax.set_xticks(xs, [f"#{r.seq}" for r in rows], fontsize=7)
        ax.set_ylabel("minuten na uitgifte")
        ax.set_title("Bereik per bericht (ontbrekende balk: niet bereikt)")
        ax.legend(fontsize=8)

    return _png(draw)


def heard(data: ReportData) -> bytes:
    """How many points were heard in what share of their status intervals."""

    def draw(_fig: Any, ax: Any) -> None:
        ax.hist(
            [100 * p.heard_share for p in data.points], bins=10, range=(0, 100), color="#2b7bba"
        )
        ax.set_xlabel("% van de statusintervallen gehoord")
        ax.set_ylabel("punten")
        ax.set_title("Hoe goed de hub de punten hoorde")

    return _png(draw)


def power(data: ReportData) -> bytes:
    """Points per power source over time (the last status each point sent)."""
    edges = []
    t = data.since
    while t <= data.until:
        edges.append(t)
        t += BIN_S
    counts = {p: [0] * len(edges) for p in POWERS}
    for point in data.points:
        for i, edge in enumerate(edges):
            known = [src for at, src in point.power if at <= edge]
            counts[known[-1] if known else "unknown"][i] += 1

    def draw(_fig: Any, ax: Any) -> None:
        ax.stackplot(
            _times(edges),
            *[counts[p] for p in POWERS],
            labels=POWERS,
            colors=[COLOURS[p] for p in POWERS],
        )
        ax.set_ylabel("punten")
        ax.set_title("Stroomvoorziening van de punten (UTC)")
        ax.legend(loc="upper left", fontsize=7, ncols=5)

    return _png(draw)


def radio(data: ReportData) -> bytes:
    """Our own airtime (share of the hour) and the channel use the radio reported."""

    def draw(_fig: Any, ax: Any) -> None:
        at = _times([s.at for s in data.radio])
        ax.plot(at, [s.airtime_pct for s in data.radio], label="eigen zendtijd (% van het uur)")
        util = [
            s.channel_util_pct if s.channel_util_pct is not None else float("nan")
            for s in data.radio
        ]
        ax.plot(at, util, label="kanaalbezetting (%)")
        ax.set_ylabel("%")
        ax.set_title("Zendtijd en kanaalbezetting bij de hub (UTC)")
        ax.legend(fontsize=8)

    return _png(draw)


def help_timeline(data: ReportData) -> bytes:
    """Each help request from sending to closing (or to the end of the report)."""

    def draw(_fig: Any, ax: Any) -> None:
        for i, h in enumerate(data.help):
            end = h.closed_at or data.until
            ax.plot(_times([h.sent_at, end]), [i, i], color="#c62828", linewidth=4)
            ax.plot(_times([h.received_at]), [i], "k|", markersize=10)
        ax.set_yticks(range(len(data.help)), [h.point for h in data.help], fontsize=7)
        ax.set_title("Hulpvragen: verzonden tot afgesloten (streep: ontvangen door de hub)")

    return _png(draw, (9.0, max(2.0, 0.3 * len(data.help) + 1.2)))


ALL = {
    "reach": reach,
    "heard": heard,
    "power": power,
    "radio": radio,
    "help": help_timeline,
}
