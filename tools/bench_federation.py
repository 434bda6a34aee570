"""The national node under the country's load (issue 13), on a real mosquitto on loopback.

25 simulated region hubs x 150 points publish the way a hub's federation publisher does:
each hub has its own SQLite outbox and the real :class:`relay.federation.link.MqttLink`
(QoS 1, persistent session, retained certificate), and queues countersigned
``StatusSummary`` messages (<= 16 points each, signed by its hub key, certified by its
region root) and bulletins. The national node is a real ``relay run`` process
(``role = "national"``) with the 25 region roots pinned: every message is verified,
topic-checked and stored exactly as in production.

Load. Each point reports every 30 min; a hub summarises the points that changed every
60 s: per hub 5 points a minute, 25 summaries a minute in the country, plus one bulletin
per region every 10 min. That is **1x**. The busy hour is compressed: the hub's summary
interval shrinks with the rate (10x: a summary of 5 points every 6 s per hub), so an
hour's messages go out in ``--seconds`` of wall time. Rows:

* ``1x`` (baseline) and ``10x`` (target load), each ``--seconds`` long; in the 10x row the
  broker is stopped and restarted half-way (persistence on), so loss and duplicates are
  counted across a broker restart;
* ``flood``: every hub queues 200 summaries at once: what the national node sustains;
* ``outage``: one region's hub is off the broker for an hour of its 1x traffic (60
  summaries, 6 bulletins queued in its outbox; signed at queue time, not back-dated),
  then reconnects: time until the national node holds all of it.

Latency = national ``received_at`` (stored, after verification) - the hub's queue time
(same clock, one machine). Loss = queued messages the national node never stored.
"dup dropped" = copies delivered again (QoS 1 after a restart) and dropped by (key id,
sequence number); "dup kept" = messages stored twice (a bulletin shown twice), counted
from the national store. RSS = the national process's VmRSS at the end of the row
(VmHWM: its peak so far). The hubs run in the bench's own process, on the same 2 cores.

How far one broker goes: the national load is tiny for mosquitto (tens of messages/s of
<= 3.6 kB; one mosquitto on one core carries tens of thousands of small QoS 1 messages per
second on loopback), so the limit is the national node's verification and SQLite
transaction per message (the flood row), not the broker. One broker is a single point of
failure and sits in one place; the hubs reach it over whatever IP path they have. A
**bridged pair** (``connection`` blocks in mosquitto.conf: ``address other:8883``,
``topic noodrelay/# both 1``, ``cleansession false``, ``bridge_cafile``) gives each side
of a network split a broker that keeps taking messages: a hub publishes to its nearest
broker and the bridge forwards with QoS 1 when the path returns; the national node's
duplicate check by (key id, sequence number) makes the at-least-once copies harmless,
and no message needs the broker's trust. It adds one store-and-forward hop to the latency
and a second broker to run. ``--bridge`` measures it: hubs on broker A, A bridged
(``topic noodrelay/bench/# both 1``, ``cleansession false``) to broker B, the national node
on B; the 10x row restarts A, so the bridge itself reconnects and re-sends. On loopback
(docs/bench/federation-2026-12-02.txt) the extra hop is not visible in p50/p95 (2 / 5 ms),
nothing is lost, and the restart re-delivers more copies (78 against 53), all dropped by
the national node. Across a real network the hop adds its round trip; not measured here.

Run: ``python tools/bench_federation.py`` (needs mosquitto: apt-get install mosquitto).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from relay.demo.broker import DemoBroker, free_port
from relay.demo.inprocess import make_keys, make_national_keys
from relay.federation.config import FederationConfig
from relay.federation.link import MqttLink
from relay.federation.topics import BULLETIN, CERT, STATUS, Topics
from relay.store.store import Store
from relay.web.nl_map import SAFETY_REGIONS, slug
from relay.wire import hubtime
from relay.wire import model as m
from relay.wire.issuer import Issuer

PREFIX = "noodrelay/bench"
POINTS = 150
REPORT_EVERY_S = 1800
SUMMARY_EVERY_S = 60
BULLETIN_EVERY_S = 600
FLOOD_PER_HUB = 200
OUTAGE_S = 3600
DRAIN_TIMEOUT_S = 180.0


@dataclass
class Hub:
    region: str
    store: Store
    issuer: Issuer
    link: MqttLink
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    next_point: int = 0

    def start(self) -> None:
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(self.link.run(self.stop))

    async def halt(self) -> None:
        self.stop.set()
        if self.task is not None:
            await self.task

    def summary(self, points: int) -> m.SignedMessage:
        now = hubtime.from_unix(time.time())
        ps = []
        for _ in range(points):
            pid = self.next_point % POINTS + 1
            self.next_point += 1
            status = m.StatusReport(pid, open=m.OpenState(1 + pid % 3), needs=m.Need(pid % 7))
            ps.append(
                m.PointSummary(pid, 0x1000 + pid, self.next_point, now, f"p{pid}", status, (1,))
            )
        return self.issuer.issue(m.StatusSummary(self.region, tuple(ps), ()))

    def bulletin(self) -> m.SignedMessage:
        text = m.LocalizedText("nl", "Drinkwater", f"Drinkwater bij post {self.next_point}")
        return self.issuer.issue(m.Bulletin(texts=(text,)))

    def queue(
        self, msgs: list[tuple[str, m.SignedMessage]], sent: dict[tuple[int, int], float]
    ) -> None:
        for channel, msg in msgs:
            self.store.federation.add(Topics(PREFIX).of(self.region, channel), msg, time.time())
            sent[(msg.envelope.key_id, msg.envelope.seq)] = time.time()
        self.link.wake()


def _hub(base: Path, region: str, broker: DemoBroker) -> Hub:
    keys = base / region
    make_keys(keys, f"hub-{region}", [])
    issuer = Issuer.from_files(
        keys / f"hub-{region}.key",
        keys / f"hub-{region}.cert",
        lambda: hubtime.from_unix(time.time()),
    )
    store = Store(base / f"{region}.db")
    config = FederationConfig(
        host="127.0.0.1", port=broker.port, tls=False, client_id=f"hub-{region}",
        topic_prefix=PREFIX, region=region,
    )  # fmt: skip
    cert = issuer.certificate
    assert cert is not None
    retained = [(Topics(PREFIX).of(region, CERT), cert.raw)]
    link = MqttLink(config, store.federation, [], lambda t, p: None, lambda: retained)
    return Hub(region, store, issuer, link)


def _national_config(base: Path, broker: DemoBroker, regions: list[str], port: int) -> Path:
    ring = base / "ring"
    ring.mkdir()
    make_national_keys(base / "nat")
    shutil.copy(base / "nat" / "national-root.pub", ring)
    lines = []
    for r in regions:
        shutil.copy(base / r / "root.pub", ring / f"{r}-root.pub")
        lines.append(f'{r} = "ring/{r}-root.pub"')
    path = base / "national.toml"
    path.write_text(
        'role = "national"\nname = "ncc"\n\n'
        '[keys]\nkey = "nat/NCC.key"\ncert = "nat/NCC.cert"\nkeyring = "ring"\n\n'
        '[store]\npath = "national.db"\n\n'
        f'[screen]\nlisten = "127.0.0.1:{port}"\ntoken_file = "national.token"\n\n'
        f'[federation]\nbroker = "{broker.url}"\ntopic_prefix = "{PREFIX}"\n\n'
        "[federation.regions]\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    return path


def _rss_mb(pid: int) -> tuple[float, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _state(port: int) -> dict[str, object]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/state", timeout=10) as r:
        data = json.load(r)
    assert isinstance(data, dict)
    return data


def _received(db: Path, keys: set[tuple[int, int]]) -> dict[tuple[int, int], float]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        rows = conn.execute("SELECT key_id, seq, received_at FROM messages").fetchall()
    finally:
        conn.close()
    return {(k, s): at for k, s, at in rows if (k, s) in keys}


def _kept_twice(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        row = conn.execute(
            "SELECT COUNT(*) - COUNT(DISTINCT key_id || ':' || seq) FROM national_bulletins"
        ).fetchone()
    finally:
        conn.close()
    return int(row[0])


async def _drained(db: Path, sent: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    got: dict[tuple[int, int], float] = {}
    while time.monotonic() < deadline:
        got = _received(db, set(sent))
        if len(got) == len(sent):
            break
        await asyncio.sleep(0.5)
    return got


@dataclass
class Row:
    name: str
    sent: int
    lost: int
    p50: float
    p95: float
    rate: float
    rss: float
    hwm: float
    dup_dropped: int
    dup_kept: int
    note: str = ""


class Bench:
    def __init__(self, base: Path, broker: DemoBroker, hubs: list[Hub], nat: int, pid: int):
        self.base, self.broker, self.hubs, self.nat_port, self.pid = base, broker, hubs, nat, pid
        self.db = base / "national.db"

    def _dups(self) -> int:
        dups = _state(self.nat_port)["duplicates"]
        assert isinstance(dups, int)
        return dups

    async def _row(
        self, name: str, sent: dict[tuple[int, int], float], dups_before: int, note: str = ""
    ) -> Row:
        got = await _drained(self.db, sent)
        lat = sorted(got[k] - sent[k] for k in got)
        span = max(got.values()) - min(got.values()) if len(got) > 1 else 0.0
        rss, hwm = _rss_mb(self.pid)
        return Row(
            name, len(sent), len(sent) - len(got),
            statistics.median(lat) if lat else 0.0,
            lat[int(0.95 * (len(lat) - 1))] if lat else 0.0,
            len(got) / span if span else 0.0, rss, hwm,
            self._dups() - dups_before, _kept_twice(self.db), note,
        )  # fmt: skip

    async def rate(self, factor: int, seconds: float, restart: bool) -> Row:
        """``factor`` x the real load for ``seconds``: every hub summarises its 5 changed
        points every 60/factor s and sends a bulletin every 600/factor s."""
        sent: dict[tuple[int, int], float] = {}
        dups = self._dups()
        interval = SUMMARY_EVERY_S / factor
        per_summary = round(POINTS * SUMMARY_EVERY_S / REPORT_EVERY_S)
        rounds = max(1, int(seconds / interval))
        every_bulletin = BULLETIN_EVERY_S // SUMMARY_EVERY_S
        start = time.monotonic()
        restarter: asyncio.Task[None] | None = None
        for i in range(rounds):
            # Hubs spread over the interval, as independent hubs would be.
            for j, hub in enumerate(self.hubs):
                target = start + i * interval + j * interval / len(self.hubs)
                await asyncio.sleep(max(0.0, target - time.monotonic()))
                msgs = [(STATUS, hub.summary(per_summary))]
                if (i + j) % every_bulletin == 0:
                    msgs.append((BULLETIN, hub.bulletin()))
                hub.queue(msgs, sent)
            if restart and restarter is None and i >= rounds // 2:
                restarter = asyncio.create_task(self._restart_broker())  # hubs keep queuing
        if restarter is not None:
            await restarter
        note = "broker down 2 s half-way, hubs queuing" if restart else ""
        return await self._row(f"{factor}x", sent, dups, note)

    async def _restart_broker(self) -> None:
        await self.broker.stop()
        await asyncio.sleep(2.0)
        await self.broker.start()

    async def flood(self) -> Row:
        sent: dict[tuple[int, int], float] = {}
        dups = self._dups()
        for hub in self.hubs:
            hub.queue([(STATUS, hub.summary(5)) for _ in range(FLOOD_PER_HUB)], sent)
        return await self._row("flood", sent, dups, f"{FLOOD_PER_HUB} summaries/hub at once")

    async def outage(self, factor: int = 1) -> tuple[Row, float]:
        hub = self.hubs[0]
        await hub.halt()
        sent: dict[tuple[int, int], float] = {}
        dups = self._dups()
        n = OUTAGE_S // SUMMARY_EVERY_S * factor
        msgs = [(STATUS, hub.summary(5)) for _ in range(n)]
        msgs += [(BULLETIN, hub.bulletin()) for _ in range(OUTAGE_S // BULLETIN_EVERY_S * factor)]
        hub.queue(msgs, sent)
        back = time.time()
        hub.start()
        row = await self._row(
            f"outage {factor}x", sent, dups, f"1 h of region {hub.region} queued, then back"
        )
        got = _received(self.db, set(sent))
        catch_up = max(got.values()) - back if got else float("nan")
        return row, catch_up


def _bridge_to(far: DemoBroker) -> str:
    """The hubs' broker forwards everything under the prefix, both ways, with QoS 1 and a
    persistent bridge session, to the national node's broker."""
    return (
        "connection to-national\n"
        f"address 127.0.0.1:{far.port}\n"
        f"topic {PREFIX}/# both 1\n"
        "cleansession false\n"
        "clientid bench-bridge\n"
        "restart_timeout 1 5\n"
    )


