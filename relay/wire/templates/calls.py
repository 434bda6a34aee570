"""Template calls: parsed from an operator's ``name=value`` strings, checked, rendered.

Parsing needs a reference hub time (the hub's "now") to resolve ``vrijdag 12:00``;
rendering needs only the call, so a point renders it identically at any later time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from relay.errors import CorruptError
from relay.wire.templates import timefmt
from relay.wire.templates.catalogue import Catalogue
from relay.wire.templates.model import (
    UNTIL_FURTHER_NOTICE,
    Param,
    ParamType,
    Place,
    RenderedText,
    Template,
    TemplateCall,
    TemplateParamError,
    UnknownTemplateError,
    Value,
)
from relay.wire.templates.places import place_code, place_name
from relay.wire.templates.texts import DEFAULT_LANG, TEXTS

#: Longest TEXT or free-text PLACE value in characters: templates are for one frame.
MAX_TEXT_CHARS = 80
#: Numbers (times in seconds, counts, minutes) stay below this.
MAX_NUMBER = 1 << 40
#: Times (hub seconds) stay within a century of the hub epoch: beyond it no calendar
#: library renders them, and no bulletin means them.
MAX_TIME = 100 * 366 * 86400


def split_params(pairs: Iterable[str]) -> dict[str, str]:
    """``["area=Houten", "until=vrijdag 12:00"]`` -> a dict; a malformed pair or a
    repeated name raises :class:`TemplateParamError`."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise TemplateParamError(f"expected NAME=VALUE, got {pair!r}", key="param")
        if name in out:
            raise TemplateParamError("given twice", key=name)
        out[name] = value
    return out


def parse_call(template: Template, params: Mapping[str, str], reference: int) -> TemplateCall:
    """A call of ``template`` from the operator's strings, times relative to ``reference``
    (hub time). Every missing, unknown or malformed parameter raises
    :class:`TemplateParamError` naming it."""
    unknown = sorted(set(params) - {p.name for p in template.params})
    if unknown:
        expected = ", ".join(p.name for p in template.params)
        raise TemplateParamError(
            f"not a parameter of {template.name} (it takes: {expected})", key=unknown[0]
        )
    values: list[Value] = []
    for param in template.params:
        if param.name not in params:
            raise TemplateParamError(f"missing ({param.help})", key=param.name)
        try:
            values.append(_parse_value(param, params[param.name], reference))
        except ValueError as err:
            raise TemplateParamError(str(err), key=param.name) from err
    return TemplateCall(template.code, tuple(values))


def _parse_value(param: Param, text: str, reference: int) -> Value:
    kind = param.type
    if kind is ParamType.TEXT:
        return _text(text)
    if kind is ParamType.PLACE:
        code = place_code(text)
        return Place(code=code) if code else Place(text=_text(text))
    if kind in (ParamType.TIME, ParamType.UNTIL):
        return timefmt.parse_time(text, reference, open_ended=kind is ParamType.UNTIL)
    if kind is ParamType.CLOCK:
        return timefmt.parse_clock(text)
    if kind is ParamType.DURATION:
        return timefmt.parse_duration(text)
    stripped = text.strip()
    if not (stripped.isascii() and stripped.isdigit()) or len(stripped) > 9:
        raise ValueError(f"not a whole number: {stripped!r}")
    return int(stripped)


def _text(text: str) -> str:
    clean = " ".join(text.split())
    if not clean:
        raise ValueError("empty")
    if len(clean) > MAX_TEXT_CHARS:
        raise ValueError(f"longer than {MAX_TEXT_CHARS} characters; use a free-text bulletin")
    return clean


def check_call(template: Template, call: TemplateCall) -> None:
    """Raise :class:`CorruptError` unless ``call`` has a valid value of the right type for
    each parameter of ``template``."""
    if call.code != template.code or len(call.values) != len(template.params):
        raise CorruptError(f"template {template.name} takes {len(template.params)} values")
    for param, value in zip(template.params, call.values, strict=True):
        if not _valid(param.type, value):
            raise CorruptError(f"template {template.name}: bad {param.name} value {value!r}")


def _valid(kind: ParamType, value: Value) -> bool:
    if kind is ParamType.TEXT:
        return isinstance(value, str) and bool(value)
    if kind is ParamType.PLACE:
        return isinstance(value, Place) and (
            place_name(value.code) is not None if value.code else bool(value.text)
        )
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < MAX_NUMBER:
        return False
    rule = _NUMBER_RULES.get(kind)
    return rule is None or rule(value)


_NUMBER_RULES: dict[ParamType, Callable[[int], bool]] = {
    ParamType.TIME: lambda v: v != UNTIL_FURTHER_NOTICE and v % 60 == 0 and v < MAX_TIME,
    ParamType.UNTIL: lambda v: v % 60 == 0 and v < MAX_TIME,
    ParamType.CLOCK: lambda v: v < 24 * 60,
}
_RENDER_NUMBER: dict[ParamType, Callable[[int, str], str]] = {
    ParamType.TIME: timefmt.render_time,
    ParamType.UNTIL: timefmt.render_until,
    ParamType.CLOCK: timefmt.render_clock,
    ParamType.DURATION: timefmt.render_duration,
}


def render_value(param: Param, value: Value, lang: str) -> str:
    """One value as text in ``lang``."""
    if isinstance(value, Place):
        return place_name(value.code) or value.text
    if isinstance(value, str):
        return value
    render = _RENDER_NUMBER.get(param.type)
    if render is not None:
        return render(value, lang)
    grouped = f"{value:,}"  # COUNT
    return grouped.replace(",", ".") if lang == "nl" else grouped


def render_call(catalogue: Catalogue, call: TemplateCall, lang: str) -> RenderedText:
    """``call`` in ``lang``, or in Dutch when the template has no text in ``lang``."""
    template = catalogue.by_code.get(call.code)
    if template is None:
        raise UnknownTemplateError(f"unknown template code {call.code}", call.code)
    check_call(template, call)
    texts = TEXTS.get(lang, {}).get(template.name)
    if texts is None:
        lang = DEFAULT_LANG
        texts = TEXTS[lang][template.name]
    fields = {
        p.name: render_value(p, v, lang) for p, v in zip(template.params, call.values, strict=True)
    }
    headline, body = (t.format_map(fields) for t in texts)
    return RenderedText(lang, _capitalised(headline), _capitalised(body))


def _capitalised(text: str) -> str:
    """A text may start with a parameter ('{road} is closed'): start it with a capital."""
    return text[:1].upper() + text[1:]
