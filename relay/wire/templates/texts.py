"""Template texts per language: (headline, body) with ``{parameter}`` placeholders.

Every text of a language uses every parameter of its template (tests check this).
Dutch and English only: translations into Arabic, Turkish, Polish and Ukrainian belong
here once a native speaker has checked them; until then the renderer falls back to
Dutch, because a wrong instruction in a crisis is worse than a missing one.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_NL = {
    "boil-water": (
        "Kookadvies voor {area}",
        "Kook leidingwater in {area} minimaal 1 minuut voordat u het drinkt, er eten mee "
        "bereidt of uw tanden poetst. Gebruik voor zuigelingen flessenwater. "
        "Dit advies geldt {until}.",
    ),
    "evacuation": (
        "Evacuatie {area}",
        "Iedereen in {area} moet het gebied verlaten, uiterlijk {start}. Verzamelpunt: "
        "{assembly}. Neem medicijnen, identiteitsbewijs, telefoon en oplader mee. Kunt u "
        "niet zelf vertrekken? Meld dit bij het noodsteunpunt.",
    ),
    "shelter-in-place": (
        "Blijf binnen: {area}",
        "Ga in {area} naar binnen. Sluit ramen en deuren en zet ventilatie uit. Dit geldt {until}.",
    ),
    "power-outage": (
        "Stroomstoring {area}",
        "De stroomstoring in {area} duurt naar verwachting {restore}. "
        "Volgende update: {next_update}.",
    ),
    "support-point-hours": (
        "Noodsteunpunt {point}",
        "Noodsteunpunt {point} is dagelijks open van {opens} tot {closes}. U kunt er "
        "terecht voor drinkwater, informatie, eerste hulp, het opladen van telefoons en "
        "het melden van noodgevallen.",
    ),
    "water-distribution": (
        "Drinkwater {area}",
        "In {area} wordt drinkwater uitgedeeld bij {location}, dagelijks van {opens} tot "
        "{closes}. Maximaal {litres} liter per persoon per dag. Neem eigen flessen of "
        "jerrycans mee.",
    ),
    "all-clear": (
        "Einde waarschuwing {area}",
        "Het gevaar in {area} is voorbij. Eerdere adviezen voor dit gebied vervallen.",
    ),
    "road-closure": (
        "Afgesloten: {road}",
        "{road} is afgesloten {until}. Volg de omleiding via {detour}. Houd de weg vrij "
        "voor hulpdiensten.",
    ),
    "reception-centre": (
        "Opvang voor inwoners van {area}",
        "Wie in {area} niet thuis kan blijven, kan terecht in {location}. Er zijn bedden "
        "en maaltijden. Meld u bij aankomst bij de registratiebalie.",
    ),
    "fuel-delivery": (
        "Levering brandstof",
        "Brandstof voor de aggregaten wordt op {when} geleverd bij alle noodsteunpunten. "
        "Zorg dat de tank bereikbaar is.",
    ),
    "status-request": (
        "Statusverzoek",
        "Alle noodsteunpunten: stuur uiterlijk {deadline} een statusrapport met het aantal "
        "bezoekers, de voorraad drinkwater en brandstof, en hulpvragen.",
    ),
}

_EN = {
    "boil-water": (
        "Boil water advice for {area}",
        "In {area}, boil tap water for at least 1 minute before drinking it, cooking with "
        "it or brushing your teeth. Use bottled water for infants. "
        "This advice applies {until}.",
    ),
    "evacuation": (
        "Evacuation of {area}",
        "Everyone in {area} must leave the area by {start}. Assembly point: {assembly}. "
        "Take medicines, identity documents, your phone and a charger. If you cannot "
        "leave on your own, report to the emergency support point.",
    ),
    "shelter-in-place": (
        "Stay indoors: {area}",
        "In {area}, go inside. Close windows and doors and turn off ventilation. "
        "This applies {until}.",
    ),
    "power-outage": (
        "Power outage in {area}",
        "The power outage in {area} is expected to last {restore}. Next update: {next_update}.",
    ),
    "support-point-hours": (
        "Emergency support point {point}",
        "Emergency support point {point} is open daily from {opens} to {closes}. Go there "
        "for drinking water, information, first aid, charging phones and reporting "
        "emergencies.",
    ),
    "water-distribution": (
        "Drinking water in {area}",
        "In {area}, drinking water is handed out at {location}, daily from {opens} to "
        "{closes}. At most {litres} litres per person per day. Bring your own bottles or "
        "jerrycans.",
    ),
    "all-clear": (
        "All clear for {area}",
        "The danger in {area} is over. Earlier advice for this area no longer applies.",
    ),
    "road-closure": (
        "Closed: {road}",
        "{road} is closed {until}. Follow the diversion via {detour}. Keep the road clear "
        "for emergency services.",
    ),
    "reception-centre": (
        "Shelter for residents of {area}",
        "If you cannot stay at home in {area}, go to {location}. There are beds and "
        "meals. Register at the desk when you arrive.",
    ),
    "fuel-delivery": (
        "Fuel delivery",
        "Fuel for the generators will be delivered to all emergency support points on "
        "{when}. Make sure the tank can be reached.",
    ),
    "status-request": (
        "Status request",
        "All emergency support points: send a status report by {deadline} with the number "
        "of visitors, stocks of drinking water and fuel, and requests for help.",
    ),
}

DEFAULT_LANG = "nl"
#: language -> template name -> (headline, body).
TEXTS: Mapping[str, Mapping[str, tuple[str, str]]] = MappingProxyType(
    {"nl": MappingProxyType(_NL), "en": MappingProxyType(_EN)}
)