async def run(seconds: float, base: Path, bridge: bool) -> str:
    regions = [slug(r.name) for r in SAFETY_REGIONS]
    far: DemoBroker | None = None
    if bridge:
        far = DemoBroker(base / "broker-national")
        await far.start()
    broker = DemoBroker(base / "broker", _bridge_to(far) if far else "")
    await broker.start()
    hubs = [_hub(base, r, broker) for r in regions]
    port = free_port()
    conf = _national_config(base, far or broker, regions, port)
    log = (base / "national.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "relay", "run", "--config", str(conf)],
        cwd=base, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        await _until_up(port)
        for hub in hubs:
            hub.start()
        bench = Bench(base, broker, hubs, port, proc.pid)
        rows = [await bench.rate(1, seconds, False), await bench.rate(10, seconds, True)]
        rows.append(await bench.flood())
        out1, catch1 = await bench.outage(1)
        out10, catch10 = await bench.outage(10)
        rows += [out1, out10]
        catch = {out1.name: catch1, out10.name: catch10}
        refused = _state(port)["refused"]
    finally:
        for hub in hubs:
            await hub.halt()
            hub.store.close()
        proc.terminate()
        proc.wait(10)
        await broker.stop()
        if far is not None:
            await far.stop()
    header = ["row", "msgs", "lost", "p50 s", "p95 s", "stored msg/s (observed)",
              "catch-up s", "RSS / peak MB", "dup dropped", "dup kept", "note"]  # fmt: skip
    cells = [
        [r.name, r.sent, r.lost, f"{r.p50:.3f}", f"{r.p95:.3f}", f"{r.rate:.1f}",
         f"{catch[r.name]:.1f}" if r.name in catch else "", f"{r.rss:.0f} / {r.hwm:.0f}",
         r.dup_dropped, r.dup_kept, r.note]
        for r in rows
    ]  # fmt: skip
    table = _table(header, cells)
    ten = rows[1]
    peak = max(r.hwm for r in rows)
    lost, twice = sum(r.lost for r in rows), max(r.dup_kept for r in rows)
    verdict = (
        f"targets: p95 at 10x {ten.p95:.3f} s (<= 2 s: {_met(ten.p95 <= 2)}); "
        f"peak RSS {peak:.0f} MB (<= 200 MB: {_met(peak <= 200)}); "
        f"lost {lost}, kept twice {twice} (0 and 0: {_met(lost == 0 and twice == 0)})"
    )
    head = (
        f"25 regions x {POINTS} points, "
        + ("hubs -> mosquitto A -bridge-> mosquitto B -> national" if bridge else "one mosquitto")
        + " on loopback, national node = relay run; "
        f"1x/10x rows {seconds:.0f} s each; mosquitto max_queued_messages 100000; "
        f"refusals at the national node: {refused}"
    )
    return f"{head}\n\n{table}\n\n{verdict}\n"


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _table(header: list[str], rows: list[list[object]]) -> str:
    text = [header, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in text) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in text]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


async def _until_up(port: int) -> None:
    for _ in range(300):
        try:
            _state(port)
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise SystemExit("the national node did not start; see national.log")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="length of the 1x/10x rows")
    parser.add_argument(
        "--bridge", action="store_true", help="hubs and national node on two bridged brokers"
    )
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the links' reconnect warnings are expected
    base = Path(tempfile.mkdtemp(prefix="bench-federation-"))
    try:
        print(asyncio.run(run(args.seconds, base, args.bridge)))
    finally:
        if args.keep:
            print(f"kept {base}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)
    os.sync()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
