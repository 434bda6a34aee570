"""The kiosk's trust mark (issue 12) in a real browser on whole nodes: a badge naming the
authority the region root certified, an unmistakable look for a bulletin that no longer
passes its check (here: the sender's key revoked after it arrived) and for a hub gone
stale, and severity colours that follow the severity on every card.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from relay.daemon import ops
from relay.wire import envelope, hubtime
from relay.wire import model as m
from relay.wire.keys import load_private
from tests.daemon.conftest import wait_for
from tests.web.conftest import WebCluster
from tests.web.test_browser import open_page, text

pytestmark = pytest.mark.browser


async def test_trust_badge_revoked_sender_and_stale_hub(
    web_cluster: WebCluster, browser: Any, tmp_path: Path
) -> None:
    web_cluster.stale["np-001"] = 1.5
    hub = await web_cluster.start("hub-utrecht", "hub")
    p1 = await web_cluster.start("np-001", "point", 1)
    url = await web_cluster.serve("np-001")
    moderate = m.Severity.MODERATE
    ops.issue(hub, text("Zandzakken", urgency=m.Urgency.IMMEDIATE, severity=moderate))
    ops.issue(hub, text("Drinkwater", urgency=m.Urgency.FUTURE, severity=moderate))
    await wait_for(lambda: len(ops.inbox(p1)) == 2)
    async with open_page(browser, url + "/") as kiosk:
        marks = await kiosk.locator("#bulletins .trust").all_inner_texts()
        assert marks == ["✔ Echt bericht van hub-utrecht"] * 2
        # "Matig" has one colour on both cards, whatever their priority class.
        colours = await kiosk.locator("#bulletins .tag.level").evaluate_all(
            "ts => ts.map(t => getComputedStyle(t).color)"
        )
        assert len(colours) == 2 and colours[0] == colours[1]
        # The hub goes quiet: every card says it may be out of date.
        await web_cluster.stop("hub-utrecht")
        await kiosk.wait_for_selector("#stale:not([hidden])")
        await kiosk.reload()
        await kiosk.wait_for_selector("#bulletins article.t-stale .trust-stale")
        assert await kiosk.locator("#bulletins .trust-ok").count() == 0
        # The region root revokes the hub's key: the cards fail their check at once.
        root = load_private(tmp_path / "keys" / "root.key")
        revocation = m.Revocation((m.RevokedKey(hub.engine.issuer.key.key_id),), "test")
        now = hubtime.from_unix(1_800_000_000)
        p1.engine.keyring.add_revocation(envelope.sign(root, 99, now, revocation))
        await kiosk.reload()
        await kiosk.wait_for_selector("#bulletins article.t-failed .trust-failed")
        assert await kiosk.locator("#bulletins article.t-failed").count() == 2
        failed = await kiosk.locator("#bulletins .trust-failed").first.inner_text()
        assert failed.startswith("✖ NIET BETROUWBAAR") and "Niet ophangen" in failed
        style = await kiosk.locator("#bulletins article.t-failed .body").first.evaluate(
            "b => getComputedStyle(b).textDecorationLine"
        )
        assert style == "line-through"
