"""relay.sim.bridges: the few points that must relay so the layout reaches every point."""

from __future__ import annotations

import random

from relay.sim.api import Role
from relay.sim.bench import reachable_points
from relay.sim.bridges import bridge_points
from relay.sim.mesh import Mesh
from relay.sim.scenario import NodeKind, load_scenario


def muted(name: str) -> Mesh:
    mesh = Mesh(load_scenario(name), random.Random(1))
    for node in mesh.nodes:
        if node.spec.kind in (NodeKind.POINT, NodeKind.HUB):
            node.configure(role=Role.CLIENT_MUTE)
    return mesh


def test_the_village_needs_a_relaying_point_for_its_farm() -> None:
    """The polder farm is 3 hops out behind p-west: with every point muted it is cut off."""
    mesh = muted("village")
    everything = reachable_points(mesh, "hub", relaying_only=False)
    before = reachable_points(mesh, "hub")
    chosen = bridge_points(mesh, "hub")
    after = reachable_points(mesh, "hub")
    assert after == everything
    assert len(chosen) == len(set(chosen)) and len(chosen) < len(everything - before) + 1
    assert before < after or not chosen
    for name in chosen:
        assert mesh.node(name).firmware.config.role is Role.CLIENT


def test_the_town_region_needs_only_a_tenth_of_its_points_relaying() -> None:
    mesh = muted("region-town")
    before = reachable_points(mesh, "hub")
    chosen = bridge_points(mesh, "hub")
    after = reachable_points(mesh, "hub")
    assert after == reachable_points(mesh, "hub", relaying_only=False)
    assert len(after) > len(before)
    assert 0 < len(chosen) <= 20
