"""Which indoor support points need their antenna outside, so their links hold.

Points ship as a radio at the support point; in the town scenario 60 % of them are
indoors, behind 9-20 dB of building entry loss (ITU-R P.2109, relay.sim.townmodel). The
region bench's late (point, bulletin) pairs sit mostly at points with a thin link: in
five region-town seeds at LONG_FAST, the 52 (point, seed) pairs whose best link to the
hub or a relay site was less than 3 dB above the demodulation floor held 50 of the 72
late pairs; the 470 with over 5 dB held 19. Every such point traced was indoors. With
2 dB of fading and 20 % extra loss a link that thin carries fewer than half the frames,
each way, and no repair protocol makes up for that inside ten minutes. Indoor points
with no link to the infrastructure at all are out of reach in the shipped layout
(points do not relay).

The cheapest change a technician can make is an antenna on the outside wall or the roof
(a few metres of cable): it takes the building entry loss away. :func:`weak_indoor_points`
picks the points a site survey would: indoor, and their best link to the hub or a relay
site, as measured before any traffic (the scenario's mean path loss with this seed's
shadowing), less than :data:`WEAK_MARGIN_DB` above the floor, or missing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from relay.sim.mesh import Mesh
from relay.sim.scenario import NodeKind, Scenario

#: Link margin over the demodulation floor below which an indoor point's antenna goes
#: outside: with 2 dB of fading a 3 dB margin loses 7 % of frames to fading, 0.4 dB 42 %.
WEAK_MARGIN_DB = 3.0


def best_margin_db(mesh: Mesh, point: str) -> float | None:
    """dB by which ``point``'s best link to the hub or a relay site clears the
    demodulation floor (negative: below it); None if it has no such link at all."""
    air = mesh.air
    spec = next(n for n in mesh.scenario.nodes if n.name == point)
    infra = {n.num for n in mesh.scenario.nodes if n.kind is not NodeKind.POINT}
    snrs = [link.snr_db for link in air.neighbours(spec.num) if link.dst in infra]
    return max(snrs) - air.demod_floor_db if snrs else None


def weak_indoor_points(mesh: Mesh, margin_db: float = WEAK_MARGIN_DB) -> list[str]:
    """Indoor points (``extra_loss_db`` > 0) whose best link to the infrastructure has
    less than ``margin_db`` of margin, or none: the ones to give an outside antenna."""
    weak = []
    for spec in mesh.scenario.of_kind(NodeKind.POINT):
        if spec.extra_loss_db <= 0:
            continue
        margin = best_margin_db(mesh, spec.name)
        if margin is None or margin < margin_db:
            weak.append(spec.name)
    return weak


def antennas_outside(scenario: Scenario, points: Collection[str]) -> Scenario:
    """``scenario`` with the antennas of ``points`` outside: no building entry loss."""
    nodes = tuple(
        dataclasses.replace(n, extra_loss_db=0.0) if n.name in points else n for n in scenario.nodes
    )
    return dataclasses.replace(scenario, nodes=nodes)
