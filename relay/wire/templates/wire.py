"""Template calls as they travel: a code, then unsigned numbers and texts in template order.

This is the shape of the protobuf ``TemplateCall`` (``code``, ``repeated uint64 numbers``,
``repeated string texts``). Per parameter type:

- TEXT: one text.
- PLACE: one number, the gazetteer code; 0 means free text, which follows in ``texts``.
- TIME, UNTIL: one number, 0 for "until further notice", else 1 + the minutes from one
  day before ``reference`` (the envelope's hub time). Times up to ten days ahead cost
  two bytes instead of the five of absolute hub seconds; times more than a day before
  the reference cannot be sent (:func:`relay.wire.templates.timefmt.parse_time` refuses
  them too).
- CLOCK, DURATION, COUNT: the number itself.

Both ends must pass the same ``reference``: the hub time in the signed envelope.
"""

from __future__ import annotations

from dataclasses import dataclass

from relay.errors import CorruptError
from relay.wire.templates.calls import MAX_NUMBER, check_call
from relay.wire.templates.catalogue import Catalogue
from relay.wire.templates.model import (
    UNTIL_FURTHER_NOTICE,
    ParamType,
    Place,
    TemplateCall,
    TemplateParamError,
    UnknownTemplateError,
    Value,
)
from relay.wire.text import decode_text, encode_text


@dataclass(frozen=True, slots=True)
class WireCall:
    code: int
    numbers: tuple[int, ...] = ()
    texts: tuple[str, ...] = ()


_SEPARATOR = "\x1f"
#: How far before the reference a time may lie, in minutes.
PAST_MINUTES = 24 * 60


def _time_number(value: int, reference: int) -> int:
    if value == UNTIL_FURTHER_NOTICE:
        return 0
    n = value // 60 - reference // 60 + PAST_MINUTES + 1
    if n < 1:
        raise ValueError("a template time may lie at most one day before the message time")
    return n


def to_wire(catalogue: Catalogue, call: TemplateCall, reference: int) -> WireCall:
    """The travelling form of a valid ``call`` (see the module docstring)."""
    template = catalogue.by_code.get(call.code)
    if template is None:
        raise UnknownTemplateError(f"unknown template code {call.code}", call.code)
    check_call(template, call)
    numbers: list[int] = []
    texts: list[str] = []
    for param, value in zip(template.params, call.values, strict=True):
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, Place):
            numbers.append(value.code)
            if not value.code:
                texts.append(value.text)
        elif param.type in (ParamType.TIME, ParamType.UNTIL):
            try:
                numbers.append(_time_number(value, reference))
            except ValueError as err:
                raise TemplateParamError(str(err), key=param.name) from err
        else:
            numbers.append(value)
    return WireCall(call.code, tuple(numbers), tuple(texts))


def from_wire(catalogue: Catalogue, wire: WireCall, reference: int) -> TemplateCall:
    """The call in ``wire``; :class:`UnknownTemplateError` for a code this catalogue lacks
    (a newer hub), :class:`CorruptError` for values that do not fit the template."""
    template = catalogue.by_code.get(wire.code)
    if template is None:
        raise UnknownTemplateError(f"unknown template code {wire.code}", wire.code)
    numbers, texts = list(wire.numbers), list(wire.texts)
    values: list[Value] = []
    try:
        for param in template.params:
            if param.type is ParamType.TEXT:
                values.append(texts.pop(0))
            elif param.type is ParamType.PLACE:
                code = numbers.pop(0)
                values.append(Place(code=code) if code else Place(text=texts.pop(0)))
            elif param.type in (ParamType.TIME, ParamType.UNTIL):
                n = numbers.pop(0)
                if n > MAX_NUMBER:
                    raise CorruptError(f"template time out of range: {n}")
                minutes = reference // 60 - PAST_MINUTES + n - 1
                values.append(UNTIL_FURTHER_NOTICE if n == 0 else max(minutes, 0) * 60)
            else:
                values.append(numbers.pop(0))
    except IndexError as err:
        raise CorruptError(f"template {template.name}: too few values") from err
    if numbers or texts:
        raise CorruptError(f"template {template.name}: too many values")
    call = TemplateCall(wire.code, tuple(values))
    check_call(template, call)
    return call


def pack_texts(texts: tuple[str, ...]) -> bytes:
    """All TEXT values of a call as one compressed blob (joined by U+001F, so they share
    context): "station Culemborg" costs ~8 bytes instead of 17. For a ``bytes`` field."""
    if any(_SEPARATOR in t for t in texts):
        raise TemplateParamError("a text value may not contain U+001F", key="texts")
    return encode_text(_SEPARATOR.join(texts)) if texts else b""


def unpack_texts(blob: bytes) -> tuple[str, ...]:
    """Inverse of :func:`pack_texts`; a damaged blob raises :class:`CorruptError`."""
    return tuple(decode_text(blob).split(_SEPARATOR)) if blob else ()
