"""The evaluation report's figures, computed from the hub's own store only.

What the hub knows is what the points told it: a point "has" a bulletin from the first
status report whose receipt says so. Times to 50/90/100 % are therefore upper bounds
(a point may have held it a status interval earlier), which is what an evaluation of the
system as operated should count: the control room learns it then.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from relay.store.exercises import Exercise
from relay.store.help import StoredHelp
from relay.store.history import RadioSample, ReceivedStatus
from relay.store.store import Store, StoredBulletin
from relay.web.region import RegionMap
from relay.web.render import render_bulletin
from relay.wire import model as m

SHARES = (0.5, 0.9, 1.0)
_OPEN = (m.OpenState.OPEN, m.OpenState.LIMITED)


@dataclass(frozen=True, slots=True)
class BulletinRow:
    seq: int
    headline: str
    issued_at: float
    status: str
    urgency: str
    #: Seconds from issue until 50 %, 90 %, 100 % of the points had it (None: never).
    reach_s: tuple[float | None, ...]
    received: int
    displayed: int
    never: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PointRow:
    point_id: int
    name: str
    municipality: str
    last_heard: float | None
    reports: int
    heard_share: float
    received: int
    displayed: int
    open_hours: float
    power: tuple[tuple[float, str], ...]
    needs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HelpRow:
    point: str
    kind: str
    urgency: str
    people: int
    sent_at: float
    received_at: float
    state: str
    updated_at: float
    closed_at: float | None


@dataclass(frozen=True, slots=True)
class ReportData:
    since: float
    until: float
    title: str
    status_interval_s: float
    bulletins: tuple[BulletinRow, ...]
    points: tuple[PointRow, ...]
    help: tuple[HelpRow, ...]
    radio: tuple[RadioSample, ...]
    exercise: Exercise | None = None
    notes: tuple[str, ...] = field(default=())


def _issued_bulletins(store: Store, since: float, until: float) -> list[StoredBulletin]:
    own = [
        b
        for b in store.bulletins()
        if since <= b.received_at <= until
        and isinstance(b.message.envelope.body, m.Bulletin)
        and b.message.envelope.body.type is not m.MsgType.CANCEL
    ]
    return sorted(own, key=lambda b: b.message.envelope.seq)


def _first_holding(
    statuses: list[ReceivedStatus], seqs: list[int]
) -> dict[int, dict[int, tuple[float | None, bool]]]:
    """seq -> point -> (first time the hub learned the point held it, ever displayed)."""
    out: dict[int, dict[int, tuple[float | None, bool]]] = {s: {} for s in seqs}
    for st in statuses:
        proof = st.holdings
        if proof is None:
            continue
        for seq in seqs:
            held, shown = out[seq].get(st.point_id, (None, False))
            if held is None and proof.holds(seq):
                held = st.received_at
            out[seq][st.point_id] = (held, shown or seq in proof.displayed)
    return out


def _reach(issued: float, times: list[float], total: int) -> tuple[float | None, ...]:
    ordered = sorted(t - issued for t in times)
    out: list[float | None] = []
    for share in SHARES:
        need = max(1, math.ceil(share * total))
        out.append(max(0.0, ordered[need - 1]) if len(ordered) >= need else None)
    return tuple(out)


def bulletin_rows(
    store: Store, statuses: list[ReceivedStatus], names: dict[int, str], since: float, until: float
) -> list[BulletinRow]:
    issued = _issued_bulletins(store, since, until)
    holding = _first_holding(statuses, [b.message.envelope.seq for b in issued])
    rows = []
    for b in issued:
        body = b.message.envelope.body
        assert isinstance(body, m.Bulletin)
        seq = b.message.envelope.seq
        text = render_bulletin(body, "nl", b.message.envelope.time)
        got = holding[seq]
        times = [t for t, _ in got.values() if t is not None]
        rows.append(
            BulletinRow(
                seq=seq,
                headline=text.headline or text.body[:80],
                issued_at=b.received_at,
                status=body.status.name.lower(),
                urgency=body.urgency.name.lower(),
                reach_s=_reach(b.received_at, times, len(names)),
                received=len(times),
                displayed=sum(1 for _, shown in got.values() if shown),
                never=tuple(
                    sorted(names[p] for p in names if got.get(p, (None, False))[0] is None)
                ),
            )
        )
    return rows


def _open_hours(reports: list[ReceivedStatus], until: float) -> float:
    total = 0.0
    for i, st in enumerate(reports):
        end = reports[i + 1].received_at if i + 1 < len(reports) else until
        if st.report.open in _OPEN:
            total += max(0.0, end - st.received_at)
    return total / 3600


def _needs(reports: list[ReceivedStatus]) -> tuple[str, ...]:
    seen = m.NO_NEEDS
    for st in reports:
        seen |= st.report.needs
    return tuple(n.name.lower() for n in m.Need if n.name and n in seen)


def point_rows(
    store: Store,
    statuses: list[ReceivedStatus],
    region: RegionMap,
    since: float,
    until: float,
    interval_s: float,
) -> list[PointRow]:
    by_point: dict[int, list[ReceivedStatus]] = defaultdict(list)
    for st in statuses:
        by_point[st.point_id].append(st)
    stored = {p.point_id: p for p in store.points()}
    places = region.by_id()
    expected = max(1.0, (until - since) / interval_s)
    rows = []
    for pid in sorted(set(stored) | set(places)):
        reports = by_point.get(pid, [])
        proofs = [st.holdings for st in reports if st.holdings is not None]
        last = proofs[-1] if proofs else None
        rows.append(
            PointRow(
                point_id=pid,
                name=stored[pid].name if pid in stored else places[pid].name or f"#{pid}",
                municipality=places[pid].municipality if pid in places else "",
                last_heard=stored[pid].last_heard if pid in stored else None,
                reports=len(reports),
                heard_share=min(1.0, len(reports) / expected),
                received=0 if last is None else len(last.held),
                displayed=0 if last is None else len(last.displayed),
                open_hours=_open_hours(reports, until),
                power=tuple((st.received_at, st.report.power.name.lower()) for st in reports),
                needs=_needs(reports),
            )
        )
    return rows


def help_rows(store: Store, since: float, until: float) -> list[HelpRow]:
    from relay.wire.hubtime import to_unix

    rows = []
    for h in store.help.all():
        if not since <= h.created_at <= until:
            continue
        rows.append(_help_row(h, to_unix(h.message.envelope.time) if h.message else h.created_at))
    return sorted(rows, key=lambda r: r.received_at)


def _help_row(h: StoredHelp, sent_at: float) -> HelpRow:
    return HelpRow(
        point=h.point_name or f"#{h.point_id}",
        kind=_help_kind(h.type_code),
        urgency=h.urgency.name.lower(),
        people=h.people,
        sent_at=sent_at,
        received_at=h.created_at,
        state=h.state.name.lower() if h.state.value else "received",
        updated_at=h.updated_at,
        closed_at=h.closed_at,
    )


def _help_kind(code: int) -> str:
    try:
        return m.HelpType(code).name.lower()
    except ValueError:
        return f"other ({code})"


def collect(
    store: Store,
    since: float,
    until: float,
    *,
    region: RegionMap | None = None,
    status_interval_s: float = 900.0,
    exercise: Exercise | None = None,
    title: str = "",
) -> ReportData:
    """Everything the report shows for [since, until] (wall-clock seconds)."""
    region = region or RegionMap()
    statuses = store.history.statuses(since, until)
    points = point_rows(store, statuses, region, since, until, status_interval_s)
    names = {p.point_id: p.name for p in points}
    return ReportData(
        since=since,
        until=until,
        title=title or (exercise.name if exercise else ""),
        status_interval_s=status_interval_s,
        bulletins=tuple(bulletin_rows(store, statuses, names, since, until)),
        points=tuple(points),
        help=tuple(help_rows(store, since, until)),
        radio=tuple(store.history.radio(since, until)),
        exercise=exercise,
    )
