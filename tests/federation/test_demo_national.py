"""``make demo-national`` (issue 13): its entry point starts a broker, three region hubs
with their points and the national node, which hears all three regions and sees its
national bulletin reach every point; without mosquitto it says how to install it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from relay.cli.main import cli
from relay.demo import broker
from relay.demo.national import REGIONS, NationalDemo


async def test_the_national_demo_hears_three_regions_and_reaches_them(tmp_path: Path) -> None:
    said: list[str] = []
    demo = NationalDemo(tmp_path / "demo-state" / "national", said.append)
    try:
        await demo.start()
        assert (demo.directory / "broker" / "mosquitto.conf").exists()
        assert sorted(await demo.wait_for_regions()) == sorted(REGIONS)
        msg = await demo.national_bulletin()
        reach = await demo.report_reach()
        assert reach == {name: {"held": 2, "points": 2} for name in REGIONS}
        assert demo.national is not None
        assert demo.national.overview()["national_bulletins"][0]["seq"] == msg.envelope.seq
        assert any(line.startswith("national dashboard: http://127.0.0.1:") for line in said)
    finally:
        await demo.close()
    assert demo.broker is not None and demo.broker.proc is not None
    assert demo.broker.proc.returncode is not None  # the broker went with the demo


def test_without_mosquitto_it_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no mosquitto on it
    monkeypatch.setattr(broker, "MOSQUITTO_PATHS", ())
    result = CliRunner().invoke(cli, ["demo-national", "--dir", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert "mosquitto is not installed: apt-get install mosquitto" in result.output
    assert not (tmp_path / "d").exists()  # nothing started
