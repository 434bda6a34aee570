"""Bulletins out as CAP 1.2: the structure CAP 1.2 prescribes, and a round trip through
our own CAP import (relay/wire/cap.py) that gives the same bulletin back."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from relay.errors import CapError
from relay.wire import envelope, render
from relay.wire import model as m
from relay.wire.cap import NS, parse_cap, to_bulletin
from relay.wire.cap_export import SIGNED_PARAMETER, CapContext, cap_time, identifier, to_cap
from relay.wire.templates.places import place_code
from relay.wire.trust import Verifier
from tests.wire.conftest import NOW, Region

Q = f"{{{NS}}}"

# The element order and multiplicity of CAP 1.2 (OASIS CAP v1.2, section 3.2 and its
# XML schema): (name, minimum, maximum) in sequence; None = unbounded.
ALERT = [
    ("identifier", 1, 1),
    ("sender", 1, 1),
    ("sent", 1, 1),
    ("status", 1, 1),
    ("msgType", 1, 1),
    ("source", 0, 1),
    ("scope", 1, 1),
    ("restriction", 0, 1),
    ("addresses", 0, 1),
    ("code", 0, None),
    ("note", 0, 1),
    ("references", 0, 1),
    ("incidents", 0, 1),
    ("info", 0, None),
]
INFO = [
    ("language", 0, 1),
    ("category", 1, None),
    ("event", 1, 1),
    ("responseType", 0, None),
    ("urgency", 1, 1),
    ("severity", 1, 1),
    ("certainty", 1, 1),
    ("audience", 0, 1),
    ("eventCode", 0, None),
    ("effective", 0, 1),
    ("onset", 0, 1),
    ("expires", 0, 1),
    ("senderName", 0, 1),
    ("headline", 0, 1),
    ("description", 0, 1),
    ("instruction", 0, 1),
    ("web", 0, 1),
    ("contact", 0, 1),
    ("parameter", 0, None),
    ("resource", 0, None),
    ("area", 0, None),
]
AREA = [
    ("areaDesc", 1, 1),
    ("polygon", 0, None),
    ("circle", 0, None),
    ("geocode", 0, None),
    ("altitude", 0, 1),
    ("ceiling", 0, 1),
]
VALUES = {
    "status": {"Actual", "Exercise", "System", "Test", "Draft"},
    "msgType": {"Alert", "Update", "Cancel", "Ack", "Error"},
    "scope": {"Public", "Restricted", "Private"},
    "category": {
        "Geo",
        "Met",
        "Safety",
        "Security",
        "Rescue",
        "Fire",
        "Health",
        "Env",
        "Transport",
        "Infra",
        "CBRNE",
        "Other",
    },
    "urgency": {"Immediate", "Expected", "Future", "Past", "Unknown"},
    "severity": {"Extreme", "Severe", "Moderate", "Minor", "Unknown"},
    "certainty": {"Observed", "Likely", "Possible", "Unlikely", "Unknown"},
}
TIMES = {"sent", "effective", "onset", "expires"}


def check_sequence(el: ET.Element, spec: list[tuple[str, int, int | None]]) -> None:
    """``el``'s children follow ``spec``: in order, each as often as allowed."""
    names = [c.tag.removeprefix(Q) for c in el]
    assert all(c.tag.startswith(Q) for c in el), names
    i = 0
    for name, low, high in spec:
        count = 0
        while i < len(names) and names[i] == name:
            count += 1
            i += 1
        assert count >= low, f"{el.tag}: {name} missing"
        assert high is None or count <= high, f"{el.tag}: {name} more than {high} times"
    assert i == len(names), f"{el.tag}: unexpected or misplaced {names[i:]}"
    for child in el:
        name = child.tag.removeprefix(Q)
        if name in VALUES:
            assert child.text in VALUES[name], f"{name} {child.text!r}"
        if name in TIMES:
            # CAP dateTime: no fractional seconds, an explicit offset, never "Z".
            text = child.text or ""
            assert len(text) == 25 and text[19] in "+-" and "Z" not in text, text


def check_cap12(xml: bytes) -> ET.Element:
    root = ET.fromstring(xml)
    assert root.tag == Q + "alert"
    check_sequence(root, ALERT)
    for info in root.findall(Q + "info"):
        check_sequence(info, INFO)
        for area in info.findall(Q + "area"):
            check_sequence(area, AREA)
    for tag in ("identifier", "sender"):
        value = root.findtext(Q + tag) or ""
        assert value and not set(value) & set(" ,<&"), f"{tag} {value!r}"
    return root


def sign(region: Region, seq: int, b: m.Bulletin) -> m.SignedMessage:
    return envelope.sign(region.hub, seq, NOW, b)


def back(xml: bytes, key_id: int) -> m.Bulletin:
    """Our CAP import, resolving identifiers we exported."""

    def resolve(ident: str) -> int | None:
        prefix = identifier(key_id, 0)[:-1]
        return int(ident.removeprefix(prefix)) if ident.startswith(prefix) else None

    return to_bulletin(parse_cap(xml), NOW, lambda b: True, resolve).bulletin


