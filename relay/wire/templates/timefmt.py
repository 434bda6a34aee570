"""Times, clock times and durations: parsed from what an operator types, rendered per
language in Europe/Amsterdam (the hub's and every reader's local time).

Parsing is relative to a reference hub time (the hub's "now"), never the local clock:
``12:00`` is the next 12:00 at or after the reference, ``vrijdag 12:00`` the next Friday
(today if 12:00 is still ahead), ``morgen 09:00`` tomorrow, ``2026-12-01 14:00`` that
moment. Rendering names the day and date, so a bulletin read days later stays clear.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from relay.errors import ConfigError
from relay.wire import hubtime
from relay.wire.templates.model import UNTIL_FURTHER_NOTICE

#: A time may lie this far before the reference (an evacuation that began this morning).
PAST_SECONDS = 24 * 3600

_DAYS = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "nl": (
        "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
        "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
}  # fmt: skip
#: How each language says "until <time>" and "until further notice".
_UNTIL = {"nl": ("tot {}", "tot nader bericht"), "en": ("until {}", "until further notice")}
#: Units for durations: (singular, plural) of minute, hour, day, and the word "and".
_UNITS = {
    "nl": (("minuut", "minuten"), ("uur", "uur"), ("dag", "dagen"), "en"),
    "en": (("minute", "minutes"), ("hour", "hours"), ("day", "days"), "and"),
}
LANGUAGES = frozenset(_DAYS)

_FURTHER_NOTICE = {"tot nader bericht", "nader bericht", "tnb", "until further notice"}
_RELATIVE = {"vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2}
_WEEKDAYS = {name.casefold(): i for names in _DAYS.values() for i, name in enumerate(names)}
_WEEKDAYS.update({name[:2]: i for name, i in list(_WEEKDAYS.items()) if len(name) > 2})
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[ t]+(\d{1,2})[:.](\d{2})")
_DAY_CLOCK = re.compile(r"(?:([a-z]+)\s+)?(\d{1,2})[:.](\d{2})")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")
_DURATION = re.compile(r"(\d+)\s*([a-z]*)")
_UNIT_MINUTES = {
    **dict.fromkeys(("", "m", "min", "minuut", "minuten", "minute", "minutes"), 1),
    **dict.fromkeys(("h", "u", "uur", "uren", "hour", "hours"), 60),
    **dict.fromkeys(("d", "dag", "dagen", "day", "days"), 1440),
}


@functools.cache
def zone() -> ZoneInfo:
    """Europe/Amsterdam, from the system's or the ``tzdata`` package's time zone data."""
    try:
        return ZoneInfo("Europe/Amsterdam")
    except ZoneInfoNotFoundError as err:
        raise ConfigError("no time zone data for Europe/Amsterdam: install tzdata") from err


def _local(hub_seconds: int) -> datetime:
    return hubtime.to_datetime(hub_seconds).astimezone(zone())


def _at(day: date, hour: int, minute: int) -> int:
    if hour > 23 or minute > 59:
        raise ValueError(f"no such time of day: {hour:02d}:{minute:02d}")
    return hubtime.from_datetime(datetime.combine(day, time(hour, minute), tzinfo=zone()))


def parse_time(text: str, reference: int, open_ended: bool = False) -> int:
    """Hub time (a whole minute) for ``text``; ``open_ended`` also accepts "tot nader
    bericht" (-> :data:`UNTIL_FURTHER_NOTICE`). Raises ValueError saying what is wrong."""
    s = " ".join(text.split()).casefold()
    if s.startswith(("tot ", "until ")) and s not in _FURTHER_NOTICE:
        s = s.split(" ", 1)[1]
    if s in _FURTHER_NOTICE:
        if not open_ended:
            raise ValueError("this time cannot be 'until further notice'")
        return UNTIL_FURTHER_NOTICE
    if m := _ISO.fullmatch(s):
        y, mo, d, hh, mm = (int(g) for g in m.groups())
        try:
            day = date(y, mo, d)
        except ValueError as err:
            raise ValueError(f"no such date: {text.strip()!r}") from err
        moment = _at(day, hh, mm)
        if moment < reference - PAST_SECONDS:
            raise ValueError(f"{text.strip()!r} lies more than a day in the past")
        return moment
    if m := _DAY_CLOCK.fullmatch(s):
        return _next(m.group(1), int(m.group(2)), int(m.group(3)), reference)
    raise ValueError(
        f"not a time: {text.strip()!r} (try '12:00', 'morgen 09:00', 'vrijdag 12:00', "
        "'2026-12-01 14:00' or 'tot nader bericht')"
    )


def _next(word: str | None, hour: int, minute: int, reference: int) -> int:
    today = _local(reference).date()
    if word is None:
        moment = _at(today, hour, minute)
        return moment if moment >= reference else _at(today + timedelta(days=1), hour, minute)
    if word in _RELATIVE:
        return _at(today + timedelta(days=_RELATIVE[word]), hour, minute)
    if word in _WEEKDAYS:
        ahead = (_WEEKDAYS[word] - today.weekday()) % 7
        moment = _at(today + timedelta(days=ahead), hour, minute)
        return moment if moment >= reference else _at(today + timedelta(days=7), hour, minute)
    raise ValueError(f"not a day: {word!r} (a weekday, 'vandaag', 'morgen' or 'overmorgen')")


def parse_clock(text: str) -> int:
    """Minutes after midnight for ``HH:MM``."""
    m = _CLOCK.fullmatch(text.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError(f"not a time of day: {text.strip()!r} (e.g. 08:00)")
    return 60 * int(m.group(1)) + int(m.group(2))


def parse_duration(text: str) -> int:
    """Minutes for ``90``, ``90m``, ``2 uur``, ``3h``, ``1 dag``."""
    m = _DURATION.fullmatch(text.strip().casefold())
    if not m or m.group(2) not in _UNIT_MINUTES:
        raise ValueError(f"not a duration: {text.strip()!r} (e.g. 90m, 2 uur, 1 dag)")
    return int(m.group(1)) * _UNIT_MINUTES[m.group(2)]


def render_time(hub_seconds: int, lang: str) -> str:
    """``vrijdag 12 december 12:00`` / ``Friday 12 December 12:00``."""
    t = _local(hub_seconds)
    return f"{_DAYS[lang][t.weekday()]} {t.day} {_MONTHS[lang][t.month - 1]} {t:%H:%M}"


def render_until(hub_seconds: int, lang: str) -> str:
    """``tot vrijdag 12 december 12:00`` or ``tot nader bericht``."""
    until, further_notice = _UNTIL[lang]
    if hub_seconds == UNTIL_FURTHER_NOTICE:
        return further_notice
    return until.format(render_time(hub_seconds, lang))


def render_clock(minutes: int, lang: str) -> str:
    del lang  # 24-hour clock in every language we render
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def render_duration(minutes: int, lang: str) -> str:
    """``90 minuten`` -> ``1 uur en 30 minuten``; ``2 days``; ``1 minute``."""
    minute, hour, day, and_ = _UNITS[lang]
    if minutes and minutes % 1440 == 0:
        return _count(minutes // 1440, day)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _count(rest, minute)
    if not rest:
        return _count(hours, hour)
    return f"{_count(hours, hour)} {and_} {_count(rest, minute)}"


def _count(n: int, forms: tuple[str, str]) -> str:
    return f"{n} {forms[0] if n == 1 else forms[1]}"
