"""Small scenarios for the end-to-end tests: explicit, lossless links, so runs repeat."""

from __future__ import annotations

from typing import Any

from relay.sim.scenario import Scenario, parse_scenario

ALPHA, BRAVO, CHARLIE, DELTA = 0x0A000001, 0x0A000002, 0x0A000003, 0x0A000004


def trio(bravo_role: str = "CLIENT", *, far_delta: bool = False, **radio: Any) -> Scenario:
    """alpha - bravo - charlie in a line: charlie is two hops from alpha.

    ``far_delta`` adds delta, in every node database (its public key is known, so a DM
    to it is PKI-encrypted as firmware 2.7 requires) but out of everyone's range.
    """
    delta = [{"name": "delta", "num": DELTA, "role": "CLIENT"}] if far_delta else []
    return parse_scenario(
        {
            "name": "trio",
            "radio": {"preset": "LONG_FAST", "hop_limit": 3, "fading_sigma_db": 0.0, **radio},
            "nodes": [
                {
                    "name": "alpha",
                    "num": ALPHA,
                    "role": "CLIENT",
                    "lat": 52.09,
                    "lon": 5.12,
                    "height_m": 10,
                },
                {"name": "bravo", "num": BRAVO, "role": bravo_role},
                {"name": "charlie", "num": CHARLIE, "role": "CLIENT"},
                *delta,
            ],
            "links": [
                {"a": "alpha", "b": "bravo", "snr_db": 10.0},
                {"a": "bravo", "b": "charlie", "snr_db": 10.0},
            ],
        }
    )
