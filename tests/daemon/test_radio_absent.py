"""Issue 14 item 7: a daemon whose radio is unreachable at start keeps serving.

It used to exit with code 7 and take the screens with it. Now the screens and the API
answer at once, the kiosk says there is no radio connection, and the daemon connects
by itself once the radio is there (an emulated Meshtastic radio through the real
library, on a port the OS gave us).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from aiohttp import ClientSession

from relay.daemon.main import serve
from relay.demo.inprocess import InProcessRegion
from relay.waits import within
from tests.daemon.conftest import make_keys
from tests.helpers import free_port
from tests.radio.emulated import EmulatedSite


async def get_json(http: ClientSession, url: str) -> dict[str, object]:
    async with http.get(url) as r:
        assert r.status == 200, await r.text()
        data = await r.json()
        assert isinstance(data, dict)
        return data


async def test_screens_and_api_work_while_the_radio_is_retried(tmp_path: Path) -> None:
    make_keys(tmp_path / "keys", 1)
    radio_port, screen_port = free_port(), free_port()
    config = replace(
        InProcessRegion(tmp_path).config("np-001", "point", 1),
        radio_url=f"tcp://127.0.0.1:{radio_port}",
        listen_port=screen_port,
    )
    stop = asyncio.Event()
    daemon = asyncio.create_task(serve(config, stop))
    base = f"http://127.0.0.1:{screen_port}"
    site = None
    try:
        async with ClientSession() as http:
            state: dict[str, object] = {}

            async def answers() -> bool:
                try:
                    state.update(await get_json(http, base + "/api/state"))
                except OSError:
                    return False
                return True

            for _ in range(200):
                assert not daemon.done(), daemon.exception()
                if await answers():
                    break
                await asyncio.sleep(0.05)
            assert state["link"] in ("disconnected", "connecting")  # retrying meanwhile
            kiosk = await get_json(http, base + "/web/kiosk.json")
            assert kiosk["hub"]["radio_down"] is True  # type: ignore[index]
            assert kiosk["ui"]["no_radio"] == "Geen radioverbinding; opnieuw proberen…"  # type: ignore[index]
            token = config.token_file.read_text().strip()
            r = await http.post(
                base + "/api/status",
                json={"open": "open"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert r.status == 200, await r.text()

            site = await asyncio.to_thread(EmulatedSite(tcp_port=radio_port).start)
            deadline = asyncio.get_running_loop().time() + 30
            while (await get_json(http, base + "/api/state"))["link"] != "connected":
                assert asyncio.get_running_loop().time() < deadline, "radio never connected"
                await asyncio.sleep(0.2)
            kiosk = await get_json(http, base + "/web/kiosk.json")
            assert kiosk["hub"]["radio_down"] is False  # type: ignore[index]
    finally:
        stop.set()
        await within(daemon, 30)
        if site is not None:
            await asyncio.to_thread(site.stop)
