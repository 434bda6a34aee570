"""``relay doctor``: one line per check, the fix for each failure, exit 1 on any failure."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from relay.cli.client import DEFAULT_CONFIG


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    envvar="RELAY_CONFIG",
    show_default=True,
)
@click.option(
    "--profile",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The radio profile (default: radio.yaml beside the config).",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("/"),
    show_default=True,
    help="Check a node installed below this directory (as relay provision --root wrote it).",
)
@click.option("--timeout", type=click.FloatRange(1, 300), default=20.0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def doctor(
    config_path: Path, profile: Path | None, root: Path, timeout: float, as_json: bool
) -> None:
    """Check radio, settings, keys, certificates, store, disk, hub contact and clock."""
    from relay.doctor.report import Status
    from relay.doctor.run import Options, run

    if root != Path("/") and config_path == DEFAULT_CONFIG:
        config_path = root / DEFAULT_CONFIG.relative_to("/")
    results = run(Options(config_path, profile, root, timeout), time.time())
    failed = [r for r in results if r.status is Status.FAIL]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": not failed,
                    "checks": [
                        {"name": r.name, "status": r.status.value, "detail": r.detail, "fix": r.fix}
                        for r in results
                    ],
                },
                indent=1,
                ensure_ascii=False,
            )
        )
    else:
        for r in results:
            click.echo(r.line())
        passed = sum(r.status is Status.PASS for r in results)
        skipped = len(results) - passed - len(failed)
        click.echo(f"{passed} passed, {len(failed)} failed, {skipped} not checked")
    if failed:
        raise click.exceptions.Exit(1)
