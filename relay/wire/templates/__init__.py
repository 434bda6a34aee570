"""Template bulletins: standard messages sent as a code and typed values, rendered at
the receiver in its own language (Dutch, English; Dutch when a translation is missing).

Typical use (the ``relay compose --template`` path and a point's display)::

    catalogue = Catalogue()
    template = catalogue.find("boil-water")
    call = parse_call(template, split_params(["area=Houten", "until=vrijdag 12:00"]), now)
    wire = to_wire(catalogue, call, reference=envelope_time)      # -> protobuf fields
    call = from_wire(catalogue, wire, reference=envelope_time)    # at the point
    text = render_call(catalogue, call, "en")                     # RenderedText
"""

from __future__ import annotations

from relay.wire.templates.calls import (
    check_call,
    parse_call,
    render_call,
    render_value,
    split_params,
)
from relay.wire.templates.catalogue import TEMPLATES, Catalogue
from relay.wire.templates.model import (
    UNTIL_FURTHER_NOTICE,
    Param,
    ParamType,
    Place,
    RenderedText,
    Template,
    TemplateCall,
    TemplateError,
    TemplateParamError,
    UnknownTemplateError,
    Value,
)
from relay.wire.templates.places import PLACES, place_code, place_name
from relay.wire.templates.texts import DEFAULT_LANG, TEXTS
from relay.wire.templates.wire import WireCall, from_wire, pack_texts, to_wire, unpack_texts

__all__ = [
    "DEFAULT_LANG",
    "PLACES",
    "TEMPLATES",
    "TEXTS",
    "UNTIL_FURTHER_NOTICE",
    "Catalogue",
    "Param",
    "ParamType",
    "Place",
    "RenderedText",
    "Template",
    "TemplateCall",
    "TemplateError",
    "TemplateParamError",
    "UnknownTemplateError",
    "Value",
    "WireCall",
    "check_call",
    "from_wire",
    "pack_texts",
    "parse_call",
    "place_code",
    "place_name",
    "render_call",
    "render_value",
    "split_params",
    "to_wire",
    "unpack_texts",
]
