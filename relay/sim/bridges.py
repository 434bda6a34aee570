"""Which support points must relay, so the layout reaches every point the map allows.

Points ship as CLIENT_MUTE (firmware-config/point.yaml): 150 relaying points would flood
the channel. But a point whose only way to the hub runs through another support point is
out of reach of that layout; the cheapest fix is to give that neighbour the relaying
profile (point-relaying.yaml), not to let every point relay. :func:`bridge_points` picks
such neighbours greedily: each time the muted point whose relaying brings the most
unreachable points within the hop limit, until nothing more can be reached that way.
"""

from __future__ import annotations

from relay.sim.api import Role
from relay.sim.mesh import Mesh
from relay.sim.scenario import NodeKind


def _reachable(mesh: Mesh, hub: str) -> set[str]:
    limit = mesh.scenario.radio.hop_limit + 1
    points = {n.name for n in mesh.scenario.of_kind(NodeKind.POINT)}
    hops = mesh.hops_from(hub, relaying_only=True)
    return {name for name, h in hops.items() if name in points and h <= limit}


def bridge_points(mesh: Mesh, hub: str, most: int | None = None) -> list[str]:
    """Muted points to switch to CLIENT (relaying), in order of benefit. ``mesh`` is
    reconfigured along the way: on return those points relay."""
    chosen: list[str] = []
    reach = _reachable(mesh, hub)
    candidates = [
        n
        for n in mesh.nodes
        if n.spec.kind is NodeKind.POINT and n.firmware.config.role is Role.CLIENT_MUTE
    ]
    while most is None or len(chosen) < most:
        best, best_gain = None, 0
        for node in candidates:
            if node.spec.name in chosen or node.spec.name not in reach:
                continue  # a point out of reach cannot carry others
            node.configure(role=Role.CLIENT)
            gain = len(_reachable(mesh, hub) - reach)
            node.configure(role=Role.CLIENT_MUTE)
            if gain > best_gain:
                best, best_gain = node, gain
        if best is None:
            return chosen
        best.configure(role=Role.CLIENT)
        chosen.append(best.spec.name)
        reach = _reachable(mesh, hub)
    return chosen
