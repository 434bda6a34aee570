"""What a point daemon's imports cost in resident memory (issue 14, item 13).

A fresh interpreter imports, in the order ``relay run`` does, each group of what a
support point's daemon loads (the standard library's asyncio, then the third-party
packages, then our own layers, then the meshtastic library that the radio link imports
when it connects) and prints the VmRSS after each step: the step's cost is the growth.
It then lists the packages a point daemon has loaded that one might suspect (numpy,
matplotlib, hypothesis, yaml, the simulator, the demo) and whether any is there.
Baseline: the bare interpreter. Run: ``python tools/bench_imports.py``.
"""

from __future__ import annotations

import subprocess
import sys

#: (label, modules imported in that step), in the order the daemon imports them.
STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("asyncio (and ssl, libssl/libcrypto)", ("asyncio",)),
    ("click (the CLI's entry)", ("click",)),
    ("aiohttp (client stack, SSL contexts)", ("aiohttp",)),
    ("aiohttp.web", ("aiohttp.web",)),
    ("cryptography (ed25519, x25519, aead)", (
        "cryptography.hazmat.primitives.asymmetric.ed25519",
        "cryptography.hazmat.primitives.asymmetric.x25519",
        "cryptography.hazmat.primitives.ciphers.aead",
    )),
    ("protobuf + relay.wire", ("relay.wire.envelope", "relay.wire.trust", "relay.wire.seal")),
    ("relay.engine", ("relay.engine.point", "relay.engine.hub")),
    ("relay.store", ("relay.store.store",)),
    ("relay.daemon + relay.web", ("relay.daemon.main", "relay.cli.main")),
    ("meshtastic (requests, pubsub, serial)", ("meshtastic.tcp_interface",)),
    ("relay.radio.meshtastic_adapter", ("relay.radio.meshtastic_adapter",)),
)  # fmt: skip
SUSPECTS = ("numpy", "matplotlib", "hypothesis", "yaml", "relay.sim", "relay.demo", "requests")

PROBE = r"""
import importlib, json, sys
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
steps = json.loads(sys.argv[1])
out = [rss()]
for modules in steps:
    for name in modules:
        importlib.import_module(name)
    out.append(rss())
out.append(sorted(s for s in json.loads(sys.argv[2]) if s in sys.modules))
out.append(len(sys.modules))
print(json.dumps(out))
"""


def main() -> int:
    import json

    steps = [list(mods) for _, mods in STEPS]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(steps), json.dumps(SUSPECTS)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    *rss, loaded, modules = json.loads(done.stdout)
    print(f"{'step':<40} {'RSS':>8} {'step cost':>10}")
    print(f"{'python (baseline)':<40} {rss[0]:>6.1f}MB")
    for (label, _), before, after in zip(STEPS, rss, rss[1:], strict=False):
        print(f"{label:<40} {after:>6.1f}MB {after - before:>+8.1f}MB")
    print(f"{modules} modules loaded; of {', '.join(SUSPECTS)}: {', '.join(loaded) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
