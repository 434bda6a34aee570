"""``relay compose``: write and sign a bulletin (free text, CAP XML or a template)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import click

from relay.airtime import MAX_APP_PAYLOAD, PRESETS, preset
from relay.cli.files import write_message
from relay.errors import FileAccessError, InputError
from relay.wire import hubtime, ranges, schema
from relay.wire import model as m
from relay.wire.cap import parse_cap, to_bulletin
from relay.wire.cost import message_cost
from relay.wire.envelope import SIGNATURE_BYTES
from relay.wire.issuer import Issuer
from relay.wire.keys import format_key_id
from relay.wire.templates import Catalogue, parse_call, split_params, to_wire

_DURATION = re.compile(r"^(\d+)\s*([mhd])$")
_UNIT_MIN = {"m": 1, "h": 60, "d": 1440}
_ENUM_CHOICES = {
    "urgency": [u.name.lower() for u in m.Urgency],
    "severity": [s.name.lower() for s in m.Severity],
    "certainty": [c.name.lower() for c in m.Certainty],
}


def parse_expiry(text: str) -> int:
    """``90m``, ``6h``, ``2d`` -> minutes; ``never`` -> 0 (until cancelled)."""
    if text.strip().lower() in ("never", "until-cancelled", "0"):
        return 0
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise click.BadParameter("use e.g. 90m, 6h, 2d or never", param_hint="--expires")
    return int(match.group(1)) * _UNIT_MIN[match.group(2)]


def _hub_now() -> int:
    """The hub's (or the region laptop's) clock: this machine is the time source."""
    return hubtime.from_unix(time.time())


class CapIndex:
    """CAP identifiers of bulletins issued with a key -> their sequence numbers.

    CAP Updates and Cancels name earlier alerts by identifier; our bulletins name them
    by sequence number. The index lives beside the key (``NAME.issued.json``).
    """

    def __init__(self, key_path: Path) -> None:
        self.path = key_path.with_suffix(".issued.json")
        try:
            self.entries: dict[str, int] = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.entries = {}
        except (OSError, ValueError) as err:
            raise FileAccessError(f"cannot read {self.path}: {err}") from err

    def resolve(self, identifier: str) -> int | None:
        return self.entries.get(identifier)

    def record(self, identifier: str, seq: int) -> None:
        self.entries[identifier] = seq
        self.path.write_text(json.dumps(self.entries, indent=1), encoding="utf-8")


def _fits(issuer: Issuer, max_frames: int) -> Callable[[m.Bulletin], bool]:
    """Whether a bulletin, signed with the issuer's next number now, fits ``max_frames``."""
    budget = MAX_APP_PAYLOAD if max_frames == 1 else max_frames * (MAX_APP_PAYLOAD - 5)
    seq = issuer.counter.current() + 1
    now = issuer.clock()

    def fits(b: m.Bulletin) -> bool:
        env = m.Envelope(issuer.key.key_id, seq, now, b)
        return 1 + len(schema.envelope_to_bytes(env)) + SIGNATURE_BYTES <= budget

    return fits


@dataclass(frozen=True)
class Options:
    """The bulletin fields given on the command line (None: not given)."""

    msg_type: str | None
    references: tuple[int, ...]
    urgency: str | None
    severity: str | None
    certainty: str | None
    categories: tuple[str, ...]
    expires: str
    points: tuple[int, ...]
    groups: tuple[str, ...]

    def fields(self, *, defaults: bool) -> dict[str, object]:
        """Bulletin keyword arguments; with ``defaults`` every field, else only those given."""
        out: dict[str, object] = {}
        for name, enum_cls in (
            ("urgency", m.Urgency),
            ("severity", m.Severity),
            ("certainty", m.Certainty),
        ):
            value = getattr(self, name)
            if value is not None or defaults:
                out[name] = enum_cls[(value or "unknown").upper()]
        if self.msg_type is not None or defaults:
            out["type"] = m.MsgType[(self.msg_type or "alert").upper()]
        if self.references or defaults:
            out["references"] = self.references
        if self.categories or defaults:
            out["categories"] = m.Category(sum(m.Category[c.upper()] for c in self.categories))
        if self.points or self.groups or defaults:
            out["target"] = m.Target(points=self.points, groups=self.groups)
        if defaults:
            out["expires_in_min"] = parse_expiry(self.expires)
        return out


