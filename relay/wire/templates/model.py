"""Domain types of template bulletins: parameters, templates and calls.

A call carries only a template code and typed values; the receiver renders it in its
own languages from the catalogue. Values are small ints wherever possible:

=========  ==========================  ===============================================
type       value in a call             meaning
=========  ==========================  ===============================================
TEXT       ``str``                     verbatim (addresses, names of buildings)
PLACE      :class:`Place`              gazetteer code (``code > 0``) or free text
TIME       ``int``                     hub time in seconds, a whole minute
UNTIL      ``int``                     like TIME, or ``UNTIL_FURTHER_NOTICE`` (0)
CLOCK      ``int``                     minutes after local midnight (0..1439)
DURATION   ``int``                     minutes
COUNT      ``int``                     a non-negative number (people, litres)
=========  ==========================  ===============================================
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

from relay.errors import ConfigError, UnknownKindError

#: The value of an UNTIL parameter that means "until further notice". Hub time 0 is
#: 2025-01-01T00:00Z, never a time a bulletin would name.
UNTIL_FURTHER_NOTICE = 0

Urgency = Literal["Immediate", "Expected", "Future", "Past", "Unknown"]
Severity = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
Certainty = Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]
Category = Literal[
    "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport",
    "Infra", "CBRNE", "Other",
]  # fmt: skip


class ParamType(enum.Enum):
    TEXT = "text"
    PLACE = "place"
    TIME = "time"
    UNTIL = "until"
    CLOCK = "clock"
    DURATION = "duration"
    COUNT = "count"


#: Types whose value travels as a number; TEXT travels as text, PLACE as both.
NUMERIC = frozenset(
    {ParamType.TIME, ParamType.UNTIL, ParamType.CLOCK, ParamType.DURATION, ParamType.COUNT}
)


@dataclass(frozen=True, slots=True)
class Place:
    """A place: a gazetteer code (see places.py), or ``code == 0`` and free text."""

    code: int = 0
    text: str = ""


Value = int | str | Place


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: ParamType
    #: What the operator fills in (English, for help texts).
    help: str


@dataclass(frozen=True, slots=True)
class Template:
    """A standard bulletin. ``code`` is stable forever; texts live in texts.py."""

    code: int
    name: str
    params: tuple[Param, ...]
    urgency: Urgency
    severity: Severity
    certainty: Certainty
    categories: tuple[Category, ...]

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


@dataclass(frozen=True, slots=True)
class TemplateCall:
    """A template code and one value per parameter, in the template's order."""

    code: int
    values: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class RenderedText:
    """A call rendered in one language (``lang`` is the language actually used)."""

    lang: str
    headline: str
    body: str


class TemplateError(ConfigError):
    """An unknown template name or code given by an operator."""


class TemplateParamError(ConfigError):
    """A missing, unknown or malformed template parameter; ``key`` names it."""


class UnknownTemplateError(UnknownKindError):
    """A received template code this reader's catalogue does not have (a newer hub)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code
