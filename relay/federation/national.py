"""The national node (``role = "national"``): subscribes to every region, verifies all
of it (:mod:`.intake`), keeps it (:class:`relay.store.national.NationalData`), answers
the national views, and publishes national bulletins signed with the national key.

Views (JSON-ready dicts; the daemon serves them as ``/api/national`` and
``/api/national/region/<name>``):

* per region: points open / limited / closed / silent, the top needs, the region's
  bulletins with their reach (points whose receipt proved they hold it), and which
  national bulletins its hub broadcast;
* per region, drill-down: every point as its hub countersigned it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from relay.errors import RelayError, RoleError, StoreError, UnknownKeyError
from relay.federation.config import NATIONAL, FederationConfig
from relay.federation.intake import Arrived, Intake
from relay.federation.link import MqttLink
from relay.federation.refusals import Refusals
from relay.federation.topics import BULLETIN, CERT, Topics
from relay.store.national import NationalPoint
from relay.store.store import Store
from relay.wire import describe, envelope, hubtime
from relay.wire.describe import reason_code
from relay.wire.issuer import Issuer
from relay.wire.keys import format_key_id, key_id_of, load_public
from relay.wire.model import (
    Bulletin,
    BulletinRef,
    Certificate,
    Need,
    OpenState,
    Role,
    SignedMessage,
    StatusSummary,
)
from relay.wire.trust import Keyring, Verifier

log = logging.getLogger(__name__)

#: A point whose newest report is older than this (hub time) counts as silent.
SILENT_AFTER_S = 3600
TOP_NEEDS = 3


class NationalNode:
    def __init__(
        self,
        config: FederationConfig,
        store: Store,
        keyring: Keyring,
        issuer: Issuer | None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        """``keyring`` pins the national root and every region root it trusts;
        ``issuer``: the national key, for compose (None: a read-only national node)."""
        self.config = config
        self.store = store
        self.data = store.national
        self.keyring = keyring
        self.issuer = issuer
        self.wall = wall
        self.topics = Topics(config.topic_prefix)
        roots = {name: load_public(path).key_id for name, path in config.regions.items()}
        for raw in self.data.certificates():
            try:
                keyring.add_certificate(raw)
            except RelayError:
                continue  # a root no longer pinned
        self.intake = Intake(self.topics, keyring, roots, self.data.seen)
        self.refusals = Refusals()
        self.link = MqttLink(
            config, store.federation, [self.topics.every_region()], self.on_message, self._cert
        )

    async def run(self, stop: asyncio.Event) -> None:
        await self.link.run(stop)

    def _cert(self) -> list[tuple[str, bytes]]:
        cert = None if self.issuer is None else self.issuer.certificate
        return [] if cert is None else [(self.topics.of(NATIONAL, CERT), cert.raw)]

    def hub_time(self) -> int:
        return hubtime.from_unix(self.wall())

    # --- incoming -------------------------------------------------------------------

    def on_message(self, topic: str, payload: bytes) -> None:
        try:
            arrived = self.intake.take(topic, payload, self.hub_time())
        except StoreError:
            raise  # not a refusal: the link leaves it unacknowledged, it comes again
        except UnknownKeyError as err:
            # Kept waiting for the certificate (intake); counted, in case it never comes.
            self.refusals.add(topic, reason_code(err), str(err))
            return
        except RelayError as err:
            self.refusals.add(topic, reason_code(err), str(err))
            return
        if arrived is None:
            self.refusals.duplicates += 1
            return
        # A StoreError goes up to the link: not acknowledged, the broker sends it again.
        self._keep(arrived)

    def _keep(self, a: Arrived) -> None:
        body = a.message.envelope.body
        at = self.wall()
        if isinstance(body, StatusSummary):
            self.data.add_summary(a.region, a.message, a.sender.name, at)
        elif isinstance(body, Bulletin):
            self.data.add_bulletin(a.region, a.message, at)
        elif isinstance(body, Certificate):
            self.data.add_certificate(a.message, at)
            for topic, payload in self.intake.released(key_id_of(body.public_key)):
                self.on_message(topic, payload)

    # --- compose --------------------------------------------------------------------

    def compose(self, bulletin: Bulletin) -> SignedMessage:
        """Sign a national bulletin now and queue it for ``<prefix>/national/bulletin``."""
        if self.issuer is None:
            raise RoleError("this national node has no national key to sign with")
        msg = self.issuer.issue(bulletin, at=self.hub_time())
        self._publish(msg)
        return msg

    def publish_raw(self, raw: bytes) -> SignedMessage:
        """A national bulletin signed elsewhere (``relay compose --key national.key``)."""
        msg = envelope.parse(raw)
        checked = Verifier(self.keyring).verify(msg, self.hub_time())
        if checked.sender.role is not Role.NATIONAL or not isinstance(msg.envelope.body, Bulletin):
            raise RoleError(f"{envelope.describe(msg)} is not a bulletin signed by a national key")
        self._publish(msg)
        return msg

    def _publish(self, msg: SignedMessage) -> None:
        topic = self.topics.of(NATIONAL, BULLETIN)
        if not self.data.add_bulletin(NATIONAL, msg, self.wall(), publish=topic):
            raise RoleError(f"national bulletin #{msg.envelope.seq} was published before")
        self.link.wake()

    # --- views ----------------------------------------------------------------------

    def overview(self) -> dict[str, Any]:
        """Every region at a glance, and the national bulletins with their reach."""
        now = self.hub_time()
        points = self.data.points()
        by_region: dict[str, list[NationalPoint]] = {}
        for p in points:
            by_region.setdefault(p.region, []).append(p)
        bulletins = self.data.bulletins()
        relayed = self.data.relayed()
        regions = []
        known = {r.region: r for r in self.data.regions()}
        for name in sorted(set(self.config.regions) | set(known)):
            row = known.get(name)
            pts = by_region.get(name, [])
            regions.append(
                {
                    "region": name,
                    "hub": None if row is None else row.hub_name,
                    "hub_heard_s_ago": None if row is None else round(self.wall() - row.last_heard),
                    "points": _counts(pts, now),
                    "top_needs": _top_needs(pts),
                    "bulletins": [_reach(b.message, pts) for b in bulletins if b.region == name],
                }
            )
        national = [
            {
                **_bulletin(b.message),
                "regions_relayed": sorted(relayed.get(_key(b.message), set())),
                "regions_total": len(regions),
                "reach": _national_reach(b.message, by_region),
            }
            for b in bulletins
            if b.region == NATIONAL
        ]
        return {"hub_time": now, "regions": regions, "national_bulletins": national}

    def region(self, name: str) -> dict[str, Any] | None:
        """One region's points as its hub countersigned them (None: unknown region)."""
        if name not in self.config.regions:
            return None
        now = self.hub_time()
        pts = self.data.points(name)
        return {
            "region": name,
            "points": [_point_view(p, now) for p in pts],
            "summary": _counts(pts, now),
        }

    def state(self) -> dict[str, Any]:
        h = self.link.health
        return {
            "role": "national",
            "broker": f"{self.config.host}:{self.config.port}",
            "link": h.state.value,
            "connects": h.connects,
            "published": h.published,
            "received": h.received,
            "outbox": self.store.federation.count(),
            "waiting_for_certificate": len(self.intake.waiting),
            "key_id": None if self.issuer is None else format_key_id(self.issuer.key.key_id),
            "last_error": h.last_error,
            **self.refusals.view(),
        }