def _from_text(
    text: str,
    headline: str,
    translations: tuple[tuple[str, str], ...],
    opts: Options,
    *,
    allow_long: bool,
) -> m.Bulletin:
    if opts.msg_type in ("update", "cancel") and not opts.references:
        raise click.UsageError(f"--type {opts.msg_type} needs --references (bulletin numbers)")
    texts = [m.LocalizedText("nl", headline, text)]
    texts += [m.LocalizedText(lang, "", body) for lang, body in translations]
    for t in texts:
        try:
            ranges.check_bulletin_text(t.lang, t.headline, t.body, allow_long=allow_long)
        except InputError as err:
            raise InputError(f"{err} with --allow-long", err.field) from None
    return m.Bulletin(texts=tuple(texts), **opts.fields(defaults=True))  # type: ignore[arg-type]


def _from_template(name: str, params: tuple[str, ...], now: int, opts: Options) -> m.Bulletin:
    """A catalogue template with typed parameters; CAP fields default to its suggestions."""
    catalogue = Catalogue()
    template = catalogue.find(name)
    call = parse_call(template, split_params(params), now)
    wire = to_wire(catalogue, call, reference=now)
    fields = opts.fields(defaults=True)
    for key, given, suggested in (
        ("urgency", opts.urgency, m.Urgency[template.urgency.upper()]),
        ("severity", opts.severity, m.Severity[template.severity.upper()]),
        ("certainty", opts.certainty, m.Certainty[template.certainty.upper()]),
    ):
        if given is None:
            fields[key] = suggested
    if not opts.categories:
        fields["categories"] = m.Category(sum(m.Category[c.upper()] for c in template.categories))
    return m.Bulletin(
        template=m.TemplateValues(wire.code, wire.numbers, wire.texts),
        **fields,  # type: ignore[arg-type]
    )


def _from_cap(
    cap_file: Path, issuer: Issuer, index: CapIndex, max_frames: int, opts: Options
) -> tuple[m.Bulletin, tuple[str, ...], str]:
    try:
        alert = parse_cap(cap_file.read_bytes())
    except OSError as err:
        raise FileAccessError(f"cannot read {cap_file}: {err.strerror or err}") from err
    converted = to_bulletin(alert, issuer.clock(), _fits(issuer, max_frames), index.resolve)
    bulletin = replace(converted.bulletin, **opts.fields(defaults=False))  # type: ignore[arg-type]
    return bulletin, converted.notes, alert.identifier


