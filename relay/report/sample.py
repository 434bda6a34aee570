"""A simulated six-hour exercise of the 150-point region, written into a hub store through
the store's own API (signed messages, as the daemon would keep them), for the report's
test, its benchmark and the README's picture.

The region is the shipped ``region`` scenario (Veiligheidsregio Utrecht). Points report
every status interval with a realistic spread: most are heard almost every time, a few
poorly, two never, two fall silent halfway; bulletins reach points after a delay that
depends on the point; some points lose a bulletin for good; power fails in one area.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from relay.demo.places import region_of
from relay.sim.scenario import load_scenario
from relay.store.store import Store
from relay.web.region import RegionMap
from relay.wire import envelope, hubtime, statusframe
from relay.wire import model as m
from relay.wire.help import HelpDetails, HelpReply, seal_details
from relay.wire.keys import PrivateKey

HOURS = 6.0
STATUS_INTERVAL_S = 900.0
BULLETINS = 14
EXERCISE = "Oefening Lekdijk"
NEVER_HEARD = (17, 88)
FALL_SILENT = (41, 120)


@dataclass(frozen=True, slots=True)
class Sample:
    store_path: Path
    region: RegionMap
    start: float
    end: float
    exercise: str


def _bulletin(i: int) -> m.Bulletin:
    towns = ["Vianen", "Houten", "Nieuwegein", "IJsselstein", "Lopik", "Culemborg"]
    town = towns[i % len(towns)]
    return m.Bulletin(
        texts=(m.LocalizedText("nl", f"Lekdijk {i + 1}: {town}", f"Informatie voor {town}."),),
        urgency=m.Urgency.IMMEDIATE if i % 5 == 0 else m.Urgency.EXPECTED,
        severity=m.Severity.SEVERE if i % 3 == 0 else m.Severity.MODERATE,
        certainty=m.Certainty.LIKELY,
        expires_in_min=12 * 60,
        status=m.AlertStatus.EXERCISE,
    )


def _issue_bulletins(store: Store, hub: PrivateKey, start: float) -> list[tuple[int, float]]:
    issued = []
    for i in range(BULLETINS):
        at = start + 600 + i * (HOURS * 3600 - 1800) / BULLETINS
        msg = envelope.sign(hub, i + 1, hubtime.from_unix(at), _bulletin(i))
        store.add_bulletin(msg, "Hub Veiligheidsregio Utrecht", True, at)
        issued.append((i + 1, at))
    return issued


def _proof(
    issued: list[tuple[int, float]], at: float, delay: float, lost: set[int], shown: float
) -> m.Holdings:
    held = {seq for seq, t in issued if t + delay <= at and seq not in lost}
    displayed = {s for s, t in issued if s in held and t + shown <= at}
    return m.Holdings(frozenset(held), frozenset(displayed))


def _point_reports(
    store: Store,
    hub: PrivateKey,
    key: PrivateKey,
    pid: int,
    name: str,
    issued: list[tuple[int, float]],
    start: float,
    rng: random.Random,
) -> None:
    heard = 0.98 if rng.random() < 0.85 else 0.6
    delay = rng.uniform(60, 900) * (1 if heard > 0.9 else 3)
    lost = {rng.randrange(1, BULLETINS + 1)} if rng.random() < 0.05 else set()
    shown = rng.uniform(600, 2400) if rng.random() < 0.6 else 1e9
    end = start + (HOURS / 2 if pid in FALL_SILENT else HOURS) * 3600
    power = m.PowerSource.GRID
    seq = 0
    at = start + rng.uniform(0, STATUS_INTERVAL_S)
    mac_key = statusframe.point_mac_key(key, hub.public)
    while at < end:
        if power is m.PowerSource.GRID and at > start + 2 * 3600 and pid % 4 == 0:
            power = m.PowerSource.GENERATOR if pid % 8 else m.PowerSource.BATTERY
        if rng.random() < heard:
            seq += 1
            proof = _proof(issued, at, delay, lost, shown)
            report = m.StatusReport(
                pid,
                m.OpenState.OPEN if at > start + 1800 or pid % 3 else m.OpenState.CLOSED,
                power,
                rng.randrange(30, 100),
                rng.randrange(0, 250),
                m.Need.DRINKING_WATER if pid % 9 == 0 and at > start + 3 * 3600 else m.NO_NEEDS,
                # Before any heartbeat, a receipt names every stored bulletin by number.
                receipt=m.Receipt.of(0, (), proof.held, proof.displayed),
            )
            raw = statusframe.encode(key.key_id, seq, hub.key_id, report, mac_key)
            store.add_status(
                raw,
                key_id=key.key_id,
                seq=seq,
                time=hubtime.from_unix(at),
                report=report,
                name=name,
                node=0x55AA0000 + pid,
                received_at=at,
                holdings=proof,
            )
        at += STATUS_INTERVAL_S + rng.uniform(-30, 30)


def _help(store: Store, hub: PrivateKey, keys: dict[int, PrivateKey], start: float) -> None:
    cases = [
        (12, m.HelpType.MEDICAL, m.HelpUrgency.URGENT, 1.1, (0.05, 0.3, 0.8)),
        (33, m.HelpType.VULNERABLE_PERSON, m.HelpUrgency.LIFE_THREATENING, 1.6, (0.03, 0.2, 1.2)),
        (57, m.HelpType.FIRE, m.HelpUrgency.LIFE_THREATENING, 2.4, (0.02, 0.1, 0.5)),
        (90, m.HelpType.MISSING_PERSON, m.HelpUrgency.URGENT, 3.0, (0.1, 0.6, None)),
        (101, m.HelpType.OTHER, m.HelpUrgency.NOT_URGENT, 4.2, (0.3, 1.0, 1.5)),
        (140, m.HelpType.MEDICAL, m.HelpUrgency.URGENT, 5.1, (0.05, None, None)),
    ]
    update_seq = 1000
    for pid, kind, urgency, hour, (ack, answer, close) in cases:
        sent = start + hour * 3600
        details = HelpDetails("Dijkweg 4", "Oefenslachtoffer", "Joke")
        sealed = seal_details(keys[pid], hub.public, 500, details)
        request = m.HelpRequest(int(kind), urgency, 2, hub.key_id, sealed)
        msg = envelope.sign(keys[pid], 500, hubtime.from_unix(sent), request)
        store.help.add(
            msg,
            point_id=pid,
            point_name=f"np-{pid:03d}",
            node=0,
            details=details,
            details_error="",
            at=sent + 20,
        )
        for state, after in (
            (m.HelpState.ACKNOWLEDGED, ack),
            (m.HelpState.ANSWERED, answer),
            (m.HelpState.CLOSED, close),
        ):
            if after is None:
                break
            update_seq += 1
            at = sent + after * 3600
            update = envelope.sign(
                hub, update_seq, hubtime.from_unix(at), m.HelpUpdate(pid, 500, state)
            )
            reply = (
                HelpReply("Ambulance onderweg", "Petra") if state is m.HelpState.ANSWERED else None
            )
            store.help.set_update(msg.envelope.key_id, 500, update, reply, at)


def _radio(store: Store, start: float, issued: list[tuple[int, float]]) -> None:
    at = start
    while at <= start + HOURS * 3600:
        recent = sum(1 for _, t in issued if 0 <= at - t < 600)
        store.history.log_radio(at, 8.0 + 6.0 * recent, 1.5 + 2.5 * recent)
        at += 60


def make_sample(directory: Path, start: float = 1_795_000_000.0, seed: int = 6) -> Sample:
    """Write ``directory/hub.db`` with a six-hour exercise of the 150-point region."""
    rng = random.Random(seed)  # noqa: S311 - simulated data, reproducible
    region = region_of(load_scenario("region"))
    store = Store(directory / "hub.db")
    try:
        hub = PrivateKey.generate("hub", m.Role.HUB)
        keys = {
            p.point_id: PrivateKey.generate(f"np-{p.point_id:03d}", m.Role.POINT)
            for p in region.points
        }
        store.exercises.start(EXERCISE, start, by="operator")
        issued = _issue_bulletins(store, hub, start)
        for p in region.points:
            if p.point_id not in NEVER_HEARD:
                point_key = keys[p.point_id]
                _point_reports(store, hub, point_key, p.point_id, p.name, issued, start, rng)
        _help(store, hub, keys, start)
        _radio(store, start, issued)
        store.exercises.stop(start + HOURS * 3600)
    finally:
        store.close()
    return Sample(directory / "hub.db", region, start, start + HOURS * 3600, EXERCISE)
