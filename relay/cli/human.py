"""Values as a person reads them in the CLI's plain output (``--json`` keeps the raw ones).

Times in Amsterdam local time like the screens, node numbers as Meshtastic writes them
(``!7e57aa01``), lists as comma lists, nothing as "none", never a Python repr.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from relay.web import timefmt
from relay.web.render import printable


def ago(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def local_time(iso: str) -> str:
    """An ISO time from the API (UTC) as Amsterdam time, ``28-11-2026 14:00``."""
    when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return f"{when.astimezone(timefmt.ZONE):%d-%m-%Y %H:%M}"


def plain(value: Any) -> str:
    """Any JSON value as text: lists joined, objects as ``key value; ...``, None as none."""
    if value is None or value in ([], {}):
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, dict):
        parts = [
            f"{k.replace('_', ' ')} {plain(v)}" for k, v in value.items() if v not in (None, [], "")
        ]
        return "; ".join(parts) or "none"
    return printable(str(value))


def _node(value: Any) -> str:
    return "unknown" if value is None else f"!{int(value):08x}"


def _hub_time(value: Any) -> str:
    if value is None:
        return "unknown (the hub has not been heard)"
    return f"{timefmt.full(int(value))} (Amsterdam, by the hub's clock)"


def _seconds_ago(value: Any) -> str:
    return "never" if value is None else f"{ago(float(value))} ago"


def _percent(value: Any) -> str:
    return f"{value} % of the time in the airtime window"


def _reporting(value: Any) -> str:
    """A point's reporting: its interval, whether the hub listed it, hops, next slot."""
    heard = "heard by the hub" if value.get("heard_this_interval") else "not heard yet"
    nxt, hops = value.get("next_report_in_s"), value.get("hop_limit")
    return (
        f"every {ago(float(value['status_interval_s']))}, {heard} in this one; "
        f"hop limit {'not learned yet' if hops is None else hops}; "
        + ("next report when the hub's time is known" if nxt is None else f"next in {ago(nxt)}")
    )


#: How each /api/state field reads; any other field goes through plain().
STATE_FIELDS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "node": ("radio node", _node),
    "link": ("radio link", plain),
    "hub_time": ("hub time", _hub_time),
    "queued_frames": ("queued frames", plain),
    "airtime_used_pct": ("airtime used", _percent),
    "store_error": ("store error", plain),
    "rejected": ("frames refused", plain),
    "last_rejection": ("last refusal", plain),
    "point_id": ("point number", plain),
    "hub_heard_s_ago": ("hub heard", _seconds_ago),
    "stale_after_s": ("stale after", lambda v: ago(float(v))),
    "key_id": ("key", plain),
    "reporting": ("reporting", _reporting),
}


def state_lines(state: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in state.items():
        label, show = STATE_FIELDS.get(key, (key.replace("_", " "), plain))
        lines.append(f"{label:16} {show(value)}")
    return lines
