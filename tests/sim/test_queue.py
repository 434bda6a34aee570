"""The transmit queue: capacity, queue status and the firmware's ordering."""

import random

from relay.sim.air import Air
from relay.sim.api import BROADCAST, Role
from relay.sim.frames import TEXT_MESSAGE_APP, AirFrame, Priority
from relay.sim.radio import NodeRadio
from relay.sim.scheduler import Scheduler

from .helpers import chain, link_scenario, mesh_with_recorders


def lone_radio(queue_size: int = 4) -> tuple[Scheduler, NodeRadio]:
    config = link_scenario(["x"], []).radio
    sched = Scheduler()
    air = Air(sched, {}, config, random.Random(1))
    return sched, NodeRadio(
        1, Role.CLIENT, scheduler=sched, air=air, rng=random.Random(1), queue_size=queue_size
    )


def frame(pid: int, src: int = 1, priority: Priority = Priority.DEFAULT) -> AirFrame:
    return AirFrame(
        src=src,
        dst=BROADCAST,
        id=pid,
        portnum=256,
        payload=b"x",
        hop_limit=3,
        hop_start=3,
        priority=priority,
    )


def test_queue_status_counts_free_slots_and_a_full_queue_refuses():
    sched, radio = lone_radio(queue_size=4)
    assert radio.queue_status() == (4, 4)
    assert all(radio.enqueue(frame(i)) for i in range(1, 5))
    assert radio.queue_status() == (0, 4)
    assert radio.enqueue(frame(9)) is False  # same priority: nothing to evict
    assert radio.counters.queue_drops == 1
    # A more important packet evicts the least important one at the back.
    assert radio.enqueue(frame(10, priority=Priority.ACK)) is True
    assert not radio.find(1, 4) and radio.find(1, 10)
    sched.run_until(60)
    assert radio.queue_status() == (4, 4)
    assert radio.counters.tx_packets == 4


def test_acks_go_first_and_relays_before_our_own_at_equal_priority():
    sched, radio = lone_radio(queue_size=8)
    radio.enqueue(frame(1))
    radio.enqueue(frame(2, src=7), rx_snr=3.0, rx_rssi=-100)  # a relay
    radio.enqueue(frame(3, priority=Priority.ACK))
    radio.enqueue(frame(4, priority=Priority.HIGH))
    order = []
    transmit = radio._air.transmit

    def spy(sender, f, start):
        order.append(f.id)
        return transmit(sender, f, start)

    radio._air.transmit = spy  # type: ignore[method-assign]
    sched.run_until(60)
    assert order == [3, 4, 2, 1]


def test_node_queue_status_through_the_api():
    mesh, _ = mesh_with_recorders(chain(2, tx_queue_size=3))
    node = mesh.node("n0")
    assert node.queue_status() == (3, 3)
    for k in range(3):
        node.send(BROADCAST, TEXT_MESSAGE_APP, b"%d" % k)
    assert node.queue_status() == (0, 3)
    mesh.run_for(60)
    assert node.queue_status() == (3, 3)
