"""``relay airtime``: what a message of N bytes costs on air at a modem preset."""

from __future__ import annotations

import click

from relay.airtime import MAX_APP_PAYLOAD, PRESETS, preset
from relay.wire.cost import message_cost


@click.command()
@click.option(
    "--preset",
    "preset_name",
    default="LONG_FAST",
    show_default=True,
    type=click.Choice(sorted(PRESETS), case_sensitive=False),
)
@click.option(
    "--bytes", "size", type=click.IntRange(min=1), required=True, help="Message size in bytes."
)
@click.option(
    "--frame-payload",
    type=click.IntRange(32, MAX_APP_PAYLOAD),
    default=MAX_APP_PAYLOAD,
    show_default=True,
    help="Bytes of ours per radio frame.",
)
def airtime(preset_name: str, size: int, frame_payload: int) -> None:
    """Frames and time on air for a message of --bytes bytes (fragment headers included)."""
    p = preset(preset_name)
    cost = message_cost(size, p, frame_payload)
    click.echo(f"preset      {p.name} (SF{p.sf}, {p.bw_hz // 1000} kHz, CR 4/{4 + p.cr})")
    click.echo(f"message     {size} B in {cost.frames} frame(s)")
    click.echo(f"airtime     {cost.airtime_ms:.1f} ms per transmission")
    click.echo(f"duty cycle  {360.0 / cost.airtime_s:.0f} such messages per hour at 10 %")
