"""``relay auth``: staff accounts for the screens' login."""

from __future__ import annotations

import json
import sys

import click


@click.group()
def auth() -> None:
    """Staff accounts for the screens (kiosk staff mode, hub dashboard)."""


@auth.command("hash")
@click.option("--user", "name", default="staff", show_default=True, help="The login name.")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the password from standard input.")
def hash_cmd(name: str, from_stdin: bool) -> None:
    """Hash a password for relay.toml's [auth] users (scrypt, random salt).

    Prints the line to paste into the config; the password itself is stored nowhere.
    """
    from relay.web.auth import hash_password

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.UsageError("use a password of at least 8 characters")
    line = hash_password(password)
    click.echo("[auth]")
    # A JSON string literal is a valid TOML basic string (quotes and backslashes escaped).
    click.echo(f'users = [{{ name = {json.dumps(name)}, password_hash = "{line}" }}]')