def _key(msg: SignedMessage) -> tuple[int, int]:
    return (msg.envelope.key_id, msg.envelope.seq)


def _silent(p: NationalPoint, now: int) -> bool:
    return now - p.summary.time > SILENT_AFTER_S


def _counts(points: list[NationalPoint], now: int) -> dict[str, int]:
    counts = Counter(
        "silent" if _silent(p, now) else p.summary.status.open.name.lower() for p in points
    )
    keys = ("open", "limited", "closed", "silent", "unknown")
    return {k: counts.get(k, 0) for k in keys} | {"total": len(points)}


def _top_needs(points: list[NationalPoint]) -> list[dict[str, Any]]:
    needs: Counter[str] = Counter()
    for p in points:
        if p.summary.status.open is OpenState.CLOSED:
            continue
        for flag in Need:
            if flag.name and p.summary.status.needs & flag:
                needs[flag.name.lower()] += 1
    return [{"need": n, "points": c} for n, c in needs.most_common(TOP_NEEDS)]


def _bulletin(msg: SignedMessage) -> dict[str, Any]:
    body = msg.envelope.body
    assert isinstance(body, Bulletin)
    text = body.text_for("nl")
    return {
        "key_id": format_key_id(msg.envelope.key_id),
        "seq": msg.envelope.seq,
        "issued": describe.iso(msg.envelope.time),
        "headline": "" if text is None else text.headline,
        "body": "" if text is None else text.body,
        "urgency": body.urgency.name.lower(),
        "severity": body.severity.name.lower(),
    }


def _reach(msg: SignedMessage, points: list[NationalPoint]) -> dict[str, Any]:
    """A region hub's bulletin: the points whose receipt proved they hold it."""
    seq = msg.envelope.seq
    held = sum(1 for p in points if seq in p.summary.held)
    shown = sum(1 for p in points if seq in p.summary.shown)
    return {**_bulletin(msg), "held": held, "shown": shown, "points": len(points)}


def _national_reach(
    msg: SignedMessage, by_region: dict[str, list[NationalPoint]]
) -> dict[str, dict[str, int]]:
    """Per region: the points whose receipt names this national bulletin as stored."""
    ref = BulletinRef(*_key(msg))
    return {
        region: {"held": sum(1 for p in pts if ref in p.summary.others), "points": len(pts)}
        for region, pts in sorted(by_region.items())
    }


def _point_view(p: NationalPoint, now: int) -> dict[str, Any]:
    s = p.summary
    return {
        "point_id": s.point_id,
        "name": s.name,
        "key_id": format_key_id(s.key_id),
        "open": "silent" if _silent(p, now) else s.status.open.name.lower(),
        "reported": describe.iso(s.time),
        "power": s.status.power.name.lower(),
        "battery_pct": s.status.battery_pct,
        "visitors": s.status.visitors,
        "needs": [f.name.lower() for f in Need if f.name and s.status.needs & f],
        "text": s.status.text,
        "held": list(s.held),
        "national_held": [[format_key_id(r.key_id), r.seq] for r in s.others],
    }
