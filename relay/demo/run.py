"""The demo: emulated radios, real daemons, a sequence of bulletins, receipts arriving.

The complete path of the field runs here: each daemon is its own process (as on a Pi),
talks to its emulated Meshtastic device through the real ``meshtastic`` library over
TCP, and the devices share the simulated air of the village scenario (relays, lossy
links, three hops). The script then sends what a hub sends on a bad day (an alert, a
template bulletin, an update, a cancel), a support point asks the control room for help, and
the receipts and the request's state are printed as they arrive.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from relay.demo.ports import screen_ports
from relay.demo.region import DEMO_PASSWORD, DEMO_USER, DemoNode, build_region
from relay.emulator.mesh import EmulatedMesh
from relay.errors import RelayError
from relay.sim.scenario import NodeKind, Scenario, load_scenario
from relay.waits import wait_event, within
from relay.wire import hubtime
from relay.wire import model as m
from relay.wire.issuer import Issuer
from relay.wire.templates import Catalogue, parse_call, split_params, to_wire

Say = Callable[[str], None]
START_TIMEOUT_S = 90.0


class DemoError(RelayError):
    """The demo could not start (a port in use, a daemon that did not come up)."""


class Demo:
    def __init__(self, directory: Path, scenario: str, screen_port: int, say: Say) -> None:
        self.directory = directory
        self.scenario = load_scenario(scenario)
        self.screen_port = screen_port
        self.say = say
        self.nodes: list[DemoNode] = []
        self.procs: dict[str, asyncio.subprocess.Process] = {}
        self.http: aiohttp.ClientSession | None = None
        self.mesh: EmulatedMesh | None = None

    # --- start and stop -------------------------------------------------------------

    async def start(self) -> None:
        # Before anything starts: a port in use is one line naming it, not a traceback later.
        screens = screen_ports(self.scenario, self.screen_port)
        self.mesh = EmulatedMesh(self.scenario, seed=1, base_port=None, host="127.0.0.1")
        await self.mesh.start()
        ports = {e.name: e.tcp_port for e in self.mesh.endpoints() if e.tcp_port}
        if self.directory.exists():
            shutil.rmtree(self.directory)
        self.nodes = build_region(self.directory, self.scenario, ports, screens)
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        for node in self.nodes:
            log = (node.directory / "daemon.log").open("wb")
            self.procs[node.name] = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "relay",
                "run",
                "--config",
                str(node.config),
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        await self._wait_connected()

    async def _wait_connected(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        waiting = {n.name for n in self.nodes}
        while waiting:
            for node in self.nodes:
                proc = self.procs[node.name]
                if proc.returncode is not None:
                    raise DemoError(
                        f"the daemon of {node.name} stopped (exit {proc.returncode}); "
                        f"see {node.directory / 'daemon.log'}"
                    )
                if node.name in waiting:
                    state = await self._get(node, "/api/state")
                    if state and state.get("link") == "connected":
                        waiting.discard(node.name)
                        self.say(f"  {node.name:<12} connected to its radio")
            if time.monotonic() > deadline:
                raise DemoError(f"not connected after {START_TIMEOUT_S:.0f} s: {sorted(waiting)}")
            await asyncio.sleep(0.5)

    async def stop(self) -> None:
        for proc in self.procs.values():
            if proc.returncode is None:
                proc.terminate()
        for name, proc in self.procs.items():
            try:
                await within(proc.wait(), 15)
            except TimeoutError:
                self.say(f"  {name} did not stop on SIGTERM; killing it")
                proc.kill()
                await proc.wait()
        if self.http is not None:
            await self.http.close()
        if self.mesh is not None:
            await self.mesh.stop()

    # --- talking to the daemons -----------------------------------------------------

    def _token(self, node: DemoNode) -> str:
        return (node.directory / "control.token").read_text(encoding="ascii").strip()

    async def _get(self, node: DemoNode, path: str) -> Any:
        assert self.http is not None
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with self.http.get(f"http://127.0.0.1:{node.screen_port}{path}") as r:
                if r.status == 200:
                    return await r.json()
        return None

    async def _post(self, node: DemoNode, path: str, **kwargs: Any) -> Any:
        assert self.http is not None
        headers = {"Authorization": f"Bearer {self._token(node)}"}
        url = f"http://127.0.0.1:{node.screen_port}{path}"
        async with self.http.post(url, headers=headers, **kwargs) as r:
            body = await r.json()
            if r.status != 200:
                raise DemoError(f"{node.name} {path}: {body.get('error', r.status)}")
            return body

    @property
    def hub(self) -> DemoNode:
        return self.nodes[0]

    # --- the script -----------------------------------------------------------------

    def _issuer(self) -> Issuer:
        hub = self.hub
        keys = hub.directory / "keys"
        return Issuer.from_files(
            keys / f"{hub.name}.key",
            keys / f"{hub.name}.cert",
            lambda: hubtime.from_unix(time.time()),
        )

    async def send(self, bulletin: m.Bulletin, what: str) -> int:
        """Compose and sign like `relay compose`, queue like `relay send`."""
        issuer = self._issuer()
        now = issuer.clock()
        message = issuer.issue(bulletin, at=now)
        r = await self._post(self.hub, "/api/send", data=message.raw)
        self.say(
            f"  sent #{r['seq']} {what}: {r['size']} bytes, {r['frames']} frame(s), "
            f"{r['airtime_ms']:.0f} ms at {r['preset']}, queue position {r['position']}"
        )
        return int(r["seq"])

    def template(self, name: str, params: list[str], **fields: Any) -> m.Bulletin:
        catalogue = Catalogue()
        template = catalogue.find(name)
        now = hubtime.from_unix(time.time())
        wire = to_wire(catalogue, parse_call(template, split_params(params), now), now)
        return m.Bulletin(template=m.TemplateValues(wire.code, wire.numbers, wire.texts), **fields)

    async def set_statuses(self) -> None:
        examples = [
            {"open": "open", "power": "generator", "visitors": 34, "needs": ["fuel"]},
            {"open": "open", "power": "battery", "battery_pct": 62, "visitors": 12},
            {"open": "limited", "power": "none", "visitors": 5, "needs": ["heating", "food"]},
            {"open": "open", "power": "grid", "visitors": 51, "needs": ["drinking_water"]},
            {"open": "closed", "power": "none", "needs": ["volunteers"]},
        ]
        for node, status in zip(self.nodes[1:], examples * 3, strict=False):
            await self._post(node, "/api/status", json=status)
        self.say("  support points set their status (open, power, visitors, needs)")

    async def script(self, pause: float) -> None:
        await self.set_statuses()
        alert = await self.send(
            m.Bulletin(
                texts=(
                    m.LocalizedText(
                        "nl",
                        "Stroomstoring Wijk bij Duurstede",
                        "De stroom is in de hele gemeente uitgevallen, naar verwachting tot "
                        "morgen 18:00. Drinkwater en opladen bij de noodsteunpunten.",
                    ),
                    m.LocalizedText(
                        "en",
                        "Power cut in Wijk bij Duurstede",
                        "Power is out in the whole municipality until tomorrow 18:00. Drinking "
                        "water and charging at the emergency support points.",
                    ),
                ),
                urgency=m.Urgency.IMMEDIATE,
                severity=m.Severity.SEVERE,
                certainty=m.Certainty.OBSERVED,
                categories=m.Category.INFRA,
                expires_in_min=24 * 60,
            ),
            "an alert (Dutch and English)",
        )
        await asyncio.sleep(pause)
        boil = await self.send(
            self.template(
                "boil-water",
                ["area=Wijk bij Duurstede", "until=morgen 12:00"],
                expires_in_min=24 * 60,
            ),
            "a template bulletin (boil-water, rendered at each point in nl/en)",
        )
        await asyncio.sleep(pause)
        await self.send(
            m.Bulletin(
                texts=(
                    m.LocalizedText(
                        "nl",
                        "Stroom deels terug",
                        "De stroom is in het centrum hersteld. Noodsteunpunt Centrum blijft "
                        "open tot 22:00.",
                    ),
                ),
                type=m.MsgType.UPDATE,
                references=(alert,),
                urgency=m.Urgency.EXPECTED,
                severity=m.Severity.MODERATE,
                certainty=m.Certainty.OBSERVED,
                expires_in_min=24 * 60,
            ),
            f"an update of #{alert}",
        )
        await asyncio.sleep(pause)
        await self.send(
            m.Bulletin(
                texts=(
                    m.LocalizedText(
                        "nl", "Kookadvies ingetrokken", "Het leidingwater is weer veilig."
                    ),
                ),
                type=m.MsgType.CANCEL,
                references=(boil,),
                urgency=m.Urgency.PAST,
                severity=m.Severity.MINOR,
                certainty=m.Certainty.OBSERVED,
                expires_in_min=6 * 60,
            ),
            f"a cancel of #{boil}",
        )
        await asyncio.sleep(pause)
        await self.ask_for_help(self.nodes[1])

    async def ask_for_help(self, point: DemoNode) -> None:
        """A point asks the control room for help (as staff do on the kiosk)."""
        request = {
            "type": "vulnerable_person",
            "urgency": "life_threatening",
            "people": 1,
            "location": "Markt 4, bovenwoning",
            "text": "Buurman met zuurstofapparaat, accu nog 2 uur",
            "handler": "Anna (gastvrouw)",
        }
        r = await self._post(point, "/api/help", json=request)
        self.say(
            f"  {point.name} asks the control room for help: request {r['id']} "
            f"({r['size']} bytes, sealed to the hub, sent ahead of everything else)"
        )
        self.say("  -> acknowledge and answer it on the hub dashboard (log in first)")

    async def receipts(self) -> str:
        """One line per bulletin: received / displayed at how many points."""
        bulletins = await self._get(self.hub, "/api/bulletins") or []
        points = await self._get(self.hub, "/api/points") or []
        requests = await self._get(self.hub, "/api/help") or []
        total = sum(1 for n in self.nodes if n.role == "point")
        return "\n".join(receipt_lines(bulletins, len(points), total, requests))


def receipt_lines(
    bulletins: list[dict[str, Any]], reporting: int, total: int, requests: list[dict[str, Any]]
) -> list[str]:
    """The demo's receipt lines. Counts are over *all* the region's points: a point that
    has not reported yet holds nothing as far as the hub knows, so it counts as missing."""
    lines = []
    for b in bulletins:
        if b["state"] != "active":
            lines.append(f"    #{b['seq']:<3} {b['state']}")
            continue
        lines.append(
            f"    #{b['seq']:<3} received at {b.get('received', 0)} of {total} points, "
            f"displayed at {b.get('displayed_at_points', 0)} of {total}"
        )
    lines.append(f"    points reporting to the hub: {reporting} of {total}")
    for h in requests:
        at_point = "" if h["delivered"] else " (the point does not know yet)"
        lines.append(f"    help {h['id']} from {h['point']}: {h['type']}, {h['state']}{at_point}")
    return lines


def radios_line(scenario: Scenario, name: str) -> str:
    """What starts: every radio, and which of them get no daemon (the relay sites)."""
    kinds = Counter(n.kind for n in scenario.nodes)
    relays = kinds[NodeKind.RELAY]
    sites = f", {relays} of them relay sites without a daemon" if relays else ""
    return (
        f"Starting {len(scenario.nodes)} emulated Meshtastic radios ({name}{sites}); "
        f"daemons for the hub and {kinds[NodeKind.POINT]} support points ..."
    )


def _cli() -> str:
    """The CLI as a fresh shell can run it: the ``relay`` beside this Python (the demo's
    .venv), relative to here when below it; a fresh shell has no venv on its PATH."""
    beside = Path(sys.executable).parent / "relay"
    if not beside.exists():
        return "relay"
    try:
        return str(beside.relative_to(Path.cwd()))
    except ValueError:
        return str(beside)


def _urls(demo: Demo) -> list[str]:
    hub, cli = demo.hub, _cli()
    lines = [
        f"  hub dashboard   {hub.url}   (log in as {DEMO_USER} / {DEMO_PASSWORD})",
    ]
    for node in demo.nodes[1:]:
        lines.append(f"  kiosk {node.name:<10}{node.url}")
    lines += [
        "",
        "  From another terminal (the daemons' CLI):",
        f"    RELAY_CONFIG={hub.config} {cli} points",
        f"    RELAY_CONFIG={demo.nodes[1].config} {cli} inbox",
        f"    RELAY_CONFIG={demo.nodes[1].config} {cli} status set --visitors 80 --need food",
        f"    RELAY_CONFIG={demo.nodes[2].config} {cli} help send --type fire --location "
        "'Schuur achter Kerkstraat 9'",
        f"    RELAY_CONFIG={hub.config} {cli} help list",
        f"  Help requests: log in on a kiosk ({DEMO_USER} / {DEMO_PASSWORD}), 'Hulp vragen';",
        f"  the dashboard raises the alarm; acknowledge and reply there (or {cli} help ack/reply).",
        "  Daemon logs: " + str(demo.directory / "*" / "daemon.log"),
    ]
    return lines


async def run_demo(
    directory: Path,
    scenario: str,
    screen_port: int,
    pause: float,
    say: Say,
    stop: asyncio.Event,
) -> None:
    demo = Demo(directory, scenario, screen_port, say)
    say(radios_line(demo.scenario, scenario))
    try:
        await demo.start()
        say("")
        say("Open:")
        for line in _urls(demo):
            say(line)
        say("")
        say(f"The hub sends a sequence of bulletins ({demo.scenario.radio.preset.name}):")
        await demo.script(pause)
        say("")
        say("Receipts as the points report them (Ctrl-C stops the demo):")
        last = ""
        while not stop.is_set():
            current = await demo.receipts()
            if current != last:
                say(time.strftime("  %H:%M:%S"))
                say(current)
                last = current
            await wait_event(stop, 10)
    finally:
        say("Stopping the daemons and the radios ...")
        await demo.stop()
        say("Stopped.")
