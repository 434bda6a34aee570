"""The compose form: every bad input names its field; good input becomes the bulletin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from relay.web.compose import ComposeError, parse_form
from relay.web.render import render_bulletin
from relay.wire import hubtime
from relay.wire import model as m

GOOD: dict[str, Any] = {
    "type": "alert",
    "mode": "text",
    "texts": [
        {"lang": "nl", "headline": "Kookadvies", "body": "Kook water"},
        {"lang": "en", "headline": "", "body": ""},  # empty: not sent
        {"lang": "ar", "headline": "", "body": "اغلي الماء"},
    ],
    "urgency": "immediate",
    "severity": "severe",
    "certainty": "observed",
    "expires_in_min": "90",
    "target": {"points": "3, 5", "groups": "west, oost"},
}


def test_a_good_form_becomes_the_bulletin() -> None:
    b = parse_form(GOOD, 60_000_000)
    assert [t.lang for t in b.texts] == ["nl", "ar"]
    assert b.urgency is m.Urgency.IMMEDIATE and b.severity is m.Severity.SEVERE
    assert b.certainty is m.Certainty.OBSERVED and b.expires_in_min == 90
    assert b.target == m.Target(points=(3, 5), groups=("west", "oost"))
    assert render_bulletin(b, "en", 0).lang == "nl"  # no English: Dutch
    assert render_bulletin(b, "ar", 0).direction == "rtl"


def test_templates_by_name_with_typed_parameters() -> None:
    now = hubtime.from_datetime(datetime(2026, 11, 28, 15, 0, tzinfo=UTC))
    b = parse_form(
        {
            "type": "update",
            "references": "4",
            "mode": "template",
            "urgency": "expected",
            "severity": "moderate",
            "certainty": "likely",
            "template": {
                "name": "boil-water",
                "params": {"area": "Houten", "until": "vrijdag 12:00"},
            },
        },
        now,
    )
    assert b.type is m.MsgType.UPDATE and b.references == (4,)
    assert b.template is not None and b.template.code == 1
    text = render_bulletin(b, "en", now)
    assert text.headline == "Boil water advice for Houten"
    assert "Friday 4 December 12:00" in text.body
    nl = render_bulletin(b, "nl", now)
    assert "vrijdag 4 december 12:00" in nl.body


def test_template_parameter_errors_name_the_parameter() -> None:
    form = {
        **GOOD,
        "mode": "template",
        "template": {"name": "evacuation", "params": {"area": "Vianen"}},
    }
    with pytest.raises(ComposeError) as info:
        parse_form(form, 60_000_000)
    assert info.value.field == "template.params.assembly"
    with pytest.raises(ComposeError) as info:
        parse_form({**GOOD, "mode": "template", "template": {"name": "tea-time"}}, 60_000_000)
    assert info.value.field == "template.name"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"texts": []}, "texts"),
        ({"texts": "nope"}, "texts"),
        ({"texts": [{"lang": "<b>", "body": "x"}]}, "texts[0]"),
        ({"texts": [{"lang": "nl", "headline": "x" * 121}]}, "texts[0].headline"),
        ({"texts": [{"lang": "nl", "body": "x" * 1001}]}, "texts[0].body"),
        ({"texts": [{"lang": "nl", "body": "a"}, {"lang": "nl", "body": "b"}]}, "texts"),
        ({"type": "update"}, "references"),
        ({"type": "retract"}, "type"),
        ({"references": "twelve"}, "references"),
        ({"urgency": "soonish"}, "urgency"),
        # Nothing the operator did not choose goes out: no level has a default.
        ({"urgency": ""}, "urgency"),
        ({"urgency": None}, "urgency"),
        ({"severity": ""}, "severity"),
        ({"certainty": ""}, "certainty"),
        ({"expires_in_min": "-1"}, "expires_in_min"),
        ({"expires_in_min": "lots"}, "expires_in_min"),
        ({"target": {"points": "0"}}, "target.points"),
        ({"target": {"groups": 5}}, "target.groups"),  # was an HTTP 500 (issue 14 item 7)
        ({"target": {"groups": [1, 2]}}, "target.groups"),
        ({"target": {"groups": "x" * 33}}, "target.groups"),
        ({"target": "everyone"}, "target"),
        ({"mode": "template"}, "template.name"),
        ({"mode": "template", "template": {"code": "x"}}, "template.name"),
        ({"mode": "template", "template": {"name": "all-clear", "params": "a"}}, "template.params"),
    ],
)
def test_bad_input_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ComposeError) as err:
        parse_form({**GOOD, **change}, 60_000_000)
    assert err.value.field == field
    assert str(err.value).startswith(f"{field}: ")


def test_not_an_object() -> None:
    with pytest.raises(ComposeError, match="form: send a JSON object"):
        parse_form(["a list"], 60_000_000)
