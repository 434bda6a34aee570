"""The compose form: every bad input names its field; good input becomes the bulletin."""

from __future__ import annotations

from typing import Any

import pytest

from relay.web.compose import ComposeError, parse_form
from relay.web.render import render_bulletin
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
    b = parse_form(GOOD)
    assert [t.lang for t in b.texts] == ["nl", "ar"]
    assert b.urgency is m.Urgency.IMMEDIATE and b.severity is m.Severity.SEVERE
    assert b.certainty is m.Certainty.OBSERVED and b.expires_in_min == 90
    assert b.target == m.Target(points=(3, 5), groups=("west", "oost"))
    assert render_bulletin(b, "en", 0).lang == "nl"  # no English: Dutch
    assert render_bulletin(b, "ar", 0).direction == "rtl"


def test_templates_and_updates() -> None:
    b = parse_form(
        {
            "type": "update",
            "references": "4",
            "mode": "template",
            "template": {"code": "3", "numbers": "12, 30", "texts": "Houten\nVianen\n"},
        }
    )
    assert b.type is m.MsgType.UPDATE and b.references == (4,)
    assert b.template == m.TemplateValues(3, (12, 30), ("Houten", "Vianen"))
    # Until the catalogue is wired in, a template shows its number and values.
    text = render_bulletin(b, "nl", 0)
    assert text.headline == "Sjabloon 3" and text.body == "12 · 30 · Houten · Vianen"


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
        ({"expires_in_min": "-1"}, "expires_in_min"),
        ({"expires_in_min": "lots"}, "expires_in_min"),
        ({"target": {"points": "0"}}, "target.points"),
        ({"mode": "template"}, "template"),
        ({"mode": "template", "template": {"code": "x"}}, "template.code"),
        ({"mode": "template", "template": {"code": 1, "numbers": "a"}}, "template.numbers"),
    ],
)
def test_bad_input_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ComposeError) as err:
        parse_form({**GOOD, **change})
    assert err.value.field == field
    assert str(err.value).startswith(f"{field}: ")


def test_not_an_object() -> None:
    with pytest.raises(ComposeError, match="form: send a JSON object"):
        parse_form(["a list"])
