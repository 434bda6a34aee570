"""A small region in one process for the screen tools: a hub and support points on the
in-process ``loop://`` radio, real keys and SQLite files, each node's HTTP server with
the screens mounted, and a realistic set of bulletins and statuses.

Used by ``tools/screenshots.py`` and ``tools/bench_screens.py``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path

from relay.daemon import ops
from relay.daemon.config import User
from relay.daemon.node import Node
from relay.demo.inprocess import FAST, InProcessRegion, make_keys
from relay.web.auth import hash_password
from relay.wire import model as m

#: The in-process region's fast timings, but LONG_FAST airtime, as the screens show it.
TIMINGS = replace(FAST, preset="LONG_FAST", heartbeat_interval_s=15.0, status_interval_s=1.0)
POINT_NAMES = [
    "Sporthal De Vliert",
    "Dorpshuis Schalkwijk",
    "Bibliotheek Houten",
    "Gemeentehuis Vianen",
    "Kerk Tull en 't Waal",
    "School De Regenboog",
]
PASSWORD = "demo-password"


class Region(InProcessRegion):
    """The in-process region, every node serving its screens; ``urls`` by node name."""

    urls: dict[str, str]

    async def start_served(
        self, name: str, role: str, point_id: int = 0, stale: float = 1800
    ) -> Node:
        self.stale[name] = stale
        node = await self.start(name, role, point_id)
        self.urls[name] = await self.serve(name)
        return node


def _text(nl: tuple[str, str], en: tuple[str, str] | None = None, **kw: object) -> m.Bulletin:
    texts = [m.LocalizedText("nl", *nl)]
    if en:
        texts.append(m.LocalizedText("en", *en))
    return m.Bulletin(texts=tuple(texts), **kw)  # type: ignore[arg-type]


async def _until(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the demo region did not settle")
        await asyncio.sleep(0.05)


async def start_region(base: Path, n_points: int = 5) -> Region:
    """A hub and ``n_points`` points with bulletins, statuses, receipts; one point silent."""
    names = POINT_NAMES[:n_points]
    files = [f"np-{i:03d}" for i in range(1, n_points + 1)]
    labels = {"hub-utrecht": "Hub Veiligheidsregio Utrecht", **dict(zip(files, names, strict=True))}
    make_keys(base / "keys", "hub-utrecht", files, labels)
    region = Region(base, engine=TIMINGS, users=(User("staff", hash_password(PASSWORD)),))
    region.urls = {}
    hub = await region.start_served("hub-utrecht", "hub", stale=3.0)
    for i in range(1, n_points + 1):
        await region.start_served(f"np-{i:03d}", "point", i)
    statuses = [
        (m.OpenState.OPEN, m.PowerSource.GENERATOR, 80, 112, m.Need.FUEL | m.Need.DRINKING_WATER),
        (m.OpenState.OPEN, m.PowerSource.BATTERY, 35, 40, m.Need.MEDICATION),
        (m.OpenState.LIMITED, m.PowerSource.GRID, None, 12, m.NO_NEEDS),
        (m.OpenState.OPEN, m.PowerSource.GENERATOR, 60, 230, m.Need.FOOD | m.Need.VOLUNTEERS),
        (m.OpenState.CLOSED, m.PowerSource.NONE, 5, 0, m.Need.COMMUNICATIONS),
        (m.OpenState.OPEN, m.PowerSource.BATTERY, 90, 18, m.Need.HEATING),
    ]
    for i, (open_, power, battery, visitors, needs) in enumerate(statuses[:n_points], start=1):
        report = m.StatusReport(i, open_, power, battery, visitors, needs)
        ops.set_status(region.nodes[f"np-{i:03d}"], report)
    water = _text(
        ("Drinkwater", "Drinkwater verkrijgbaar bij sporthal De Vliert, dagelijks 9-17 uur."),
        ("Drinking water", "Drinking water available at sports hall De Vliert, daily 9-17."),
        urgency=m.Urgency.EXPECTED,
        severity=m.Severity.MODERATE,
        expires_in_min=24 * 60,
    )
    boil = _text(
        ("Kookadvies Houten", "Kook kraanwater minstens 1 minuut voor gebruik."),
        ("Boil water advice Houten", "Boil tap water for at least 1 minute before use."),
        urgency=m.Urgency.EXPECTED,
        severity=m.Severity.SEVERE,
    )
    seq_water = ops.issue(hub, water)["seq"]
    seq_boil = ops.issue(hub, boil)["seq"]
    ops.issue(
        hub,
        _text(
            (
                "Evacuatie Vianen-Noord",
                "Verlaat de wijk Vianen-Noord via de A2. Neem medicijnen mee.",
            ),
            ("Evacuation Vianen-Noord", "Leave Vianen-Noord via the A2. Take your medication."),
            urgency=m.Urgency.IMMEDIATE,
            severity=m.Severity.EXTREME,
            expires_in_min=6 * 60,
        ),
    )
    ops.issue(
        hub,
        _text(
            ("Kookadvies Houten verlengd", "Het kookadvies geldt tot en met vrijdag."),
            ("Boil water advice extended", "The boil water advice applies until Friday."),
            type=m.MsgType.UPDATE,
            references=(seq_boil,),
            urgency=m.Urgency.EXPECTED,
            severity=m.Severity.SEVERE,
        ),
    )
    key = hub.engine.issuer.key.key_id
    points = [region.nodes[f"np-{i:03d}"] for i in range(1, n_points + 1)]
    # Settled: three active bulletins at every point, the update in place of the original.
    await _until(
        lambda: all(
            sorted(b["seq"] for b in ops.inbox(p)) == [seq_water, seq_boil + 1, seq_boil + 2]
            for p in points
        )
    )
    ops.mark_displayed(points[0], key, seq_water)
    if n_points > 1:
        ops.mark_displayed(points[1], key, seq_water + 2)
    await _until(lambda: any(b["displayed_at_points"] for b in ops.bulletins(hub)))
    if n_points > 2:
        await region.stop(f"np-{n_points:03d}")  # a point that goes silent
        await asyncio.sleep(3.5)
    return region
