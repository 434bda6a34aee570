"""Entry point of the ``relay`` command: one group, errors turned into one-line messages."""

from __future__ import annotations

import importlib
import logging
from typing import Any

import click

from relay import __version__
from relay.errors import RelayError

#: Sub-commands by name -> "module:attribute". Imported only when used, so that
#: ``relay check`` does not pay for importing the meshtastic library.
SUBCOMMANDS: dict[str, str] = {
    "airtime": "relay.cli.airtime_cmd:airtime",
    "auth": "relay.cli.auth_cmd:auth",
    "check": "relay.cli.check_cmd:check",
    "compose": "relay.cli.compose_cmd:compose",
    "demo": "relay.cli.demo_cmd:demo",
    "demo-national": "relay.cli.demo_national_cmd:demo_national",
    "doctor": "relay.cli.doctor_cmd:doctor",
    "export": "relay.cli.export_cmd:export",
    "help": "relay.cli.help_cmd:help_",
    "import": "relay.cli.import_cmd:import_",
    "inbox": "relay.cli.daemon_cmd:inbox",
    "keys": "relay.cli.keys_cmd:keys",
    "plan": "relay.cli.plan_cmd:plan",
    "points": "relay.cli.daemon_cmd:points",
    "provision": "relay.cli.provision_cmd:provision",
    # `relay radio`: the emulator's group, with apply/check/render/channel added to it.
    "qr": "relay.cli.qr_cmd:qr",
    "radio": "relay.cli.radio_config_cmd:radio",
    "report": "relay.cli.report_cmd:report",
    "run": "relay.cli.daemon_cmd:run",
    "send": "relay.cli.daemon_cmd:send",
    "sim": "relay.cli.sim_cmd:sim",
    "status": "relay.cli.daemon_cmd:status",
    "templates": "relay.cli.templates_cmd:templates",
}


class RelayGroup(click.Group):
    """A click group with lazily imported sub-commands that never shows a traceback
    for a noodrelay error."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *SUBCOMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RelayError as err:
            # One line, the error family's exit status, never a traceback.
            click.echo(f"Error: {err}", err=True)
            ctx.exit(err.exit_code)


@click.group(cls=RelayGroup)
@click.version_option(__version__, prog_name="relay")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """noodrelay: signed crisis bulletins over Meshtastic LoRa."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main() -> None:
    cli()
