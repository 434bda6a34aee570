"""``relay import`` with the daemon stopped: a bulletin carried by hand goes into the
point's store directly, after the same verification the running daemon would apply.

The engine is built from the store exactly as ``relay run`` builds it (integrity check,
keyring with the certificates learned over the air, replay guard, bulletin states), so
the trust chain, the role rules and "already held" are the daemon's. Only what is stored
survives: frames the engine would send (a receipt) are not sent now; the daemon, when it
starts, rebuilds its state from the store and reports the bulletin in its next receipt.
"""

from __future__ import annotations

import random
import time
from typing import Any

from relay.daemon import ops
from relay.daemon.build import build_engine
from relay.daemon.config import DaemonConfig
from relay.engine.outputs import BulletinAccepted, BulletinChanged
from relay.engine.point import PointEngine
from relay.store.store import Store


def import_offline(config: DaemonConfig, raw: bytes) -> dict[str, Any]:
    """Verify ``raw`` and store it in ``config``'s store; raises the refusal."""
    if config.is_hub:
        raise ops.NotForThisRoleError("this is the hub; a bulletin is imported into a point")
    store = Store(config.store)
    try:
        mono = time.monotonic()
        engine = build_engine(config, store, mono, random.Random())  # noqa: S311 - jitter only
        assert isinstance(engine, PointEngine)
        outputs = engine.carried(raw, mono)
        accepted = [o for o in outputs if isinstance(o, BulletinAccepted)]
        wall = time.time()
        for out in accepted:
            store.add_bulletin(out.message, out.sender.name, out.targeted, wall)
        for change in (o for o in outputs if isinstance(o, BulletinChanged)):
            store.set_bulletin_state(change.key_id, change.seq, change.state, change.by_seq)
        return ops.carried_view(accepted[0])
    finally:
        store.close()
