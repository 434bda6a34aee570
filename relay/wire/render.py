"""A bulletin as people read it, in their language: its own texts or a rendered template.

One place for both kinds, used by ``relay check``, the daemon's views and the screens.
A template from a newer catalogue than ours is shown as such, never dropped.
"""

from __future__ import annotations

from relay.errors import RelayError
from relay.wire.model import Bulletin, LocalizedText
from relay.wire.templates import TEXTS, Catalogue, WireCall, from_wire, render_call

DEFAULT_LANG = "nl"
_CATALOGUE = Catalogue()

_UNKNOWN = {
    "nl": (
        "Bericht van de veiligheidsregio",
        "Dit bericht (sjabloon {code}) kan dit apparaat nog niet tonen. Vraag om een update.",
    ),
    "en": (
        "Message from the safety region",
        "This device cannot show this message (template {code}) yet. Ask for an update.",
    ),
}


def languages(b: Bulletin) -> list[str]:
    """Languages this bulletin can be read in (Dutch first)."""
    if b.template is None:
        return [t.lang for t in b.texts]
    template = _CATALOGUE.by_code.get(b.template.code)
    if template is None:
        return [DEFAULT_LANG]
    langs = [lang for lang, texts in TEXTS.items() if template.name in texts]
    return sorted(langs, key=lambda lang: (lang != DEFAULT_LANG, lang))


def render(b: Bulletin, issued: int, lang: str = DEFAULT_LANG) -> LocalizedText:
    """Headline and body in ``lang`` (or Dutch, or the first language the bulletin has)."""
    if b.template is None:
        text = b.text_for(lang)
        assert text is not None  # a text bulletin has at least one text
        return text
    wire = WireCall(b.template.code, b.template.numbers, b.template.texts)
    try:
        call = from_wire(_CATALOGUE, wire, reference=issued)
        rendered = render_call(_CATALOGUE, call, lang)
    except RelayError:
        lang = lang if lang in _UNKNOWN else DEFAULT_LANG
        headline, body = _UNKNOWN[lang]
        return LocalizedText(lang, headline, body.format(code=b.template.code))
    return LocalizedText(rendered.lang, rendered.headline, rendered.body)
