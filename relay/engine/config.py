"""Tunable timings and budgets of the delivery engine (validated by the daemon's config)."""

from __future__ import annotations

from dataclasses import dataclass

from relay.airtime import MAX_APP_PAYLOAD


@dataclass(frozen=True, slots=True)
class EngineConfig:
    #: The modem preset (for airtime accounting).
    preset: str = "LONG_FAST"
    #: Bytes of ours one frame carries.
    max_payload: int = MAX_APP_PAYLOAD
    #: The regulatory duty cycle, and the share of it we keep free for relaying and
    #: surprises (the firmware refuses our packets at the limit and drops relays).
    duty_cycle: float = 0.10
    headroom: float = 0.20
    #: Gap after each of our broadcast frames before the next one: relays rebroadcast it
    #: within ~0.5-8 s and our next frame should not collide with them.
    broadcast_gap_s: float = 6.0
    #: Gap after a direct-message frame.
    dm_gap_s: float = 3.0
    # --- hub ---------------------------------------------------------------------------
    #: Regular heartbeat interval, and how soon after a new bulletin one follows.
    heartbeat_interval_s: float = 300.0
    heartbeat_after_bulletin_s: float = 90.0
    #: A message re-broadcast for repair is not re-broadcast again within this time:
    #: every point missing it gets that one answer.
    repair_cooldown_s: float = 60.0
    #: Largest share of the hub's airtime budget spent on repair answers per hour.
    repair_share: float = 0.5
    #: Broadcast bulletins and heartbeats with want_ack: relays then queue them at the
    #: firmware's RELIABLE priority (70) instead of DEFAULT (64), above the points' status
    #: frames, and the hub's radio repeats a frame no relay was heard passing on. The only
    #: other ports relays rank higher are text and admin, which apps would show or obey.
    #: Measured on a busy region (status every 10 min, 20 % loss, 3 seeds): bulletins within
    #: 10 min 99.91 % (worst seed 99.73 %) with it, 99.60 % (98.80 %) without.
    hub_broadcast_want_ack: bool = True
    #: Extra transmissions of Immediate/Extreme bulletins (0: rely on repair alone).
    urgent_repeats: int = 1
    urgent_repeat_after_s: float = 45.0
    #: Extra transmissions of every other bulletin, as far apart. One hub broadcast
    #: reached 88 % of the town region's points within a minute, with the urgent repeat
    #: 96 %; each miss costs a repair request and a repair flood later, and some miss the
    #: 10-minute mark. Region-town LONG_FAST, 5 seeds, within 10 min: 99.30 % (worst seed
    #: 98.87 %) with 0, 99.40 % (99.07 %) with 1; region LONG_FAST 99.91 % -> 99.96 %;
    #: fewer transmissions in all (2,885 -> 2,756 an hour in the town region).
    routine_repeats: int = 1
    # --- point -------------------------------------------------------------------------
    #: Status interval (hub seconds) until the hub announces one: every point reports once
    #: per interval, in its own slot (relay.engine.reporting).
    status_interval_s: float = 1800.0
    #: A heartbeat judges a report (heard or not) only if it was issued this long after
    #: the report left: time for the frame to cross the relays.
    status_settle_s: float = 30.0
    #: Tries a point gets per status interval at least (heartbeat periods kept free of
    #: first tries for them).
    status_min_tries: int = 4
    #: An Immediate bulletin is acknowledged early, at the point's phase in this window.
    urgent_receipt_spread_s: float = 300.0
    #: Highest hop limit a report may use (the firmware's own maximum is 7; ours, 3).
    max_hops: int = 3
    #: Successes in a row after which a report tries one hop fewer.
    hop_probe_after: int = 6
    #: Direct messages to the hub get a hop limit of the hops the hub's frames took plus
    #: this margin (None: the radio's default limit).
    dm_hop_margin: int | None = 1
    #: Delay before a point asks for what it misses (random within the range, so that
    #: points do not all ask at once; the answer to one serves all).
    repair_delay_s: tuple[float, float] = (5.0, 45.0)
    #: Back-off between repeated requests for the same gap.
    repair_backoff_s: tuple[float, float] = (120.0, 1800.0)
    #: Local repair (relay.engine.neighbours): a point passes a bulletin on to a neighbour
    #: whose repair request it heard directly, after a random delay (the hub usually
    #: answers first; any copy heard cancels ours), at most once per cooldown per
    #: bulletin and this many bulletins an hour (0: never).
    neighbour_delay_s: tuple[float, float] = (30.0, 90.0)
    neighbour_cooldown_s: float = 600.0
    neighbour_answers_per_hour: int = 6
    #: Carrying a neighbour's status frame to the hub (the neighbour asks when the hub's
    #: heard-list left it out): at most one per neighbour per gap, so many an hour in all.
    #: A point asks to be carried after this many of its reports in a row were left out
    #: (one miss is common at 20 % loss and the next try usually gets through alone).
    carry_after_misses: int = 2
    neighbour_carry_delay_s: tuple[float, float] = (5.0, 25.0)
    neighbour_carry_gap_s: float = 240.0
    neighbour_carries_per_hour: int = 12
    #: Back-off after a direct message to the hub failed.
    dm_retry_s: tuple[float, float] = (60.0, 900.0)
    #: Channel utilisation above which the hub lengthens the status interval it announces
    #: (and points slow their repair requests); below ``quiet_channel`` it shortens it
    #: again, never below ``status_interval_s`` nor above ``max_status_interval_s``.
    busy_channel: float = 0.25
    quiet_channel: float = 0.15
    max_status_interval_s: float = 4 * 3600.0
    #: Hub silence after which a point considers the hub unheard (for the screens).
    hub_silence_s: float = 1800.0
    #: Heartbeat periods without any hub frame after which a point acts on the silence:
    #: its reports take the most hops, and it asks the hub for a heartbeat (issue 14,
    #: item 8: a relay site starved by its duty cycle cut three points off). 0: off.
    hub_silent_periods: int = 2
    #: Incomplete fragments are kept this long.
    fragment_ttl_s: float = 3600.0
    # --- help requests -------------------------------------------------------------------
    #: Point: a help request is sent again when no answer from the hub has come this long
    #: after it was queued (doubling up to the second value, with jitter). The round trip
    #: of a request and its answer over a few hops takes ~10-40 s at LONG_FAST.
    help_retry_s: tuple[float, float] = (45.0, 300.0)
    #: Point: a request the hub has not answered this long after it was made is also sent
    #: as a broadcast, once (None: never); most answers come within 10-25 s.
    help_hedge_s: float | None = 30.0
    #: Point: a refused or unacknowledged request is tried again this soon (random).
    help_failed_retry_s: tuple[float, float] = (5.0, 20.0)
    #: Point: help updates that arrived are acknowledged together after this delay.
    help_ack_delay_s: float = 3.0
    #: Hub: an update the point has not acknowledged is sent again after this (doubling).
    help_update_retry_s: tuple[float, float] = (60.0, 600.0)
    #: Hub: a repeated request is answered at most once in this time (a replaying
    #: attacker must not turn the hub into a transmitter).
    help_answer_gap_s: float = 15.0

    @property
    def budget_fraction(self) -> float:
        return self.duty_cycle * (1.0 - self.headroom)
