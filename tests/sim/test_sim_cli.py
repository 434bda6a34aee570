from pathlib import Path

from click.testing import CliRunner

from relay.cli.main import cli


def test_lists_and_checks_scenarios() -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["sim", "scenarios"])
    assert listed.exit_code == 0
    assert [line.split()[0] for line in listed.output.splitlines()] == [
        "city",
        "region",
        "region-town",
        "village",
    ]
    checked = runner.invoke(cli, ["sim", "check", "village"])
    assert checked.exit_code == 0
    assert "reach       5 of 5 points within the hop limit" in checked.output
    assert "p-polder                     3 hop(s)" in checked.output


def test_a_bad_scenario_file_is_one_line_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[nodes]]\nname = "a"\nnum = 1\nrole = "ROUTR"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["sim", "check", str(bad)])
    assert result.exit_code == 6
    assert result.output == (
        "Error: nodes[0].role: unknown role 'ROUTR' "
        "(known: CLIENT, CLIENT_MUTE, ROUTER, ROUTER_LATE)\n"
    )


def test_run_floods_and_reports() -> None:
    result = CliRunner().invoke(cli, ["sim", "run", "village", "--minutes", "15"])
    assert result.exit_code == 0
    assert result.output.startswith("bulletins   3, reach ")
    assert "duty cycle" in result.output
