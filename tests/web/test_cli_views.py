"""Issue 14 item 12: `relay status show` and `relay inbox` against a served node read
like the screens (no Python values, Amsterdam time)."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner, Result

from relay.cli.main import cli
from relay.daemon import ops
from relay.web import timefmt
from relay.wire import model as m
from tests.daemon.conftest import wait_for
from tests.helpers import in_thread
from tests.web.conftest import WebCluster

REPR = re.compile(r"\[\]|\[['\d]|\{'|\bNone\b|\bTrue\b|\bFalse\b")


def _config(web_cluster: WebCluster, name: str, point_id: int) -> Path:
    path = web_cluster.base / f"{name}.toml"
    path.write_text(
        f'role = "point"\nname = "{name}"\n[radio]\nurl = "loop://air/{name}"\n'
        f'[keys]\nkey = "keys/{name}.key"\ncert = "keys/{name}.cert"\nkeyring = "keys"\n'
        f'[store]\npath = "{name}.db"\n[screen]\n'
        f'listen = "127.0.0.1:{web_cluster.ports[name]}"\n'
        f'token_file = "{name}.token"\n[point]\nid = {point_id}\n'
    )
    return path


async def _run(*args: str) -> Result:
    return await in_thread(lambda: CliRunner().invoke(cli, list(args)))


async def test_status_show_and_inbox_read_like_the_kiosk(web_cluster: WebCluster) -> None:
    hub = await web_cluster.start("hub-utrecht", "hub")
    await web_cluster.start_served("np-001", "point", 1)
    point = web_cluster.nodes["np-001"]
    config = str(_config(web_cluster, "np-001", 1))
    ops.issue(hub, m.Bulletin(texts=(m.LocalizedText("nl", "", "Kook water"),)))
    await wait_for(lambda: len(ops.inbox(point)) == 1 and point.hub_time() is not None)

    shown = await _run("status", "show", "--config", config)
    assert shown.exit_code == 0, shown.output
    assert not REPR.search(shown.output), shown.output
    lines = {ln[:16].strip(): ln[17:] for ln in shown.output.splitlines()}
    assert lines["radio node"] == f"!{point.transport.node_num:08x}"
    assert lines["hub time"].endswith("(Amsterdam, by the hub's clock)")
    assert lines["store error"] == "none" and lines["hub heard"].endswith(" ago")

    inbox = await _run("inbox", "--config", config)
    assert inbox.exit_code == 0, inbox.output
    [stored] = point.store.bulletins()
    assert timefmt.full(stored.message.envelope.time) in inbox.output  # Amsterdam time
    assert "T" not in inbox.output.splitlines()[0].split()[1]  # no ISO/UTC stamp
