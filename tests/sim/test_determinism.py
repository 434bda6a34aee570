"""Same seed, same run: every draw comes from the random.Random passed in."""

import random

from relay.sim.api import BROADCAST
from relay.sim.bench import run_scenario, text_baseline
from relay.sim.mesh import Mesh
from relay.sim.scenario import load_scenario

from .helpers import Recorder


def trace(seed: int) -> list[tuple[object, ...]]:
    mesh = Mesh(load_scenario("city"), random.Random(seed))
    apps = {}
    for node in mesh.nodes:
        apps[node.name] = Recorder()
        node.attach(apps[node.name])
    hub = mesh.node("hub")
    point = mesh.node("p-amersfoort-7")

    def bulletin() -> None:
        hub.send(BROADCAST, 256, bytes(100))

    def status() -> None:
        point.send(hub.num, 256, b"status", want_ack=True)

    for k in range(5):
        mesh.scheduler.call_at(10 + 60 * k, bulletin)
    mesh.scheduler.call_at(15, status)
    mesh.run_for(600)
    out: list[tuple[object, ...]] = []
    for name, app in sorted(apps.items()):
        out += [(name, p.id, p.rx_time, p.rx_snr) for p in app.packets]
        out += [(name, r.request_id, r.time, r.error, r.from_node) for r in app.reports]
    out.append(("tx", mesh.air.stats.transmissions, mesh.scheduler.events_run))
    return out


def test_same_seed_same_run():
    assert trace(5) == trace(5)


def test_other_seed_other_run():
    assert trace(5) != trace(6)


def test_benchmark_runs_are_reproducible():
    scenario = load_scenario("village")
    factory = text_baseline(bulletin_interval=120.0)
    first = run_scenario(scenario, 0.2, 3, factory, duration=900)
    again = run_scenario(scenario, 0.2, 3, factory, duration=900)
    assert (first.reach, first.latencies, first.transmissions) == (
        again.reach,
        again.latencies,
        again.transmissions,
    )
