"""``relay airtime``: what a payload costs on air at a modem preset."""

from __future__ import annotations

import math

import click

from relay.airtime import MAX_APP_PAYLOAD, PRESETS, frame_airtime_s, preset


@click.command()
@click.option(
    "--preset",
    "preset_name",
    default="LONG_FAST",
    show_default=True,
    type=click.Choice(sorted(PRESETS), case_sensitive=False),
)
@click.option(
    "--bytes",
    "size",
    type=click.IntRange(min=0),
    required=True,
    help="Payload size of one message in bytes.",
)
@click.option(
    "--frame-payload",
    type=click.IntRange(32, MAX_APP_PAYLOAD),
    default=MAX_APP_PAYLOAD,
    show_default=True,
    help="Bytes of ours per frame.",
)
def airtime(preset_name: str, size: int, frame_payload: int) -> None:
    """Frames and time on air for a message of --bytes bytes."""
    p = preset(preset_name)
    frames = max(1, math.ceil(size / frame_payload))
    sizes = [frame_payload] * (frames - 1) + [size - frame_payload * (frames - 1)]
    total = sum(frame_airtime_s(s, p) for s in sizes)
    click.echo(f"preset      {p.name} (SF{p.sf}, {p.bw_hz // 1000} kHz, CR 4/{4 + p.cr})")
    click.echo(f"payload     {size} B in {frames} frame(s)")
    click.echo(f"airtime     {total * 1000:.1f} ms")
    hourly = 360.0 / total if total else float("inf")
    click.echo(f"duty cycle  {hourly:.0f} such messages per hour at 10 %")