FULL = m.Bulletin(
    texts=(
        m.LocalizedText("nl", "Grote brand", "Blijf binnen, sluit ramen en deuren."),
        m.LocalizedText("en", "Major fire", "Stay indoors, close windows and doors."),
    ),
    urgency=m.Urgency.IMMEDIATE,
    severity=m.Severity.SEVERE,
    certainty=m.Certainty.OBSERVED,
    categories=m.Category.FIRE | m.Category.ENV,
    expires_in_min=180,
)


@pytest.mark.parametrize(
    "bulletin",
    [
        FULL,
        replace(FULL, status=m.AlertStatus.EXERCISE),
        replace(FULL, status=m.AlertStatus.TEST, expires_in_min=0),
        replace(FULL, type=m.MsgType.UPDATE, references=(3,)),
        replace(FULL, type=m.MsgType.CANCEL, references=(3, 4)),
        m.Bulletin(texts=(m.LocalizedText("nl", "", "Drinkwater bij sporthal De Vliert"),)),
    ],
    ids=["alert", "exercise", "test", "update", "cancel", "bare"],
)
def test_round_trip_gives_the_same_bulletin(region: Region, bulletin: m.Bulletin) -> None:
    msg = sign(region, 7, bulletin)
    xml = to_cap(msg, CapContext("hub-utrecht"))
    check_cap12(xml)
    # CAP needs a category: none set goes out (and comes back) as Other.
    expected = replace(bulletin, categories=bulletin.categories or m.Category.OTHER)
    assert back(xml, msg.envelope.key_id) == expected


def test_exercise_is_status_exercise_and_references_name_what_they_update(
    region: Region,
) -> None:
    first = sign(region, 3, FULL)
    update = sign(region, 4, replace(FULL, type=m.MsgType.UPDATE, references=(3,)))
    update = replace(update, envelope=replace(update.envelope, time=NOW + 600))
    ctx = CapContext("hub-utrecht", sent_of={3: NOW}.get)
    root = check_cap12(to_cap(update, ctx))
    ref = root.findtext(Q + "references")
    assert ref == (
        f"noodrelay-{region.hub.key_id:08x},{identifier(region.hub.key_id, 3)}," + cap_time(NOW)
    )
    assert root.findtext(Q + "sent") == cap_time(NOW + 600)
    first_id = ET.fromstring(to_cap(first, ctx)).findtext(Q + "identifier") or "?"
    assert first_id in (ref or "")
    exercise = sign(region, 5, replace(FULL, status=m.AlertStatus.EXERCISE))
    assert ET.fromstring(to_cap(exercise, ctx)).findtext(Q + "status") == "Exercise"


def test_area_goes_into_every_info_and_the_import_keeps_it(region: Region) -> None:
    msg = sign(region, 7, FULL)
    xml = to_cap(msg, CapContext("hub-utrecht", area="Veiligheidsregio Utrecht"))
    root = check_cap12(xml)
    areas = [i.findtext(f"{Q}area/{Q}areaDesc") for i in root.findall(Q + "info")]
    assert areas == ["Veiligheidsregio Utrecht"] * 2
    nl = back(xml, msg.envelope.key_id).texts[0]
    assert nl.body == FULL.texts[0].body + " Gebied: Veiligheidsregio Utrecht."


def test_targeted_bulletin_is_restricted_and_says_to_whom(region: Region) -> None:
    b = replace(FULL, target=m.Target(points=(3, 17), groups=("zorg",)))
    root = check_cap12(to_cap(sign(region, 7, b), CapContext("hub-utrecht")))
    assert root.findtext(Q + "scope") == "Restricted"
    assert root.findtext(Q + "restriction") == "support points 3, 17; groups zorg"


def test_template_bulletin_is_rendered_in_each_of_its_languages(region: Region) -> None:
    # boil-water (template 1) for Houten, until further notice
    call = m.TemplateValues(code=1, numbers=(place_code("Houten"), 0))
    b = m.Bulletin(template=call, urgency=m.Urgency.EXPECTED, categories=m.Category.HEALTH)
    msg = sign(region, 7, b)
    xml = to_cap(msg, CapContext("hub"))
    check_cap12(xml)
    texts = tuple(render.render(b, NOW, lang) for lang in render.languages(b))
    assert len(texts) >= 2
    assert back(xml, msg.envelope.key_id) == replace(b, template=None, texts=texts)


def test_signed_bytes_ride_along_and_still_verify(region: Region) -> None:
    msg = sign(region, 7, FULL)
    root = ET.fromstring(to_cap(msg, CapContext("hub-utrecht")))
    values = {
        p.findtext(Q + "value")
        for p in root.iter(Q + "parameter")
        if p.findtext(Q + "valueName") == SIGNED_PARAMETER
    }
    (value,) = values
    raw = base64.b64decode(value or "")
    assert raw == msg.raw
    verified = Verifier(region.keyring()).verify(raw, now=NOW)
    assert verified.message.envelope.seq == 7


def test_hostile_text_stays_text(region: Region) -> None:
    b = m.Bulletin(
        texts=(m.LocalizedText("nl", "<b>&amp;", "]]></description><x>"),),
        categories=m.Category.SAFETY,
    )
    xml = to_cap(sign(region, 7, b), CapContext("<hub & co>"))
    check_cap12(xml)
    assert back(xml, region.hub.key_id) == b


def test_only_bulletins_become_alerts(region: Region) -> None:
    with pytest.raises(CapError, match="only bulletins"):
        to_cap(region.hub_cert, CapContext("hub"))
