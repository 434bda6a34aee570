"""Help requests over HTTP on whole nodes: the labels the scripts load, and who gets
the personal fields (a staff session counts only with its CSRF token)."""

from __future__ import annotations

from relay.web.help_labels import HELP_LABELS, STEPS, TYPES, URGENCIES
from relay.wire import help as wire_help
from tests.daemon.conftest import wait_for
from tests.web.conftest import TOKEN, WebCluster
from tests.web.test_http import client, login

PERSONAL = ("location", "text", "handler", "reply", "operator", "details_error", "erased")


def test_every_label_is_there_in_dutch_and_english() -> None:
    assert HELP_LABELS["nl"].keys() == HELP_LABELS["en"].keys()
    for lang in ("nl", "en"):
        labels = HELP_LABELS[lang]
        for key in [f"type.{t}" for t in TYPES] + [f"urgency.{u}" for u in URGENCIES]:
            assert labels[key], (lang, key)
        for step in STEPS:
            assert labels[f"state.{step}"], (lang, step)


async def test_help_labels_json(web_cluster: WebCluster) -> None:
    base = await web_cluster.start_served("np-001", "point", 1)
    async with client() as http:
        nl = await (await http.get(base + "/web/help-ui.json")).json()
        assert nl["ui"]["ask"] == "Hulp vragen" and nl["steps"] == list(STEPS)
        assert nl["limits"]["text"] == wire_help.MAX_TEXT
        assert nl["limits"]["reply"] == wire_help.MAX_REPLY
        en = await (await http.get(base + "/web/help-ui.json?lang=en")).json()
        assert en["ui"]["ask"] == "Ask for help"
        # Any other language gets the English words.
        tr = await (await http.get(base + "/web/help-ui.json?lang=tr")).json()
        assert tr["ui"] == en["ui"]
        bad = await http.get(base + "/web/help-ui.json?lang=<x>")
        assert bad.status == 400


async def test_personal_fields_need_the_session_and_its_csrf_token(
    web_cluster: WebCluster,
) -> None:
    await web_cluster.start("hub-utrecht", "hub")
    base = await web_cluster.start_served("np-001", "point", 1)
    async with client() as http:
        made = await http.post(
            base + "/api/help",
            json={"type": "medical", "people": 2, "location": "Kerkstraat 1", "text": "Val"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert made.status == 200, await made.text()
        csrf = await login(http, base)
        # The cookie alone (what another site could make a browser send) is not enough.
        public = await http.get(base + "/api/help")
        assert public.status == 401  # not even the type, urgency or a count (issue 14 item 6)
        assert "medical" not in await public.text()
        [full] = await (await http.get(base + "/api/help", headers={"X-CSRF-Token": csrf})).json()
        assert (full["location"], full["text"], full["handler"]) == ("Kerkstraat 1", "Val", "")
        # The kiosk's public view says nothing about help at all.
        kiosk = await (await http.get(base + "/web/kiosk.json")).text()
        assert "Kerkstraat" not in kiosk and "help" not in kiosk.lower()
    hub = web_cluster.nodes["hub-utrecht"]
    await wait_for(lambda: len(hub.store.help.all()) == 1)


async def test_a_point_tells_an_anonymous_caller_nothing_about_help(
    web_cluster: WebCluster,
) -> None:
    """Issue 14 item 6: type, urgency, people, state and even a count were public."""
    hub_base = await web_cluster.start_served("hub-utrecht", "hub")
    base = await web_cluster.start_served("np-001", "point", 1)
    async with client() as http:
        made = await http.post(
            base + "/api/help",
            json={"type": "fire", "urgency": "life_threatening", "people": 3, "location": "X"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert made.status == 200, await made.text()
        for query in ("", "?open=1"):
            r = await http.get(f"{base}/api/help{query}")
            body = await r.text()
            assert r.status == 401 and "fire" not in body and "life" not in body
        # The hub's control room still sees its alarms without login, without personal fields.
        hub = web_cluster.nodes["hub-utrecht"]
        await wait_for(lambda: len(hub.store.help.all()) == 1)
        [row] = await (await http.get(hub_base + "/api/help")).json()
        assert row["type"] == "fire" and not set(PERSONAL) & row.keys()
