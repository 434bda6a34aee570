"""Issue 14 item 7: the smaller holes the attack run found, each on a whole node."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from relay.cli.client import DaemonClient
from relay.cli.main import cli
from relay.daemon import ops
from relay.daemon.api import ensure_token
from relay.errors import AuthError, InputError, InsecureKeyFileError
from relay.web.render import printable
from relay.wire import model as m
from relay.wire import textblob
from tests.daemon.conftest import wait_for
from tests.web.conftest import WebCluster
from tests.web.test_http import client, login


async def test_compose_groups_that_are_not_names_is_a_400(web_cluster: WebCluster) -> None:
    base = await web_cluster.start_served("hub-utrecht", "hub")
    async with client() as http:
        csrf = await login(http, base)
        form = {"mode": "text", "texts": [{"lang": "nl", "body": "x"}], "target": {"groups": 5}}
        for path in ("/web/compose/preview", "/web/compose/send"):
            r = await http.post(base + path, json=form, headers={"X-CSRF-Token": csrf})
            assert r.status == 400, (path, await r.text())
            assert (await r.json())["field"] == "target.groups"


async def test_control_characters_in_a_signed_text_are_not_shown(
    web_cluster: WebCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Our encoder turns C0 controls into spaces, but a hub with another encoder (or an
    older one) may sign them, and C1 controls pass it: the screens strip them all."""
    monkeypatch.setattr(textblob, "clean", lambda text: text)  # a foreign encoder
    await web_cluster.start("hub-utrecht", "hub")
    base = await web_cluster.start_served("np-001", "point", 1)
    hub, point = web_cluster.nodes["hub-utrecht"], web_cluster.nodes["np-001"]
    text = m.LocalizedText("nl", "Let\x00op\x1b[2J", "Kook\x07 water\x1b[31m\nbij\x9b de kerk")
    ops.issue(hub, m.Bulletin(texts=(text,)))
    await wait_for(lambda: len(ops.inbox(point)) == 1)
    async with client() as http:
        view = await (await http.get(base + "/web/kiosk.json")).json()
        printed = await (await http.get(base + "/print")).text()
    [shown] = view["bulletins"]
    assert shown["headline"] == "Letop[2J"
    assert shown["body"] == "Kook water[31m\nbij de kerk"
    for page in (repr(view), printed):
        assert not any(c in page for c in "\x00\x07\x1b\x9b")


def test_printable_keeps_newlines_and_letters() -> None:
    assert printable("a\tb\r\nc\u200fd\x7fé") == "ab\nc\u200fdé"


async def test_two_texts_in_one_language_are_refused(web_cluster: WebCluster) -> None:
    hub = await web_cluster.start("hub-utrecht", "hub")
    texts = (m.LocalizedText("en", "", "first"), m.LocalizedText("en", "", "second"))
    seq_before = hub.engine.issuer.counter.current()
    with pytest.raises(InputError, match="two texts in language 'en'"):
        ops.issue(hub, m.Bulletin(texts=texts))
    assert hub.engine.issuer.counter.current() == seq_before


def test_cli_compose_refuses_two_texts_in_one_language(tmp_path: Path) -> None:
    from tests.daemon.conftest import make_keys

    make_keys(tmp_path, 1)
    args = ["compose", "--key", str(tmp_path / "hub-utrecht.key")]
    args += ["--cert", str(tmp_path / "hub-utrecht.cert"), "--text", "Kook water"]
    args += ["--translation", "en", "Boil water", "--translation", "en", "Boil it"]
    result = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "b.bin")])
    assert result.exit_code == 2, result.output
    assert "two texts in language 'en'" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "b.bin").exists()


async def test_a_control_token_others_can_read_is_refused(web_cluster: WebCluster) -> None:
    path = web_cluster.base / "open.token"
    path.write_text("abc\n", encoding="ascii")
    os.chmod(path, 0o644)
    with pytest.raises(InsecureKeyFileError, match="chmod 600"):
        ensure_token(path)
    config = web_cluster.config("np-001", "point", 1)
    os.chmod(config.token_file.parent, 0o755)
    config.token_file.write_text("abc\n", encoding="ascii")
    os.chmod(config.token_file, 0o640)
    with pytest.raises(AuthError, match="readable by others"):
        DaemonClient(config).call("POST", "/api/status", json_body={}, auth=True)
    os.chmod(path, 0o600)
    assert ensure_token(path) == "abc"
