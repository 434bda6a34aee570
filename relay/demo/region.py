"""The demo's region on disk: keys, certificates and one relay.toml per node.

Everything a real region has, made in one go: a root key, a hub key and a key per support
point, certificates signed by the root, a keyring per node, and configuration files that
point each daemon at its emulated radio. Timings are shortened so that a demo shows in
minutes what a region does in hours.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from relay.demo.places import region_of
from relay.sim.scenario import NodeKind, Scenario
from relay.web.auth import hash_password
from relay.web.region import region_toml
from relay.wire import envelope, hubtime
from relay.wire.keys import PrivateKey, save_keypair
from relay.wire.model import Certificate, Role

DEMO_USER = "operator"
DEMO_PASSWORD = "noodrelay"  # noqa: S105 - printed for the person running the demo
YEAR = 365 * 86_400

#: Demo timings: a heartbeat every 15 s, every point reporting in its slot every minute.
INTERVALS = """\
[intervals]
heartbeat_s = 15
heartbeat_after_bulletin_s = 15
status_s = 60
status_settle_s = 4
repair_delay_max_s = 15
hub_silence_s = 300
"""


@dataclass(frozen=True)
class DemoNode:
    name: str
    role: str  # "hub" or "point"
    point_id: int
    radio_port: int
    screen_port: int
    directory: Path

    @property
    def config(self) -> Path:
        return self.directory / "relay.toml"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.screen_port}/"


def _write_config(node: DemoNode, password_hash: str, preset: str) -> None:
    point = f"\n[point]\nid = {node.point_id}\n" if node.role == "point" else ""
    # The hub's dashboard draws its map from the region file (relay/web/region.py).
    region = 'region = "region.toml"\n' if node.role == "hub" else ""
    node.config.write_text(
        f'role = "{node.role}"\n'
        f'name = "{node.name}"\n\n'
        f"[radio]\n"
        f'url = "tcp://127.0.0.1:{node.radio_port}"\n'
        f'preset = "{preset}"\n\n'
        f"[keys]\n"
        f'key = "keys/{node.name}.key"\n'
        f'cert = "keys/{node.name}.cert"\n'
        f'keyring = "keyring"\n\n'
        f"[store]\n"
        f'path = "relay.db"\n\n'
        f"[screen]\n"
        f'listen = "127.0.0.1:{node.screen_port}"\n'
        f"stale_after_s = 300\n"
        f"{region}"
        f"{point}\n"
        f"[auth]\n"
        f'users = [{{ name = "{DEMO_USER}", password_hash = "{password_hash}" }}]\n\n'
        f"{INTERVALS}",
        encoding="utf-8",
    )


def build_region(
    directory: Path, scenario: Scenario, ports: dict[str, int], screen_ports: dict[str, int]
) -> list[DemoNode]:
    """Write keys, certificates, keyrings and configs for every hub and point node.

    ``ports`` are the radios' TCP ports, ``screen_ports`` the daemons' (see
    :func:`relay.demo.ports.screen_ports`), both by node name.
    """
    directory.mkdir(parents=True, exist_ok=True)
    region_dir = directory / "region"
    root = PrivateKey.generate("root", Role.ROOT)
    save_keypair(root, region_dir)
    now = hubtime.from_unix(time.time())
    password_hash = hash_password(DEMO_PASSWORD)
    nodes: list[DemoNode] = []
    certs: dict[str, bytes] = {}
    seq = 0
    for spec in scenario.nodes:
        if spec.kind not in (NodeKind.HUB, NodeKind.POINT):
            continue
        is_hub = spec.kind is NodeKind.HUB
        point_id = 0 if is_hub else sum(1 for n in nodes if n.role == "point") + 1
        node = DemoNode(
            name=spec.name,
            role="hub" if is_hub else "point",
            point_id=point_id,
            radio_port=ports[spec.name],
            screen_port=screen_ports[spec.name],
            directory=directory / spec.name,
        )
        key = PrivateKey.generate(spec.name, Role.HUB if is_hub else Role.POINT)
        save_keypair(key, node.directory / "keys")
        seq += 1
        cert = Certificate(key.public.raw, key.role, spec.name, now - 86_400, now + YEAR, point_id)
        certs[spec.name] = envelope.sign(root, seq, now, cert).raw
        (node.directory / "keys" / f"{spec.name}.cert").write_bytes(certs[spec.name])
        nodes.append(node)
    hub = next(n for n in nodes if n.role == "hub")
    (hub.directory / "region.toml").write_text(region_toml(region_of(scenario)), encoding="utf-8")
    for node in nodes:
        keyring = node.directory / "keyring"
        keyring.mkdir(exist_ok=True)
        (keyring / "root.pub").write_bytes((region_dir / "root.pub").read_bytes())
        # The hub knows every point's certificate; a point knows the hub's and its own.
        wanted = [n.name for n in nodes] if node is hub else [hub.name, node.name]
        for name in wanted:
            (keyring / f"{name}.cert").write_bytes(certs[name])
        _write_config(node, password_hash, scenario.radio.preset.name)
        os.chmod(node.directory, 0o700)
    nodes.sort(key=lambda n: (n.role != "hub", n.point_id))
    return nodes
