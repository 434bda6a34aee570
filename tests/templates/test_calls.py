"""Parsing operators' strings, rendering per language, and errors that name the parameter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from relay.errors import ConfigError
from relay.wire import hubtime
from relay.wire.templates import (
    UNTIL_FURTHER_NOTICE,
    Catalogue,
    Place,
    TemplateError,
    TemplateParamError,
    parse_call,
    place_code,
    render_call,
    split_params,
)

# Saturday 28 November 2026, 15:30:07 in Amsterdam (CET, UTC+1).
NOW = hubtime.from_datetime(datetime(2026, 11, 28, 14, 30, 7, tzinfo=UTC))
# Saturday 27 June 2026, 10:00 in Amsterdam (CEST, UTC+2).
SUMMER = hubtime.from_datetime(datetime(2026, 6, 27, 8, 0, tzinfo=UTC))


@pytest.fixture
def catalogue() -> Catalogue:
    return Catalogue()


def call(catalogue: Catalogue, name: str, *pairs: str, now: int = NOW):
    return parse_call(catalogue.find(name), split_params(pairs), now)


def local(year: int, month: int, day: int, hour: int, minute: int, utc_offset: int = 1) -> int:
    return hubtime.from_datetime(datetime(year, month, day, hour - utc_offset, minute, tzinfo=UTC))


def test_readme_example(catalogue: Catalogue) -> None:
    c = call(catalogue, "boil-water", "area=Houten", "until=vrijdag 12:00")
    assert c.values == (Place(code=place_code("Houten")), local(2026, 12, 4, 12, 0))
    nl = render_call(catalogue, c, "nl")
    assert nl.lang == "nl"
    assert nl.headline == "Kookadvies voor Houten"
    assert nl.body.endswith("Dit advies geldt tot vrijdag 4 december 12:00.")
    en = render_call(catalogue, c, "en")
    assert en.headline == "Boil water advice for Houten"
    assert en.body.endswith("This advice applies until Friday 4 December 12:00.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12:00", local(2026, 11, 29, 12, 0)),  # 12:00 has passed today: tomorrow
        ("16:00", local(2026, 11, 28, 16, 0)),  # still ahead today
        ("morgen 09:00", local(2026, 11, 29, 9, 0)),
        ("Morgen 9.00", local(2026, 11, 29, 9, 0)),
        ("overmorgen 09:00", local(2026, 11, 30, 9, 0)),
        ("vandaag 09:00", local(2026, 11, 28, 9, 0)),
        ("zaterdag 16:00", local(2026, 11, 28, 16, 0)),  # today, still ahead
        ("zaterdag 12:00", local(2026, 12, 5, 12, 0)),  # today has passed: next week
        ("friday 12:00", local(2026, 12, 4, 12, 0)),
        ("2026-12-01 14:00", local(2026, 12, 1, 14, 0)),
        ("tot vrijdag 12:00", local(2026, 12, 4, 12, 0)),
        ("tot nader bericht", UNTIL_FURTHER_NOTICE),
        ("until further notice", UNTIL_FURTHER_NOTICE),
    ],
)
def test_until_values(catalogue: Catalogue, text: str, expected: int) -> None:
    c = call(catalogue, "boil-water", "area=Houten", f"until={text}")
    assert c.values[1] == expected


def test_summer_time_is_utc_plus_two(catalogue: Catalogue) -> None:
    c = call(catalogue, "fuel-delivery", "when=14:00", now=SUMMER)
    assert c.values == (local(2026, 6, 27, 14, 0, utc_offset=2),)
    assert "zaterdag 27 juni 14:00" in render_call(catalogue, c, "nl").body


def test_until_further_notice_renders_per_language(catalogue: Catalogue) -> None:
    c = call(catalogue, "shelter-in-place", "area=Lage Weide", "until=tot nader bericht")
    assert c.values[0] == Place(text="Lage Weide")  # not in the gazetteer: free text
    assert render_call(catalogue, c, "nl").body.endswith("Dit geldt tot nader bericht.")
    assert render_call(catalogue, c, "en").body.endswith("This applies until further notice.")


def test_every_type_renders(catalogue: Catalogue) -> None:
    c = call(
        catalogue,
        "water-distribution",
        "area=utrecht",  # gazetteer lookup ignores case
        "location=sporthal De Vliert, Pythagoraslaan 2",
        "opens=10:00",
        "closes=16:30",
        "litres=1500",
    )
    nl = render_call(catalogue, c, "nl")
    assert nl.headline == "Drinkwater Utrecht"
    assert "bij sporthal De Vliert, Pythagoraslaan 2, dagelijks van 10:00 tot 16:30" in nl.body
    assert "Maximaal 1.500 liter" in nl.body
    assert "At most 1,500 litres" in render_call(catalogue, c, "en").body


def test_text_starting_with_a_parameter_is_capitalised(catalogue: Catalogue) -> None:
    c = call(catalogue, "road-closure", "road=de A12", "detour=A2 en A27", "until=morgen 18:00")
    assert render_call(catalogue, c, "nl").body.startswith("De A12 is afgesloten tot zondag")


@pytest.mark.parametrize("lang", ["ar", "tr", "pl", "uk", "xx"])
def test_missing_language_falls_back_to_dutch(catalogue: Catalogue, lang: str) -> None:
    c = call(catalogue, "all-clear", "area=Zeist")
    rendered = render_call(catalogue, c, lang)
    assert rendered.lang == "nl"
    assert rendered == render_call(catalogue, c, "nl")


def test_every_template_renders_in_every_language(catalogue: Catalogue) -> None:
    samples = {
        "area": "Nieuwegein",
        "until": "vrijdag 12:00",
        "assembly": "station Culemborg",
        "start": "14:00",
        "restore": "tot nader bericht",
        "next_update": "morgen 09:00",
        "point": "Overvecht (wijkcentrum De Dreef)",
        "opens": "08:00",
        "closes": "20:00",
        "location": "Jaarbeurs hal 7",
        "litres": "6",
        "road": "De A27",
        "detour": "de N237",
        "when": "16:00",
        "deadline": "18:00",
    }
    for template in catalogue:
        pairs = [f"{p.name}={samples[p.name]}" for p in template.params]
        c = parse_call(template, split_params(pairs), NOW)
        for lang in ("nl", "en"):
            rendered = render_call(catalogue, c, lang)
            assert "{" not in rendered.headline + rendered.body
            assert rendered.lang == lang


# --- errors name the parameter ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "pairs", "key", "words"),
    [
        ("boil-water", ["area=Houten"], "until", "missing"),
        ("boil-water", ["area=Houten", "until=12:00", "colour=red"], "colour", "not a parameter"),
        ("boil-water", ["area=Houten", "until=volgende week"], "until", "not a time"),
        ("boil-water", ["area=Houten", "until=blauwdag 12:00"], "until", "not a day"),
        ("boil-water", ["area=Houten", "until=25:00"], "until", "no such time"),
        ("boil-water", ["area=Houten", "until=2026-02-30 12:00"], "until", "no such date"),
        ("boil-water", ["area=Houten", "until=2026-11-01 12:00"], "until", "in the past"),
        ("boil-water", ["area=  ", "until=12:00"], "area", "empty"),
        ("evacuation", ["area=Vianen", "assembly=x", "start=tot nader bericht"], "start", "cannot"),
        ("evacuation", ["area=Vianen", "assembly=" + "x" * 81, "start=14:00"], "assembly", "80"),
        ("support-point-hours", ["point=X", "opens=8 uur", "closes=20:00"], "opens", "time of day"),
        ("water-distribution", ["area=A", "location=B", "opens=10:00", "closes=16:00",
                                "litres=veel"], "litres", "whole number"),
        ("water-distribution", ["area=A", "location=B", "opens=10:00", "closes=16:00",
                                "litres=-3"], "litres", "whole number"),
    ],
)  # fmt: skip
def test_parameter_errors(
    catalogue: Catalogue, name: str, pairs: list[str], key: str, words: str
) -> None:
    with pytest.raises(TemplateParamError) as info:
        call(catalogue, name, *pairs)
    assert info.value.key == key
    assert str(info.value).startswith(f"{key}: ")
    assert words in str(info.value)
    assert isinstance(info.value, ConfigError)


@pytest.mark.parametrize("pairs", [["area"], ["=Houten"], ["area=A", "area=B"]])
def test_malformed_pairs(pairs: list[str]) -> None:
    with pytest.raises(TemplateParamError):
        split_params(pairs)


def test_unknown_template_lists_the_known_ones(catalogue: Catalogue) -> None:
    with pytest.raises(TemplateError, match="boil-water"):
        catalogue.find("boil-watr")
    assert catalogue.find("1").name == "boil-water"
    assert catalogue.find(" Boil-Water ").code == 1
