"""The catalogue of standard bulletins. Codes are stable forever: append, never renumber.

Each template suggests CAP urgency/severity/certainty/categories (the operator may
override them); its texts per language are in texts.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

from relay.wire.templates.model import Param, Template, TemplateError
from relay.wire.templates.model import ParamType as T

AREA = Param("area", T.PLACE, "municipality, town or district (gazetteer name or free text)")

TEMPLATES: tuple[Template, ...] = (
    Template(
        1, "boil-water",
        (AREA, Param("until", T.UNTIL, "end of the advice, or 'tot nader bericht'")),
        "Immediate", "Moderate", "Likely", ("Health",),
    ),
    Template(
        2, "evacuation",
        (
            AREA,
            Param("assembly", T.TEXT, "assembly point, e.g. 'station Culemborg'"),
            Param("start", T.TIME, "when everyone must have left"),
        ),
        "Immediate", "Severe", "Likely", ("Safety",),
    ),
    Template(
        3, "shelter-in-place",
        (AREA, Param("until", T.UNTIL, "end of the advice, or 'tot nader bericht'")),
        "Immediate", "Severe", "Observed", ("Safety",),
    ),
    Template(
        4, "power-outage",
        (
            AREA,
            Param("restore", T.UNTIL, "expected restoration, or 'tot nader bericht'"),
            Param("next_update", T.TIME, "when the next update follows"),
        ),
        "Expected", "Moderate", "Likely", ("Infra",),
    ),
    Template(
        5, "support-point-hours",
        (
            Param("point", T.TEXT, "the support point, e.g. 'Overvecht (wijkcentrum De Dreef)'"),
            Param("opens", T.CLOCK, "opening time, e.g. 08:00"),
            Param("closes", T.CLOCK, "closing time, e.g. 20:00"),
        ),
        "Expected", "Minor", "Observed", ("Other",),
    ),
    Template(
        6, "water-distribution",
        (
            AREA,
            Param("location", T.TEXT, "where water is handed out"),
            Param("opens", T.CLOCK, "daily from, e.g. 10:00"),
            Param("closes", T.CLOCK, "daily until, e.g. 16:00"),
            Param("litres", T.COUNT, "litres per person per day"),
        ),
        "Expected", "Moderate", "Observed", ("Infra",),
    ),
    Template(
        7, "all-clear",
        (AREA,),
        "Past", "Minor", "Observed", ("Safety",),
    ),
    Template(
        8, "road-closure",
        (
            Param("road", T.TEXT, "the road, e.g. 'De A12 tussen Oudenrijn en Lunetten'"),
            Param("detour", T.TEXT, "the diversion, e.g. 'A2 en A27'"),
            Param("until", T.UNTIL, "end of the closure, or 'tot nader bericht'"),
        ),
        "Expected", "Moderate", "Observed", ("Transport",),
    ),
    Template(
        9, "reception-centre",
        (AREA, Param("location", T.TEXT, "the reception centre and its address")),
        "Expected", "Moderate", "Observed", ("Safety",),
    ),
    Template(
        10, "fuel-delivery",
        (Param("when", T.TIME, "when fuel is delivered"),),
        "Expected", "Minor", "Likely", ("Infra",),
    ),
    Template(
        11, "status-request",
        (Param("deadline", T.TIME, "when the reports are due"),),
        "Immediate", "Minor", "Observed", ("Other",),
    ),
)  # fmt: skip


class Catalogue:
    """Templates by code and by name (read-only)."""

    def __init__(self, templates: Iterable[Template] = TEMPLATES) -> None:
        items = tuple(templates)
        self.by_code: Mapping[int, Template] = MappingProxyType({t.code: t for t in items})
        self.by_name: Mapping[str, Template] = MappingProxyType({t.name: t for t in items})
        if len(self.by_code) != len(items) or len(self.by_name) != len(items):
            raise ValueError("template codes and names must be unique")

    def __iter__(self) -> Iterator[Template]:
        return iter(self.by_code.values())

    def find(self, name_or_code: str | int) -> Template:
        """The template named ``boil-water`` (or with code 1); TemplateError if none."""
        key = str(name_or_code).strip()
        template = self.by_name.get(key.casefold())
        if template is None and key.isdigit():
            template = self.by_code.get(int(key))
        if template is None:
            known = ", ".join(sorted(self.by_name))
            raise TemplateError(f"unknown template {key!r} (known: {known})", key="template")
        return template