@click.command()
@click.option("--key", "key_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--cert", "cert_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--text", help="Body text (Dutch).")
@click.option("--headline", default="", help="Headline (Dutch).")
@click.option(
    "--translation",
    "translations",
    nargs=2,
    multiple=True,
    metavar="LANG TEXT",
    help="The body in another language, e.g. --translation en 'Drinking water at ...'.",
)
@click.option("--from-cap", "cap_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--template", help="Template name, e.g. boil-water (see `relay templates`).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE")
@click.option("--type", "msg_type", type=click.Choice(["alert", "update", "cancel"]))
@click.option("--references", "references", multiple=True, type=click.IntRange(min=1))
@click.option("--urgency", type=click.Choice(_ENUM_CHOICES["urgency"]))
@click.option("--severity", type=click.Choice(_ENUM_CHOICES["severity"]))
@click.option("--certainty", type=click.Choice(_ENUM_CHOICES["certainty"]))
@click.option(
    "--category",
    "categories",
    multiple=True,
    type=click.Choice([c.name.lower() for c in m.Category if c.name]),
)
@click.option("--expires", default="24h", show_default=True, help="90m, 6h, 2d or never.")
@click.option("--point", "points", multiple=True, type=click.IntRange(min=1), help="Target point.")
@click.option("--group", "groups", multiple=True, help="Target group.")
@click.option(
    "--preset",
    "preset_name",
    default="LONG_FAST",
    show_default=True,
    type=click.Choice(sorted(PRESETS), case_sensitive=False),
)
@click.option(
    "--max-frames",
    type=click.IntRange(1, 16),
    default=1,
    show_default=True,
    help="Budget for --from-cap: shorten the CAP text until it fits this many frames.",
)
@click.option(
    "--allow-long",
    is_flag=True,
    help=f"Send a headline over {ranges.HEADLINE_CHARS} or a text over {ranges.BODY_CHARS} "
    "characters anyway (several frames; the dashboard's limit otherwise).",
)
@click.option("-o", "--out", default="-", show_default=True, help="Output file, - for stdout.")
@click.option("--base64", "as_base64", is_flag=True, help="Write base64 text instead of binary.")
def compose(
    key_path: Path,
    cert_path: Path,
    text: str | None,
    headline: str,
    translations: tuple[tuple[str, str], ...],
    cap_file: Path | None,
    template: str | None,
    params: tuple[str, ...],
    msg_type: str | None,
    references: tuple[int, ...],
    urgency: str | None,
    severity: str | None,
    certainty: str | None,
    categories: tuple[str, ...],
    expires: str,
    points: tuple[int, ...],
    groups: tuple[str, ...],
    preset_name: str,
    max_frames: int,
    allow_long: bool,
    out: str,
    as_base64: bool,
) -> None:
    """Compose and sign a bulletin with the hub key; print its size, frames and airtime."""
    issuer = Issuer.from_files(key_path, cert_path, _hub_now)
    now = issuer.clock()  # one hub time for the template's relative times and the envelope
    opts = Options(
        msg_type, references, urgency, severity, certainty, categories, expires, points, groups
    )
    chosen = [x for x in (text, cap_file, template) if x is not None]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --text, --from-cap and --template")
    index = CapIndex(key_path)
    notes: tuple[str, ...] = ()
    cap_id = ""
    if text is not None:
        bulletin = _from_text(text, headline, translations, opts, allow_long=allow_long)
    elif cap_file is not None:
        bulletin, notes, cap_id = _from_cap(cap_file, issuer, index, max_frames, opts)
    else:
        assert template is not None
        bulletin = _from_template(template, params, now, opts)
    msg = _issue_and_report(issuer, bulletin, notes, preset_name, out, as_base64, at=now)
    if cap_id:
        index.record(cap_id, msg.envelope.seq)


def _issue_and_report(
    issuer: Issuer,
    bulletin: m.Bulletin,
    notes: tuple[str, ...],
    preset_name: str,
    out: str,
    as_base64: bool,
    at: int,
) -> m.SignedMessage:
    msg = issuer.issue(bulletin, at=at)
    write_message(out, msg.raw, as_base64)
    cost = message_cost(len(msg.raw), preset(preset_name))
    to_stderr = out == "-"
    for note in notes:
        click.echo(f"note: {note}", err=to_stderr)
    click.echo(
        f"bulletin #{msg.envelope.seq} signed by {issuer.key.name} "
        f"(key {format_key_id(issuer.key.key_id)}): {cost.size} bytes, {cost.frames} frame(s), "
        f"{cost.airtime_ms:.0f} ms on air at {cost.preset}",
        err=to_stderr,
    )
    if cost.frames > 1:
        click.echo(
            f"warning: needs {cost.frames} frames; shorten the text to fit one frame", err=True
        )
    if out != "-":
        click.echo(f"written to {out}")
    return msg
