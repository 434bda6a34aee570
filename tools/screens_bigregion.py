"""The 150-point region for the screen tools: the shipped ``region`` scenario's points and
relay sites (Veiligheidsregio Utrecht, 26 municipalities) as real nodes in this process on
the in-process ``loop://`` radio, real keys and SQLite files, the hub serving its screens
with the region file, and ``bulletins`` bulletins. A few points are stopped (silent) and
a few never start, so the dashboard has every state to show.

Used by ``tools/bench_screens.py`` (the 150-point row) and ``tools/screenshots.py``.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import replace
from pathlib import Path

from screens_region import PASSWORD, Region

from relay.daemon import ops
from relay.daemon.config import User
from relay.demo.inprocess import FAST, make_keys
from relay.demo.places import region_of
from relay.sim.scenario import load_scenario
from relay.web.auth import hash_password
from relay.web.region import region_toml
from relay.wire import model as m

#: Statuses every 20 s: 150 points at the fast test timings would keep one core busy.
TIMINGS = replace(FAST, status_interval_s=20.0, heartbeat_interval_s=5.0)
#: Points that never start (planned, never heard) and points stopped after settling.
NEVER_STARTED = (17, 88)
STOPPED = (41, 120, 133)
OPEN_STATES = [m.OpenState.OPEN] * 6 + [m.OpenState.LIMITED, m.OpenState.CLOSED]
POWERS = [m.PowerSource.GRID, m.PowerSource.GENERATOR, m.PowerSource.BATTERY]
NEEDS = [m.NO_NEEDS, m.NO_NEEDS, m.Need.DRINKING_WATER, m.Need.FUEL, m.Need.MEDICATION]


def _status(rng: random.Random, pid: int) -> m.StatusReport:
    return m.StatusReport(
        pid,
        rng.choice(OPEN_STATES),
        rng.choice(POWERS),
        rng.randrange(20, 100),
        rng.randrange(0, 200),
        rng.choice(NEEDS),
    )


def _bulletin(i: int) -> m.Bulletin:
    towns = ["Houten", "Zeist", "Vianen", "Amersfoort", "Woerden", "Soest", "Rhenen"]
    town = towns[i % len(towns)]
    return m.Bulletin(
        texts=(
            m.LocalizedText("nl", f"Bericht {i + 1}: {town}", f"Informatie voor {town}."),
            m.LocalizedText("en", f"Bulletin {i + 1}: {town}", f"Information for {town}."),
        ),
        urgency=m.Urgency.IMMEDIATE if i % 10 == 0 else m.Urgency.EXPECTED,
        severity=m.Severity.SEVERE if i % 4 == 0 else m.Severity.MODERATE,
        certainty=m.Certainty.LIKELY,
        expires_in_min=24 * 60,
    )


async def _until(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.2)
    return True


async def start_big_region(base: Path, bulletins: int = 50) -> Region:
    """The 150-point region, settled: every running point holds what reached it."""
    scenario = load_scenario("region")
    places = region_of(scenario)
    names = {p.point_id: f"np-{p.point_id:03d}" for p in places.points}
    labels = {"hub-utrecht": "Hub Veiligheidsregio Utrecht"}
    labels |= {names[p.point_id]: p.name.removeprefix("p-") for p in places.points}
    make_keys(base / "keys", "hub-utrecht", list(names.values()), labels)
    region_file = base / "region.toml"
    region_file.write_text(region_toml(places), encoding="utf-8")
    users = (User("staff", hash_password(PASSWORD)),)
    region = Region(base, engine=TIMINGS, users=users, region_file=region_file)
    region.urls = {}
    hub = await region.start_served("hub-utrecht", "hub", stale=30.0)
    rng = random.Random(12)
    running = [pid for pid in names if pid not in NEVER_STARTED]
    for pid in running:
        node = await region.start(names[pid], "point", pid)
        ops.set_status(node, _status(rng, pid))
    seqs = [ops.issue(hub, _bulletin(i))["seq"] for i in range(bulletins)]
    points = [region.nodes[names[pid]] for pid in running]
    # Most points hold everything within a minute; a few stay short, as in a real region.
    await _until(lambda: all(len(ops.inbox(p)) >= len(seqs) for p in points), 60)
    key = hub.engine.issuer.key.key_id
    for p in points[::3]:
        held = {b["seq"] for b in ops.inbox(p)}
        for seq in seqs[: rng.randrange(1, len(seqs))]:
            if seq in held:
                ops.mark_displayed(p, key, seq)
    for pid in STOPPED:
        await region.stop(names[pid])
    await _until(lambda: len(ops.points(hub)) >= len(running), 60)
    await asyncio.sleep(2 * TIMINGS.status_interval_s)  # receipts and displayed marks in
    return region
