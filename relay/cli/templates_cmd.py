"""``relay templates``: the catalogue of standard bulletins and their parameters."""

from __future__ import annotations

import click

from relay.wire.templates import TEXTS, Catalogue


@click.command()
@click.argument("name", required=False)
def templates(name: str | None) -> None:
    """List the templates, or show one with its parameters and texts."""
    catalogue = Catalogue()
    if name is None:
        for t in catalogue:
            params = " ".join(f"{p.name}=" for p in t.params)
            click.echo(f"{t.code:>3} {t.name:<22} {params}")
        click.echo(
            "\nrelay templates NAME shows one; use: relay compose --template NAME --param k=v"
        )
        return
    t = catalogue.find(name)
    click.echo(f"{t.name} (code {t.code}): {t.urgency}, {t.severity}, {t.certainty}")
    for p in t.params:
        click.echo(f"  --param {p.name}=...  ({p.type.name.lower()}) {p.help}")
    for lang, texts in TEXTS.items():
        if t.name in texts:
            headline, body = texts[t.name]
            click.echo(f"[{lang}] {headline}\n     {body}")
