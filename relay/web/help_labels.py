"""The screens' words for help requests (issue 7), Dutch and English.

Kept apart from :mod:`relay.web.i18n` and served on their own (``/web/help-ui.json``)
because only logged-in staff and the hub's operators see help requests: the public
kiosk never loads them, so its page stays small and says nothing about help.
Other languages get the English labels (staff and operators work in Dutch or English).
"""

from __future__ import annotations

from relay.wire.help import MAX_LOCATION, MAX_NAME, MAX_PEOPLE, MAX_REPLY, MAX_TEXT

HELP_LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Hulpvragen",
        "ask": "Hulp vragen",
        "form_title": "Hulpvraag aan de meldkamer",
        "type": "Soort hulp",
        "urgency": "Urgentie",
        "people": "Aantal personen",
        "location": "Locatie (adres of omschrijving vanaf dit punt)",
        "text": "Wat is er aan de hand?",
        "handler": "Wie handelt het hier af?",
        "send": "Hulpvraag versturen",
        "cancel": "Annuleren",
        "less": "één minder",
        "more": "één meer",
        "chars_left": "nog {n} tekens",
        "sent_ok": "Hulpvraag {id} opgeslagen ({size} bytes, {frames} radioframe). "
        "Hij gaat met voorrang naar de hub.",
        "none_open": "Geen open hulpvragen.",
        "age": "{minutes} min geleden",
        "age_s": "{seconds} s geleden",
        "people_n": "personen: {n}",
        "reply": "Antwoord",
        "operator": "Naam operator",
        "erased": "Persoonsgegevens verwijderd (bewaartermijn voorbij).",
        "details_error": "Persoonlijke gegevens niet leesbaar: {error}",
        "type.medical": "Medisch",
        "type.fire": "Brand",
        "type.vulnerable_person": "Kwetsbare persoon (stroom, zorg)",
        "type.missing_person": "Vermiste persoon",
        "type.public_order": "Openbare orde",
        "type.other": "Anders",
        "urgency.life_threatening": "Levensbedreigend",
        "urgency.urgent": "Dringend",
        "urgency.not_urgent": "Niet dringend",
        "urgency.unknown": "Onbekend",
        "state.queued": "In de wachtrij",
        "state.sent": "Verzonden",
        "state.received": "Ontvangen door de hub",
        "state.acknowledged": "Bevestigd door de meldkamer",
        "state.answered": "Beantwoord",
        "state.closed": "Afgesloten",
        # the hub's dashboard
        "alarm": "NIEUWE HULPVRAAG",
        "open_n": "Open hulpvragen: {n}",
        "closed_n": "Afgesloten hulpvragen: {n}",
        "ack": "Bevestigen",
        "send_reply": "Antwoord sturen",
        "close": "Afsluiten",
        "reply_hint": "Kort antwoord aan het punt (max. 160 tekens)",
        "sound_off": "Alarmgeluid staat UIT: klik ergens op deze pagina om het aan te zetten.",
        "sound_on": "Alarmgeluid aan.",
        "sound_none": "Deze browser kan geen alarmgeluid maken.",
        "export": "Exporteren:",
        "point": "Punt",
        "delivered": "punt is op de hoogte",
        "undelivered": "nog onderweg naar het punt",
        "handled_by": "Bij het punt: {name}",
        "reply_by": "Antwoord van {name}:",
    },
    "en": {
        "title": "Help requests",
        "ask": "Ask for help",
        "form_title": "Help request to the control room",
        "type": "Kind of help",
        "urgency": "Urgency",
        "people": "Number of people",
        "location": "Location (address or description from this point)",
        "text": "What is going on?",
        "handler": "Who handles it here?",
        "send": "Send help request",
        "cancel": "Cancel",
        "less": "one fewer",
        "more": "one more",
        "chars_left": "{n} characters left",
        "sent_ok": "Help request {id} saved ({size} bytes, {frames} radio frame). "
        "It goes to the hub ahead of everything else.",
        "none_open": "No open help requests.",
        "age": "{minutes} min ago",
        "age_s": "{seconds} s ago",
        "people_n": "people: {n}",
        "reply": "Reply",
        "operator": "Operator name",
        "erased": "Personal data removed (retention period over).",
        "details_error": "Personal details unreadable: {error}",
        "type.medical": "Medical",
        "type.fire": "Fire",
        "type.vulnerable_person": "Vulnerable person (power, care)",
        "type.missing_person": "Missing person",
        "type.public_order": "Public order",
        "type.other": "Other",
        "urgency.life_threatening": "Life-threatening",
        "urgency.urgent": "Urgent",
        "urgency.not_urgent": "Not urgent",
        "urgency.unknown": "Unknown",
        "state.queued": "Queued",
        "state.sent": "Sent",
        "state.received": "Received by the hub",
        "state.acknowledged": "Acknowledged by the control room",
        "state.answered": "Answered",
        "state.closed": "Closed",
        "alarm": "NEW HELP REQUEST",
        "open_n": "Open help requests: {n}",
        "closed_n": "Closed help requests: {n}",
        "ack": "Acknowledge",
        "send_reply": "Send reply",
        "close": "Close",
        "reply_hint": "Short reply to the point (at most 160 characters)",
        "sound_off": "Alarm sound is OFF: click anywhere on this page to turn it on.",
        "sound_on": "Alarm sound on.",
        "sound_none": "This browser cannot make an alarm sound.",
        "export": "Export:",
        "point": "Point",
        "delivered": "point informed",
        "undelivered": "still on its way to the point",
        "handled_by": "At the point: {name}",
        "reply_by": "Reply from {name}:",
    },
}

#: The order a request moves through, as the step line on the kiosk shows it.
STEPS = ("queued", "sent", "received", "acknowledged", "answered", "closed")
TYPES = ("medical", "fire", "vulnerable_person", "missing_person", "public_order", "other")
URGENCIES = ("life_threatening", "urgent", "not_urgent", "unknown")


def help_labels(lang: str) -> dict[str, str]:
    """Every help label in ``lang`` (English where that language has none)."""
    own = HELP_LABELS.get(lang) or HELP_LABELS.get(lang.split("-", maxsplit=1)[0], {})
    return {**HELP_LABELS["en"], **own}


def help_ui(lang: str) -> dict[str, object]:
    """What the help scripts need: labels, the step order and the choices."""
    return {
        "lang": lang,
        "ui": help_labels(lang),
        "steps": list(STEPS),
        "types": list(TYPES),
        "urgencies": list(URGENCIES),
        "limits": {
            "location": MAX_LOCATION,
            "text": MAX_TEXT,
            "handler": MAX_NAME,
            "operator": MAX_NAME,
            "reply": MAX_REPLY,
            "people": MAX_PEOPLE,
        },
    }
