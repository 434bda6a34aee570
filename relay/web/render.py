"""Bulletin text for a screen in one language: the one place templates are rendered.

A free-text bulletin carries its own languages (Dutch, often English); a template
bulletin carries a code and values, rendered here in any language the template
catalogue knows (``relay.wire.render``); a code from a newer catalogue is shown as a
message this device cannot display yet, never hidden.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from relay.wire import render as wire_render
from relay.wire.model import Bulletin
from relay.wire.templates import TEXTS

DEFAULT_LANG = "nl"
#: Languages every screen offers, before those of the templates and the bulletins.
BASE_LANGS = ("nl", "en")
#: Names of languages as their speakers write them (for the language switch).
ENDONYMS = {
    "nl": "Nederlands",
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "ar": "العربية",
    "tr": "Türkçe",
    "pl": "Polski",
    "uk": "Українська",
    "ro": "Română",
    "fy": "Frysk",
}
RTL_LANGS = frozenset({"ar", "fa", "he", "ur", "ps", "ckb"})
_LANG_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
#: C0 and C1 control characters and DEL, except newline (a body's paragraphs): a signed
#: text may carry them (the signature proves who, not what is printable), and a screen
#: would show them as boxes or, in a terminal, obey them.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` without control characters (newlines kept)."""
    return _CONTROL.sub("", text)


@dataclass(frozen=True, slots=True)
class Rendered:
    #: The language the text is actually in (may differ from the one asked for).
    lang: str
    headline: str
    body: str

    @property
    def direction(self) -> str:
        return text_direction(self.lang)


def valid_lang(tag: str) -> bool:
    return bool(_LANG_TAG.match(tag)) and len(tag) <= 35


def text_direction(lang: str) -> str:
    return "rtl" if lang.split("-", maxsplit=1)[0] in RTL_LANGS else "ltr"


def language_name(lang: str) -> str:
    return ENDONYMS.get(lang, ENDONYMS.get(lang.split("-", maxsplit=1)[0], lang))


def template_languages() -> tuple[str, ...]:
    """Languages the template catalogue can render."""
    return tuple(TEXTS)


def _render_template(bulletin: Bulletin, lang: str, issued: int) -> Rendered:
    """A template bulletin in ``lang`` (the catalogue's renderer, with its fallbacks)."""
    text = wire_render.render(bulletin, issued, lang)
    return Rendered(text.lang, text.headline, text.body)


def render_bulletin(bulletin: Bulletin, lang: str, issued: int) -> Rendered:
    """Headline and body of ``bulletin`` (signed at hub time ``issued``) for a reader
    of ``lang``.

    Free text falls back to Dutch, then to the first language it has; the result
    says which language it is in, so the screen can mark it and set its direction.
    """
    if bulletin.template is not None:
        shown = _render_template(bulletin, lang, issued)
    else:
        text = bulletin.text_for(lang)
        assert text is not None  # a bulletin without a template has texts
        shown = Rendered(text.lang or DEFAULT_LANG, text.headline, text.body)
    return Rendered(shown.lang, printable(shown.headline), printable(shown.body))


def languages(bulletins: list[Bulletin]) -> list[str]:
    """What the language switch offers: Dutch, English, the templates' languages and
    every language one of ``bulletins`` is written in."""
    seen: dict[str, None] = dict.fromkeys(BASE_LANGS)
    seen.update(dict.fromkeys(template_languages()))
    for b in bulletins:
        for t in b.texts:
            if valid_lang(t.lang):
                seen[t.lang] = None
    return list(seen)
