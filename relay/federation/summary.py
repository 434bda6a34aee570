"""What a hub's countersigned status summaries hold (pure): its points' newest reports
as the hub verified them, in messages small enough to sign (:data:`POINTS_PER_SUMMARY`)."""

from __future__ import annotations

from collections.abc import Iterable

from relay.store.store import StoredPoint
from relay.wire.model import BulletinRef, Holdings, PointSummary, StatusSummary

#: A point with a 120-character text is ~160 bytes: 16 of them stay far below the
#: largest signed message (16 fragments, 3616 bytes).
POINTS_PER_SUMMARY = 16


def point_summary(p: StoredPoint) -> PointSummary:
    receipt = p.receipt or Holdings()
    return PointSummary(
        point_id=p.point_id,
        key_id=p.key_id,
        seq=p.status_seq,
        time=p.status_time,
        name=p.name,
        status=p.status,
        held=tuple(sorted(receipt.held)),
        shown=tuple(sorted(receipt.displayed)),
        others=tuple(sorted(receipt.others)),
    )


def changed_since(points: Iterable[StoredPoint], mark: float) -> list[StoredPoint]:
    """Points whose report or receipt arrived after ``mark`` (wall time of the last one)."""
    return [
        p for p in points if p.status_seq and (p.last_heard > mark or (p.receipt_at or 0.0) > mark)
    ]


def summaries(
    region: str, points: list[StoredPoint], relayed: tuple[BulletinRef, ...]
) -> list[StatusSummary]:
    """Changed points in chunks; every summary also names the national bulletins relayed."""
    out = []
    for i in range(0, len(points), POINTS_PER_SUMMARY):
        chunk = points[i : i + POINTS_PER_SUMMARY]
        out.append(StatusSummary(region, tuple(point_summary(p) for p in chunk), relayed))
    return out
