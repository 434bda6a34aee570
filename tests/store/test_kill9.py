"""kill -9 at any instant: no accepted bulletin lost, none stored twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from relay.store.store import Store

WRITER = r"""
import sys
from relay.store.store import Store
from relay.wire import envelope, model as m
from tests.wire.conftest import NOW, fixed_key

hub = fixed_key(2, "hub-utrecht", m.Role.HUB)
store = Store(sys.argv[1])
start = int(sys.argv[2])
for seq in range(start, start + 100000):
    msg = envelope.sign(hub, seq, NOW, m.Bulletin(texts=(m.LocalizedText("nl", "", f"b {seq}"),)))
    store.add_bulletin(msg, "hub", True, 1.0)
    print(seq, flush=True)   # printed only after the commit returned
"""


@pytest.mark.slow
def test_kill_minus_nine_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "relay.db"
    root = Path(__file__).resolve().parent.parent.parent
    rng = random.Random(9)
    acknowledged: set[int] = set()
    start = 1
    for _round in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), str(start)],
            cwd=root,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(root)},
        )
        assert proc.stdout is not None
        # The kill comes at a random instant once the writer is writing (not while a busy
        # machine is still starting Python, which would test nothing).
        acknowledged.add(int(proc.stdout.readline()))
        deadline = time.monotonic() + rng.uniform(0.2, 1.2)
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line:
                acknowledged.add(int(line))
        os.kill(proc.pid, signal.SIGKILL)
        for line in proc.stdout.read().split():
            acknowledged.add(int(line))
        proc.wait()
        store = Store(db)  # opens, checks integrity, recovers the WAL
        seqs = [b.message.envelope.seq for b in store.bulletins()]
        store.close()
        assert len(seqs) == len(set(seqs)), "a bulletin stored twice"
        assert acknowledged <= set(seqs), "an acknowledged bulletin was lost"
        start = max(1, max(seqs) - 3)  # the restarted writer re-offers the last few
    assert len(acknowledged) > 50
