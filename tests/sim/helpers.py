"""Small builders for simulator tests: link-table scenarios and a recording app."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from relay.sim.api import MeshPacket, RoutingReport
from relay.sim.mesh import Mesh
from relay.sim.scenario import Scenario, parse_scenario


def link_scenario(
    nodes: Sequence[Any],
    links: Sequence[tuple[Any, ...]],
    **radio: Any,
) -> Scenario:
    """A scenario from an explicit link table. Nodes are names (CLIENT points, numbered
    0x1000 + index, so each has its own last byte) or full node tables; links are
    (a, b, snr_db) or (a, b, snr_db, loss)."""
    node_tables: list[dict[str, Any]] = []
    for i, node in enumerate(nodes):
        table: dict[str, Any] = {"name": node} if isinstance(node, str) else dict(node)
        table.setdefault("num", 0x1000 + i + 1)
        table.setdefault("kind", "hub" if i == 0 else "point")
        node_tables.append(table)
    link_tables: list[dict[str, Any]] = []
    for link in links:
        entry: dict[str, Any] = {"a": link[0], "b": link[1], "snr_db": link[2]}
        if len(link) > 3:
            entry["loss"] = link[3]
        link_tables.append(entry)
    radio.setdefault("fading_sigma_db", 0.0)
    return parse_scenario({"radio": radio, "nodes": node_tables, "links": link_tables})


def chain(n: int, snr: float = 5.0, **radio: Any) -> Scenario:
    """n nodes in a line, n0 - n1 - ... - n(n-1), each hearing only its neighbours."""
    names = [f"n{i}" for i in range(n)]
    return link_scenario(names, [(names[i], names[i + 1], snr) for i in range(n - 1)], **radio)


@dataclass
class Recorder:
    """A client app that keeps everything its node hands it."""

    packets: list[MeshPacket] = field(default_factory=list)
    reports: list[RoutingReport] = field(default_factory=list)

    def on_packet(self, packet: MeshPacket) -> None:
        self.packets.append(packet)

    def on_routing(self, report: RoutingReport) -> None:
        self.reports.append(report)

    def payloads(self) -> list[bytes]:
        return [p.payload for p in self.packets]

    def reports_for(self, packet_id: int) -> list[RoutingReport]:
        return [r for r in self.reports if r.request_id == packet_id]


def mesh_with_recorders(scenario: Scenario, seed: int = 1) -> tuple[Mesh, dict[str, Recorder]]:
    mesh = Mesh(scenario, random.Random(seed), link_seed=1)
    apps = {}
    for node in mesh.nodes:
        apps[node.name] = Recorder()
        node.attach(apps[node.name])
    return mesh, apps
