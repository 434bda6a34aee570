"""The catalogue: stable codes, complete texts, every parameter used in every language."""

from __future__ import annotations

import string

from relay.wire.templates import TEMPLATES, TEXTS, Catalogue, ParamType

#: Codes are stable forever: a released code never changes name. Append only.
RELEASED = {
    1: "boil-water",
    2: "evacuation",
    3: "shelter-in-place",
    4: "power-outage",
    5: "support-point-hours",
    6: "water-distribution",
    7: "all-clear",
    8: "road-closure",
    9: "reception-centre",
    10: "fuel-delivery",
    11: "status-request",
}


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_released_codes_never_change() -> None:
    catalogue = Catalogue()
    for code, name in RELEASED.items():
        assert catalogue.by_code[code].name == name


def test_dutch_and_english_cover_every_template() -> None:
    for template in TEMPLATES:
        assert template.name in TEXTS["nl"]
        assert template.name in TEXTS["en"]


def test_every_language_uses_every_parameter() -> None:
    for lang, texts in TEXTS.items():
        for template in TEMPLATES:
            if template.name not in texts:
                continue
            headline, body = texts[template.name]
            used = placeholders(headline) | placeholders(body)
            assert used == {p.name for p in template.params}, (lang, template.name)


def test_no_texts_for_unknown_templates() -> None:
    names = {t.name for t in TEMPLATES}
    for texts in TEXTS.values():
        assert set(texts) <= names


def test_required_kinds_are_present() -> None:
    names = {t.name for t in TEMPLATES}
    assert {
        "boil-water",
        "evacuation",
        "shelter-in-place",
        "power-outage",
        "support-point-hours",
        "water-distribution",
        "all-clear",
    } <= names
    evacuation = Catalogue().find("evacuation")
    assert [p.type for p in evacuation.params] == [ParamType.PLACE, ParamType.TEXT, ParamType.TIME]


def test_cap_suggestions_are_cap_values() -> None:
    for t in TEMPLATES:
        assert t.urgency in {"Immediate", "Expected", "Future", "Past", "Unknown"}
        assert t.severity in {"Extreme", "Severe", "Moderate", "Minor", "Unknown"}
        assert t.certainty in {"Observed", "Likely", "Possible", "Unlikely", "Unknown"}
        assert t.categories
