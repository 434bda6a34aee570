"""How hub-v1.db and point-v1.db were made (kept for the record; do not re-run).

Run once with the code of commit 97808cc (schema version 1, before migration 0002) from
the repository root: ``PYTHONPATH=. .venv/bin/python tests/data/store-v1/make_v1.py``.
Re-running it with newer code would write a newer schema and defeat the purpose of the
fixtures, which is to prove that a database written by the old code migrates intact.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from relay.engine.outputs import BulletinState
from relay.store.store import Store
from relay.wire import envelope
from relay.wire import model as m
from tests.wire.conftest import NOW, fixed_key

HERE = Path(__file__).parent
HUB = fixed_key(2, "hub-utrecht", m.Role.HUB)
POINT = fixed_key(3, "np-017", m.Role.POINT)
TEXTS = ("Drinkwater bij sporthal De Vliert", "Kookadvies Houten", "Kookadvies ingetrokken")


def bulletins() -> list[m.SignedMessage]:
    out = []
    for seq, text in enumerate(TEXTS, start=1):
        kind = m.MsgType.CANCEL if seq == 3 else m.MsgType.ALERT
        body = m.Bulletin(
            texts=(m.LocalizedText("nl", "", text),), type=kind, references=(2,) if seq == 3 else ()
        )
        out.append(envelope.sign(HUB, seq, NOW + seq, body))
    return out


def make(path: Path, hub: bool) -> None:
    path.unlink(missing_ok=True)
    store = Store(path)
    for msg in bulletins():
        store.add_bulletin(msg, "hub-utrecht", True, 1000.0 + msg.envelope.seq)
    store.set_bulletin_state(HUB.key_id, 2, BulletinState.CANCELLED, 3)
    store.set_meta("hub_time", str(NOW + 100))
    if hub:
        for seq in (1, 2, 3):
            store.mark_broadcast(HUB.key_id, seq)
        report = m.StatusReport(
            point_id=17,
            open=m.OpenState.OPEN,
            power=m.PowerSource.GENERATOR,
            battery_pct=80,
            visitors=42,
            needs=m.Need.FUEL | m.Need.FOOD,
            text="Aggregaat loopt",
            receipt=m.Receipt(up_to=3, missing=(), displayed=(1,)),
        )
        msg = envelope.sign(POINT, 9, NOW + 50, report)
        store.add_status(msg, name="np-017", node=0x2017, received_at=1100.0)
        assert report.receipt is not None
        store.set_receipt(17, report.receipt, 1100.0)
    else:
        store.mark_displayed(HUB.key_id, 1, 1050.0)
        store.set_own_status(
            m.StatusReport(point_id=17, open=m.OpenState.LIMITED, visitors=12, text="Vol"), 1060.0
        )
        store.set_meta("hub_key", str(HUB.key_id))
        store.set_meta("hub_node", str(0x1000))
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
    conn.close()


if __name__ == "__main__":
    make(HERE / "hub-v1.db", hub=True)
    make(HERE / "point-v1.db", hub=False)
