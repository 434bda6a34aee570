"""The report as one self-contained HTML file (figures embedded as PNG data) and the same
tables as CSV files next to it. Every name and text from the store is escaped.

The first section is a one-page summary a project leader can paste into an evaluation;
printing the page from a browser ("Save as PDF") gives the PDF.
"""

from __future__ import annotations

import base64
import csv
import statistics
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from relay.report import figures
from relay.report.data import ReportData

AMS = ZoneInfo("Europe/Amsterdam")
CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:1000px;margin:1em auto;color:#111}
h1{font-size:1.6em}h2{border-bottom:2px solid #111;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.85em}
td,th{border-bottom:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}
.summary{border:3px solid #111;padding:.5em 1em;page-break-after:always}
.summary li{margin:.2em 0}.exercise{background:#ffe600;padding:.2em .5em;font-weight:700}
img{max-width:100%}.num{text-align:right}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _time(at: float | None) -> str:
    if at is None:
        return "–"
    return datetime.fromtimestamp(at, UTC).astimezone(AMS).strftime("%d-%m %H:%M")


def _minutes(seconds: float | None) -> str:
    return "niet bereikt" if seconds is None else f"{seconds / 60:.1f}"


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _ninety(reached: list[float]) -> str:
    if not reached:
        return "geen bericht bereikte 90 % van de punten."
    return (
        f"90 % van de punten had een bericht na mediaan {statistics.median(reached) / 60:.0f} min."
    )


def summary_lines(data: ReportData) -> list[str]:
    """The summary's sentences (also printed by the CLI)."""
    n = len(data.points)
    hours = (data.until - data.since) / 3600
    b = data.bulletins
    reached = [r.reach_s[1] for r in b if r.reach_s[1] is not None]
    complete = sum(1 for r in b if r.reach_s[2] is not None)
    heard = statistics.median([p.heard_share for p in data.points]) if data.points else 0.0
    silent = sum(1 for p in data.points if p.reports == 0)
    closed = sum(1 for h in data.help if h.closed_at is not None)
    busiest = max((s.channel_util_pct or 0.0 for s in data.radio), default=0.0)
    own = max((s.airtime_pct for s in data.radio), default=0.0)
    return [
        f"Periode: {_time(data.since)} tot {_time(data.until)} ({hours:.1f} uur), {n} steunpunten.",
        f"Berichten: {len(b)} uitgegeven; {complete} bereikten alle punten; " + _ninety(reached),
        f"Punten: mediaan {100 * heard:.0f} % van de statusintervallen gehoord; "
        f"{silent} punt(en) nooit gehoord.",
        f"Hulpvragen: {len(data.help)}, waarvan {closed} afgesloten.",
        f"Radio: eigen zendtijd hoogstens {own:.1f} % van het uur; "
        f"kanaalbezetting hoogstens {busiest:.0f} %.",
    ]


def _table(head: list[str], rows: Iterable[list[object]]) -> str:
    out = ["<table><thead><tr>", *[f"<th>{_e(h)}</th>" for h in head], "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


BULLETIN_HEAD = [
    "#",
    "kop",
    "status",
    "urgentie",
    "uitgegeven",
    "50 % (min)",
    "90 % (min)",
    "100 % (min)",
    "ontvangen",
    "opgehangen",
    "nooit ontvangen door",
]
POINT_HEAD = [
    "#",
    "punt",
    "gemeente",
    "laatst gehoord",
    "rapporten",
    "% intervallen gehoord",
    "berichten ontvangen",
    "opgehangen",
    "uren open",
    "stroom (laatst)",
    "behoeften",
]
HELP_HEAD = [
    "punt",
    "soort",
    "urgentie",
    "personen",
    "verzonden",
    "bij de hub",
    "stand",
    "laatste wijziging",
    "afgesloten",
]
RADIO_HEAD = ["tijd", "eigen zendtijd (% van het uur)", "kanaalbezetting (%)"]


def bulletin_table(data: ReportData) -> list[list[object]]:
    return [
        [
            r.seq,
            r.headline,
            r.status,
            r.urgency,
            _time(r.issued_at),
            *map(_minutes, r.reach_s),
            r.received,
            r.displayed,
            ", ".join(r.never),
        ]
        for r in data.bulletins
    ]


def point_table(data: ReportData) -> list[list[object]]:
    return [
        [
            p.point_id,
            p.name,
            p.municipality,
            _time(p.last_heard),
            p.reports,
            f"{100 * p.heard_share:.0f}",
            p.received,
            p.displayed,
            f"{p.open_hours:.1f}",
            p.power[-1][1] if p.power else "",
            ", ".join(p.needs),
        ]
        for p in data.points
    ]


def help_table(data: ReportData) -> list[list[object]]:
    return [
        [
            h.point,
            h.kind,
            h.urgency,
            h.people,
            _time(h.sent_at),
            _time(h.received_at),
            h.state,
            _time(h.updated_at),
            _time(h.closed_at),
        ]
        for h in data.help
    ]


def radio_table(data: ReportData) -> list[list[object]]:
    return [
        [_time(s.at), s.airtime_pct, "" if s.channel_util_pct is None else s.channel_util_pct]
        for s in data.radio
    ]


TABLES: dict[str, tuple[list[str], Callable[[ReportData], list[list[object]]]]] = {
    "bulletins": (BULLETIN_HEAD, bulletin_table),
    "points": (POINT_HEAD, point_table),
    "help": (HELP_HEAD, help_table),
    "radio": (RADIO_HEAD, radio_table),
}


def html(data: ReportData) -> str:
    figs = {name: draw(data) for name, draw in figures.ALL.items()}
    title = "Evaluatie noodrelay" + (f": {data.title}" if data.title else "")
    exercise = f'<p class="exercise">OEFENING {_e(data.exercise.name)}</p>' if data.exercise else ""
    summary = "".join(f"<li>{_e(line)}</li>" for line in summary_lines(data))
    sections = [
        ("Berichten: hoe snel bij hoeveel punten", ("reach",), "bulletins"),
        ("Punten", ("heard", "power"), "points"),
        ("Hulpvragen", ("help",), "help"),
        ("Zendtijd en kanaalbezetting", ("radio",), "radio"),
    ]
    body = []
    for heading, names, table in sections:
        head, rows = TABLES[table]
        pictures = "".join(_img(figs[n], f"{heading} ({n})") for n in names)
        body.append(f"<h2>{_e(heading)}</h2>{pictures}{_table(head, rows(data))}")
    return (
        '<!doctype html>\n<html lang="nl"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f'<section class="summary" id="summary"><h1>{_e(title)}</h1>{exercise}'
        f"<ul>{summary}</ul>{_img(figs['reach'], 'bereik')}</section>"
        + "".join(body)
        + "<p>Gemaakt door <code>relay report</code> uit de eigen opslag van de hub. "
        "Tijden in Europe/Amsterdam. Afdrukken als PDF: afdrukken in de browser.</p>"
        "</body></html>\n"
    )


def write(data: ReportData, out: Path) -> list[Path]:
    """``out`` (HTML) and ``<stem>-<table>.csv`` next to it; returns every file written."""
    written = [out]
    out.write_text(html(data), encoding="utf-8")
    for name, (head, rows) in TABLES.items():
        path = out.with_name(f"{out.stem}-{name}.csv")
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(head)
            writer.writerows(rows(data))
        written.append(path)
    return written
