"""Building a node's engine from its configuration and store (start-up and restart).

Everything the engine keeps in memory is rebuilt here from the SQLite store and the
keyring directory: bulletins and their states, what staff displayed, the points and
their receipts, certificates learned over the air, the replay guard, the hub clock.
"""

from __future__ import annotations

import logging
import random
import time

from relay.daemon import integrity
from relay.daemon.config import DaemonConfig
from relay.engine.catalogue import BulletinRecord
from relay.engine.help import Case
from relay.engine.hub import HubEngine, PointView
from relay.engine.hubclock import HubClock
from relay.engine.point import HubView, PointEngine
from relay.errors import RelayError
from relay.store.store import Store
from relay.wire import hubtime, ranges
from relay.wire.issuer import Issuer
from relay.wire.model import Bulletin, Kind, Role, StatusReport
from relay.wire.replay import ReplayGuard
from relay.wire.trust import Keyring

log = logging.getLogger(__name__)

HUB_TIME = "hub_time"
HUB_KEY = "hub_key"
HUB_NODE = "hub_node"
HEARTBEAT_SEQ = "heartbeat_seq"


def load_keyring(config: DaemonConfig, store: Store) -> Keyring:
    """The provisioned keyring plus what was learned over the air since."""
    ring = Keyring.load_dir(config.keyring)
    for msg in store.messages(Kind.CERTIFICATE.value):
        try:
            ring.add_certificate(msg)
        except RelayError:
            continue  # no longer acceptable (e.g. a root replaced at re-provisioning)
    for msg in store.messages(Kind.REVOCATION.value):
        try:
            ring.add_revocation(msg)
        except RelayError:
            continue
    return ring


def replay_guard(store: Store) -> ReplayGuard:
    guard = ReplayGuard()
    for kind in (Kind.BULLETIN, Kind.CERTIFICATE, Kind.REVOCATION):
        for msg in store.messages(kind.value):
            guard.record(msg.envelope.key_id, msg.envelope.seq, kind)
    for point in store.points():
        if point.status_seq:
            guard.record(point.key_id, point.status_seq, Kind.STATUS)
    for h in store.help.all():
        # Repeats of what we hold are answered as repeats (relay.engine.receiver), not
        # taken for new requests or updates.
        if h.message is not None and h.update is not None:
            guard.record(h.key_id, h.seq, Kind.HELP_REQUEST)
        if h.update is not None:
            guard.record(h.update.envelope.key_id, h.update_seq, Kind.HELP_UPDATE)
    hb = store.get_meta(HEARTBEAT_SEQ)
    hub_key = store.get_meta(HUB_KEY)
    if hb and hub_key:
        guard.record(int(hub_key), int(hb), Kind.HEARTBEAT)
    return guard


def _records(store: Store) -> list[tuple[BulletinRecord, bool, bool]]:
    out = []
    for b in store.bulletins():
        body = b.message.envelope.body
        assert isinstance(body, Bulletin)
        record = BulletinRecord(b.message, body, b.targeted, b.state, b.by_seq)
        out.append((record, b.broadcast_done, b.displayed_at is not None))
    return out


def build_engine(
    config: DaemonConfig, store: Store, mono: float, rng: random.Random
) -> HubEngine | PointEngine:
    integrity.drop_unreadable(store)  # before the keyring: it is built from these rows too
    keyring = load_keyring(config, store)
    integrity.drop_unverified(store, keyring)
    replay = replay_guard(store)
    if config.is_hub:
        return _hub(config, store, keyring, replay, mono, rng)
    return _point(config, store, keyring, replay, mono, rng)


def _hub(
    config: DaemonConfig,
    store: Store,
    keyring: Keyring,
    replay: ReplayGuard,
    mono: float,
    rng: random.Random,
) -> HubEngine:
    # The hub's own clock is hub time.
    clock = HubClock.authoritative(hubtime.from_unix(time.time()) - mono)
    issuer = Issuer.from_files(config.key, config.cert, lambda: clock.now(time.monotonic()) or 0)
    if issuer.certificate is not None:
        keyring.add_certificate(issuer.certificate)  # so points can ask us for it
    engine = HubEngine(config.engine, issuer, keyring, clock, rng, replay)
    for record, broadcast_done, _displayed in _records(store):
        if record.key[0] == issuer.key.key_id:
            engine.restore(record, broadcast_done, mono)
        elif _is_national(keyring, record.key[0]):
            engine.restore_relayed(record, broadcast_done, mono)
    for p in store.points():
        view = PointView(p.point_id, p.name, p.key_id, p.node, mono, p.receipt)
        engine.points[p.point_id] = view
    _restore_cases(engine, store, mono)
    return engine


def _is_national(keyring: Keyring, key_id: int) -> bool:
    sender = keyring.principal(key_id)
    return sender is not None and sender.role is Role.NATIONAL


def _restore_cases(engine: HubEngine, store: Store, mono: float) -> None:
    """The hub's help requests; unacknowledged updates go out again. A request kept
    without its first update (a crash in between) is left to the point's next retry,
    which the hub then answers as a new arrival (stored once: keyed by its id)."""
    for h in store.help.all():
        if h.update is None or h.message is None:
            continue
        backoff = engine.config.help_update_retry_s[0]
        case = Case(
            h.key_id, h.seq, h.point_id, h.node, h.update, h.state, h.reply, backoff, h.update_acked
        )
        engine.help.restore(case, mono)


def _point(
    config: DaemonConfig,
    store: Store,
    keyring: Keyring,
    replay: ReplayGuard,
    mono: float,
    rng: random.Random,
) -> PointEngine:
    last = store.get_meta(HUB_TIME)
    clock = HubClock.resumed(int(last), mono) if last else HubClock()
    issuer = Issuer.from_files(config.key, config.cert, lambda: clock.now(time.monotonic()) or 0)
    engine = PointEngine(
        config.engine,
        issuer,
        keyring,
        clock,
        rng,
        replay,
        point_id=config.point_id,
        groups=frozenset(config.groups),
        hub_node=config.hub_node,
    )
    for record, _broadcast_done, displayed in _records(store):
        engine.restore(record, displayed)
    for h in store.help.all():
        if h.message is not None and h.key_id == issuer.key.key_id:
            engine.help.restore(h.message, h.update_seq, h.state)
    own = store.own_status(config.point_id)
    if own is not None:
        engine.status = _fitting(own, store)
    hub_key, hub_node = store.get_meta(HUB_KEY), store.get_meta(HUB_NODE)
    if hub_key and hub_node:
        # Until the hub is heard again, reports go where they went before the restart.
        engine.hub = HubView(int(hub_key), int(hub_node), mono - config.engine.hub_silence_s)
    return engine


def _fitting(own: StatusReport, store: Store) -> StatusReport:
    """The stored own status, with what the wire cannot carry dropped (and logged).

    Older versions stored any value the API accepted; one such value made the engine's
    encoding fail on every tick, so a point died again on every restart.
    """
    fitted, dropped = ranges.fit_status(own)
    if dropped:
        log.error(
            "store %s: own status has values the wire cannot carry (%s); reporting them "
            "as unknown until staff set the status again",
            store.path,
            ", ".join(dropped),
        )
    return fitted
