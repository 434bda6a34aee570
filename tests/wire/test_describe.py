"""`relay check --json` describes every kind of message (help kinds included)."""

from __future__ import annotations

import json

from hypothesis import given

from relay.wire import describe
from relay.wire import model as m
from tests.wire import strategies as st


@given(st.bodies)
def test_every_body_is_described_as_json(body: m.Body) -> None:
    json.dumps(describe.body(body, 0))


def test_help_request_shows_public_fields_and_only_the_size_of_the_sealed_part() -> None:
    request = m.HelpRequest(99, m.HelpUrgency.URGENT, 3, 0x1A2B3C4D, b"\x01" * 40)
    assert describe.body(request, 0) == {
        "type": "other",
        "type_code": 99,
        "urgency": "urgent",
        "people": 3,
        "to": "1a2b3c4d",
        "sealed_bytes": 40,
    }
    update = m.HelpUpdate(0x1A2B3C4D, 7, m.HelpState.ANSWERED, b"\x02" * 20)
    assert describe.body(update, 0)["request"] == "1a2b3c4d-7"
