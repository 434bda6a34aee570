"""The 10 % rolling-hour duty cycle (here 1 % so a test needs fewer frames)."""

from relay.airtime import frame_airtime_s, preset
from relay.sim.api import BROADCAST, RoutingError
from relay.sim.mesh import Mesh
from relay.sim.node import SimNode

from .helpers import chain, mesh_with_recorders

FULL = 231  # a full frame: 255 PHY bytes
FULL_S = frame_airtime_s(FULL, preset("LONG_FAST"))


def send_every(
    mesh: Mesh, node: SimNode, count: int, spacing: float, hop_limit: int | None = None
) -> list[int]:
    ids: list[int] = []

    def send() -> None:
        ids.append(node.send(BROADCAST, 256, bytes(FULL), hop_limit=hop_limit))

    for k in range(count):
        mesh.scheduler.call_at(mesh.now() + k * spacing, send)
    return ids


def test_own_packets_are_refused_once_the_budget_is_spent():
    mesh, apps = mesh_with_recorders(chain(2, duty_cycle_percent=1.0))
    a = mesh.node("n0")
    ids = send_every(mesh, a, 30, 10.0)
    mesh.run_for(400)
    refused = [r.request_id for r in apps["n0"].reports if r.error is RoutingError.DUTY_CYCLE_LIMIT]
    sent = a.radio.counters.tx_packets
    # Refused while the rolling hour holds more than 36 s of airtime; the frame that
    # crosses the line still goes (the firmware checks before, not including, a frame).
    assert sent == int(36.0 // FULL_S) + 1
    assert len(refused) == 30 - sent
    assert refused == ids[sent:]
    assert all(r.from_node == a.num for r in apps["n0"].reports)
    assert a.radio.airtime.peak_tx_percent > 1.0
    assert len(apps["n1"].packets) == sent


def test_budget_returns_after_the_rolling_hour():
    mesh, apps = mesh_with_recorders(chain(2, duty_cycle_percent=1.0))
    a = mesh.node("n0")
    send_every(mesh, a, 25, 10.0)
    mesh.run_for(3500)
    refused_before = len(apps["n0"].reports)
    assert refused_before > 0
    mesh.run_until(3600 + 300)  # the minutes that held the airtime have rolled out
    a.send(BROADCAST, 256, b"again")
    mesh.run_for(30)
    assert len(apps["n0"].reports) == refused_before
    assert apps["n1"].payloads()[-1] == b"again"


def test_relays_are_dropped_silently_when_the_relay_is_out_of_budget():
    mesh, apps = mesh_with_recorders(chain(3, duty_cycle_percent=1.0))
    relay = mesh.node("n1")
    send_every(mesh, relay, 25, 10.0, hop_limit=0)  # the relay spends its budget first
    mesh.run_for(400)
    assert relay.firmware.counters.refused_duty_cycle > 0
    heard_before = len(apps["n2"].packets)
    pid = mesh.node("n0").send(BROADCAST, 256, b"via relay", want_ack=True)
    mesh.run_for(120)
    assert apps["n1"].payloads()[-1] == b"via relay"  # it hears it
    assert len(apps["n2"].packets) == heard_before  # but does not pass it on
    assert relay.firmware.counters.relays_dropped_duty_cycle >= 1
    # No relay overheard: the sender retries and gives up.
    assert [r.error for r in apps["n0"].reports_for(pid)] == [RoutingError.MAX_RETRANSMIT]


def test_utilisation_figures_for_device_metrics() -> None:
    mesh, _ = mesh_with_recorders(chain(2))
    a, b = mesh.node("n0"), mesh.node("n1")
    assert (a.air_util_tx(), a.channel_utilization()) == (0.0, 0.0)
    a.send(BROADCAST, 256, bytes(FULL), hop_limit=0)
    mesh.run_for(10)
    assert abs(a.air_util_tx() - 100 * FULL_S / 3600) < 1e-9
    assert abs(a.channel_utilization() - 100 * FULL_S / 60) < 1e-9
    assert b.air_util_tx() == 0.0
    assert abs(b.channel_utilization() - 100 * FULL_S / 60) < 1e-9  # it received it
    mesh.run_for(120)
    assert a.channel_utilization() == 0.0  # the minute has passed
