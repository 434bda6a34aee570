"""What an operator may put into a status report: the ranges its wire fields carry.

A value is checked here at the edge (HTTP API, kiosk form, CLI) so the operator gets a
clear refusal, and again when a daemon loads its own stored status: a value that does
not fit the wire would otherwise raise deep inside the engine's encoding on every tick
(and, being stored, on every restart). The limits follow ``StatusReport`` in
``proto/noodrelay.proto``; change them together.
"""

from __future__ import annotations

from dataclasses import replace

from relay.errors import InputError
from relay.wire import model as m

UINT32_MAX = 2**32 - 1
#: ``optional uint32 battery_pct``; a decoder refuses more than 100 %.
BATTERY_PCT = (0, 100)
#: ``optional uint32 visitors``.
VISITORS = (0, UINT32_MAX)
#: Free text of a status report (the kiosk form's ``maxlength`` is the same).
STATUS_TEXT_CHARS = 120
#: Bits of ``needs`` a receiver knows (see the proto).
NEEDS_MASK = (1 << 10) - 1
#: A bulletin's text per language, for the CLI and the dashboard alike. Longer texts
#: cost several frames (a 2,000-character text took 8); the operator may send one on
#: purpose (``relay compose --allow-long``, the form's ``allow_long``), never by accident.
HEADLINE_CHARS = 120
BODY_CHARS = 1000

_NUMBERS = {"battery_pct": BATTERY_PCT, "visitors": VISITORS}


def check_number(name: str, value: object) -> int | None:
    """``value`` as an int within ``name``'s wire range (None stays None), or InputError."""
    if value is None:
        return None
    low, high = _NUMBERS[name]
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InputError(f"{name} must be a whole number {low}..{high}", name)
    try:
        number = int(value)
    except ValueError:
        raise InputError(f"{name} must be a whole number {low}..{high}", name) from None
    if not low <= number <= high:
        raise InputError(f"{name} must be {low}..{high}, not {number}", name)
    return number


def check_text(text: str) -> str:
    if len(text) > STATUS_TEXT_CHARS:
        raise InputError(
            f"text is {len(text)} characters; at most {STATUS_TEXT_CHARS} fit a status report",
            "text",
        )
    return text


def check_bulletin_text(lang: str, headline: str, body: str, *, allow_long: bool) -> None:
    """Refuse a headline or body over the limit unless ``allow_long`` says it is meant."""
    if allow_long:
        return
    for what, text, limit in (("headline", headline, HEADLINE_CHARS), ("body", body, BODY_CHARS)):
        if len(text) > limit:
            raise InputError(
                f"the {lang} {what} is {len(text)} characters; at most {limit} (a longer one "
                f"costs several frames): shorten it, or allow a long text on purpose",
                what,
            )


def check_status(s: m.StatusReport) -> m.StatusReport:
    """``s`` unchanged if every field fits the wire, else InputError naming the field."""
    for name in _NUMBERS:
        check_number(name, getattr(s, name))
    check_text(s.text)
    if int(s.needs) & ~NEEDS_MASK:
        raise InputError(f"needs has unknown bits {int(s.needs) & ~NEEDS_MASK:#x}", "needs")
    return s


def fit_status(s: m.StatusReport) -> tuple[m.StatusReport, list[str]]:
    """``s`` with every field that does not fit the wire dropped, and what was dropped.

    For data a daemon reads back from its own store: it must keep running, so an
    unusable value becomes "unknown" (and is logged by the caller) instead of an error.
    """
    dropped: list[str] = []
    fields: dict[str, object] = {}
    for name in _NUMBERS:
        try:
            check_number(name, getattr(s, name))
        except InputError:
            dropped.append(f"{name}={getattr(s, name)!r}")
            fields[name] = None
    if len(s.text) > STATUS_TEXT_CHARS:
        dropped.append(f"text of {len(s.text)} characters")
        fields["text"] = s.text[:STATUS_TEXT_CHARS]
    if int(s.needs) & ~NEEDS_MASK:
        dropped.append(f"needs bits {int(s.needs) & ~NEEDS_MASK:#x}")
        fields["needs"] = m.Need(int(s.needs) & NEEDS_MASK)
    return (replace(s, **fields) if fields else s), dropped  # type: ignore[arg-type]
