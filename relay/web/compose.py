"""The dashboard's compose form: JSON in, a bulletin out, with a clear error per field.

The same parsed bulletin is previewed (every language, cost, queue position) and then
signed and queued, so what the operator saw is what goes on air.
"""

from __future__ import annotations

from typing import Any

from relay.daemon import ops
from relay.daemon.node import Node
from relay.errors import InputError, RelayError
from relay.web.render import language_name, languages, render_bulletin, valid_lang
from relay.wire import model as m
from relay.wire import ranges
from relay.wire.templates import (
    Catalogue,
    Template,
    TemplateError,
    TemplateParamError,
    parse_call,
    to_wire,
)

MAX_HEADLINE = ranges.HEADLINE_CHARS
MAX_BODY = ranges.BODY_CHARS
MAX_GROUP = 32
#: A week: longer-lived bulletins should be renewed (and are cancelled explicitly).
MAX_EXPIRES_MIN = 7 * 24 * 60


class ComposeError(RelayError):
    """A compose form that cannot become a bulletin; ``field`` names the bad input."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _enum(data: dict[str, Any], key: str, cls: Any) -> Any:
    value = str(data.get(key) or "unknown").upper()
    try:
        return cls[value]
    except KeyError:
        raise ComposeError(f"unknown value {value.lower()!r}", key) from None


def _chosen(data: dict[str, Any], key: str, cls: Any) -> Any:
    """A level the operator must choose: no default, so nothing goes out unchosen."""
    if not data.get(key):
        raise ComposeError("choose a value (there is no default)", key)
    return _enum(data, key, cls)


def _int_list(value: Any, field: str, *, lo: int = 0, hi: int = 2**31) -> tuple[int, ...]:
    if value in (None, ""):
        return ()
    items = value if isinstance(value, list) else str(value).replace(",", " ").split()
    try:
        numbers = tuple(int(x) for x in items)
    except (TypeError, ValueError):
        raise ComposeError("give whole numbers separated by commas", field) from None
    if any(not lo <= n < hi for n in numbers):
        raise ComposeError(f"numbers must be between {lo} and {hi - 1}", field)
    return numbers


def _groups(value: Any) -> tuple[str, ...]:
    """Target groups: a list of names, or one text with names separated by commas."""
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        value = [g.strip() for g in value.split(",") if g.strip()]
    if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
        raise ComposeError("give group names separated by commas", "target.groups")
    if any(len(g) > MAX_GROUP for g in value):
        raise ComposeError(f"a group name has at most {MAX_GROUP} characters", "target.groups")
    return tuple(value)


def _texts(data: dict[str, Any]) -> tuple[m.LocalizedText, ...]:
    allow_long = data.get("allow_long") is True
    texts = []
    raw = data.get("texts") or []
    if not isinstance(raw, list):
        raise ComposeError("must be a list", "texts")
    for i, t in enumerate(raw):
        if not isinstance(t, dict):
            raise ComposeError("must be an object", f"texts[{i}]")
        lang = str(t.get("lang") or "").strip()
        headline = str(t.get("headline") or "").strip()
        body = str(t.get("body") or "").strip()
        if not headline and not body:
            continue  # an empty language block is simply not sent
        if not valid_lang(lang):
            raise ComposeError(f"{lang!r} is not a language code like nl or en", f"texts[{i}]")
        try:
            ranges.check_bulletin_text(lang, headline, body, allow_long=allow_long)
        except InputError as err:
            raise ComposeError(str(err), f"texts[{i}].{err.field}") from None
        texts.append(m.LocalizedText(lang, headline, body))
    if len({t.lang for t in texts}) != len(texts):
        raise ComposeError("each language once", "texts")
    return tuple(texts)


def _template(data: dict[str, Any], now: int) -> tuple[m.TemplateValues, Template]:
    """The template call of the form: a template by name and its parameters as the
    operator typed them ("vrijdag 12:00", "Houten"), parsed against hub time ``now``."""
    raw = data.get("template")
    if not isinstance(raw, dict) or not raw.get("name"):
        raise ComposeError("choose a template", "template.name")
    catalogue = Catalogue()
    try:
        template = catalogue.find(str(raw["name"]))
    except TemplateError as err:
        raise ComposeError(str(err), "template.name") from None
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        raise ComposeError("give the parameters", "template.params")
    given = {str(k): str(v).strip() for k, v in params.items() if str(v).strip()}
    try:
        call = parse_call(template, given, now)
        wire = to_wire(catalogue, call, reference=now)
    except TemplateParamError as err:
        field = f"template.params.{err.key}" if err.key else "template.params"
        raise ComposeError(str(err).split(": ", 1)[-1], field) from None
    return m.TemplateValues(wire.code, wire.numbers, wire.texts), template


def templates_catalogue() -> list[dict[str, Any]]:
    """The catalogue for the compose form: names, parameters, suggested CAP values."""
    return [
        {
            "code": t.code,
            "name": t.name,
            "urgency": t.urgency.lower(),
            "severity": t.severity.lower(),
            "certainty": t.certainty.lower(),
            "params": [{"name": p.name, "type": p.type.value, "help": p.help} for p in t.params],
        }
        for t in Catalogue()
    ]


def _status(data: dict[str, Any], exercise: bool) -> m.AlertStatus:
    """Real or exercise. While an exercise runs the operator must say which, every time:
    a real bulletin in the middle of an exercise must never go out as practice, nor the
    other way round. Outside an exercise a bulletin is real unless the form says otherwise."""
    if not data.get("status"):
        if exercise:
            raise ComposeError("an exercise is running: choose exercise or real", "status")
        return m.AlertStatus.ACTUAL
    return _enum(data, "status", m.AlertStatus)  # type: ignore[no-any-return]


def parse_form(data: Any, now: int, *, exercise: bool = False) -> m.Bulletin:
    """The compose form (JSON) as a bulletin, or a :class:`ComposeError`. ``now`` is the
    hub time the bulletin will be signed with (template times are relative to it);
    ``exercise``: an exercise is running on this hub."""
    if not isinstance(data, dict):
        raise ComposeError("send a JSON object", "form")
    kind = _enum(data, "type", m.MsgType) if data.get("type") else m.MsgType.ALERT
    references = _int_list(data.get("references"), "references", lo=1)
    if kind is not m.MsgType.ALERT and not references:
        raise ComposeError("an update or cancel names the bulletin(s) it replaces", "references")
    try:
        expires = int(data.get("expires_in_min") or 0)
    except (TypeError, ValueError):
        raise ComposeError("give minutes as a whole number", "expires_in_min") from None
    if not 0 <= expires <= MAX_EXPIRES_MIN:
        raise ComposeError(f"between 0 (until cancelled) and {MAX_EXPIRES_MIN}", "expires_in_min")
    target = data.get("target") or {}
    if not isinstance(target, dict):
        raise ComposeError("give points and groups", "target")
    groups = _groups(target.get("groups"))
    use_template = data.get("mode") == "template"
    texts = () if use_template else _texts(data)
    if not use_template and not texts:
        raise ComposeError("write a headline or a text", "texts")
    template = _template(data, now)[0] if use_template else None
    return m.Bulletin(
        texts=texts,
        template=template,
        type=kind,
        references=references,
        urgency=_chosen(data, "urgency", m.Urgency),
        severity=_chosen(data, "severity", m.Severity),
        certainty=_chosen(data, "certainty", m.Certainty),
        expires_in_min=expires,
        status=_status(data, exercise),
        target=m.Target(
            points=_int_list(target.get("points"), "target.points", lo=1),
            groups=groups,
        ),
    )


def preview(node: Node, bulletin: m.Bulletin, now: int) -> dict[str, Any]:
    """How the bulletin reads in every screen language, and what it costs to send."""
    renders = []
    for lang in languages([bulletin]):
        text = render_bulletin(bulletin, lang, now)
        renders.append(
            {
                "lang": lang,
                "name": language_name(lang),
                "shown_lang": text.lang,
                "shown_name": language_name(text.lang),
                "dir": text.direction,
                "headline": text.headline,
                "body": text.body,
            }
        )
    return {"renders": renders, "cost": ops.estimate(node, bulletin)}
