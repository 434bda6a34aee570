import pytest

from relay.sim.scheduler import Scheduler, SchedulerError


def test_runs_in_time_order_and_fifo_at_equal_times():
    sched = Scheduler()
    seen = []
    sched.call_at(2.0, lambda: seen.append("b"))
    sched.call_at(1.0, lambda: seen.append("a"))
    sched.call_at(2.0, lambda: seen.append("c"))
    sched.run_until(10.0)
    assert seen == ["a", "b", "c"]
    assert sched.now() == 10.0


def test_callbacks_see_their_own_time_and_can_schedule_more():
    sched = Scheduler()
    times = []

    def tick():
        times.append(sched.now())
        if len(times) < 3:
            sched.call_later(0.5, tick)

    sched.call_later(1.0, tick)
    sched.run_until(5.0)
    assert times == [1.0, 1.5, 2.0]


def test_cancelled_timer_does_not_run_and_next_time_skips_it():
    sched = Scheduler()
    seen = []
    first = sched.call_at(1.0, lambda: seen.append(1))
    sched.call_at(2.0, lambda: seen.append(2))
    first.cancel()
    assert sched.next_time() == 2.0
    sched.run_until(3.0)
    assert seen == [2]
    assert sched.next_time() is None


def test_stops_at_the_horizon_and_continues_later():
    sched = Scheduler()
    seen = []
    sched.call_at(5.0, lambda: seen.append(5))
    sched.run_until(4.0)
    assert seen == []
    sched.run_for(1.0)
    assert seen == [5]


def test_refuses_the_past():
    sched = Scheduler(start=10.0)
    with pytest.raises(SchedulerError, match="cannot schedule"):
        sched.call_at(9.0, lambda: None)
    with pytest.raises(SchedulerError, match="negative delay"):
        sched.call_later(-1.0, lambda: None)
    with pytest.raises(SchedulerError, match="cannot run back"):
        sched.run_until(5.0)


def test_halt_stops_after_the_current_callback():
    sched = Scheduler()
    seen = []

    def stop():
        seen.append("stop")
        sched.halt()

    sched.call_at(1.0, stop)
    sched.call_at(2.0, lambda: seen.append("later"))
    sched.run_until(5.0)
    assert seen == ["stop"]
    assert sched.now() == 1.0
    sched.run_until(5.0)
    assert seen == ["stop", "later"]
