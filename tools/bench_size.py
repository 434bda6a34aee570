"""How big noodrelay's signed bulletins are, next to plain signed text and LXMF.

For every sample bulletin of the corpus: raw UTF-8 bytes; raw + 64 (a plain text with an
Ed25519 signature, the least any signed format can do without compression); the
noodrelay signed message; frames; airtime at LONG_FAST and MEDIUM_FAST; the ratios;
and LXMF's packed size for the same text as a peer (``pip install '.[bench]'``).
Then the targets of issue 2, checked. Run: ``python tools/bench_size.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from relay.airtime import MAX_APP_PAYLOAD, preset
from relay.wire import envelope, hubtime
from relay.wire import model as m
from relay.wire.cost import message_cost
from relay.wire.keys import PrivateKey

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tools" / "training" / "bulletins-nl.txt"
HUB = PrivateKey(Ed25519PrivateKey.from_private_bytes(bytes([2]) * 32), "hub", m.Role.HUB)
NOW = hubtime.from_unix(1_795_000_000)
SEQ = 1234  # a realistic sequence number (two varint bytes)


def read_corpus(path: Path) -> list[tuple[str, str]]:
    """(section, text) for every sample line."""
    section, out = "", []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        out.append((section, line))
    return out


def signed_size(text: str) -> int:
    """A realistic bulletin: Dutch body, CAP fields set, 24 h expiry, for everyone."""
    body = m.Bulletin(
        texts=(m.LocalizedText("nl", "", text),),
        urgency=m.Urgency.EXPECTED,
        severity=m.Severity.MODERATE,
        certainty=m.Certainty.LIKELY,
        expires_in_min=24 * 60,
    )
    return len(envelope.sign(HUB, SEQ, NOW, body).raw)


def lxmf_packer() -> Callable[[str], int] | None:
    """LXMF's packed size for a text, or None when lxmf is not installed."""
    try:
        import LXMF
        import RNS
    except ImportError:
        return None
    configdir = tempfile.mkdtemp(prefix="rns-")
    with open(os.path.join(configdir, "config"), "w", encoding="utf-8") as f:
        f.write("[reticulum]\n  share_instance = No\n  enable_transport = False\n[interfaces]\n")
    RNS.Reticulum(configdir=configdir, loglevel=0)
    src = RNS.Destination(
        RNS.Identity(), RNS.Destination.IN, RNS.Destination.SINGLE, "lxmf", "delivery"
    )
    dst = RNS.Destination(
        RNS.Identity(), RNS.Destination.OUT, RNS.Destination.SINGLE, "lxmf", "delivery"
    )

    def packed(text: str) -> int:
        msg = LXMF.LXMessage(dst, src, text, "", desired_method=LXMF.LXMessage.DIRECT)
        msg.pack()
        return len(msg.packed)

    return packed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    long_fast, medium_fast = preset("LONG_FAST"), preset("MEDIUM_FAST")
    lxmf = lxmf_packer()
    rows = []
    for section, text in read_corpus(args.corpus):
        raw = len(text.encode())
        size = signed_size(text)
        rows.append((section, text, len(text), raw, size, lxmf(text) if lxmf else None))
    header = (
        f"{'section':<10} {'chars':>5} {'raw':>4} {'raw+64':>6} {'signed':>6} {'frames':>6} "
        f"{'LF ms':>6} {'MF ms':>5} {'s/raw':>5} {'s/(r+64)':>8} {'LXMF':>5}  text"
    )
    print(header)
    print("-" * len(header))
    for section, text, chars, raw, size, lx in rows:
        c_lf, c_mf = message_cost(size, long_fast), message_cost(size, medium_fast)
        print(
            f"{section:<10} {chars:>5} {raw:>4} {raw + 64:>6} {size:>6} {c_lf.frames:>6} "
            f"{c_lf.airtime_ms:>6.0f} {c_mf.airtime_ms:>5.0f} {size / raw:>5.2f} "
            f"{size / (raw + 64):>8.2f} {lx if lx is not None else '-':>5}  {text[:40]}"
        )
    print_summary(rows)
    if lxmf is None:
        print("\nLXMF column empty: pip install '.[bench]' (lxmf) to fill it.")
    return 0


def print_summary(rows: list[tuple[str, str, int, int, int, int | None]]) -> None:
    def median(xs: list[float]) -> float:
        return statistics.median(xs) if xs else float("nan")

    print()
    for name, chosen in (
        ("bulletins", [r for r in rows if r[0] == "bulletins"]),
        ("all", rows),
    ):
        ratio = median([r[4] / r[3] for r in chosen])
        ratio64 = median([r[4] / (r[3] + 64) for r in chosen])
        lx = [r[5] / r[3] for r in chosen if r[5]]
        print(
            f"median over {name:<9} ({len(chosen):>2}): signed/raw {ratio:.2f}, "
            f"signed/(raw+64) {ratio64:.2f}" + (f", LXMF/raw {median(lx):.2f}" if lx else "")
        )
    upto230 = [r for r in rows if r[2] <= 230]
    upto300 = [r for r in rows if r[2] <= 300]
    fit230 = sum(r[4] <= MAX_APP_PAYLOAD for r in upto230)
    fit300 = sum(r[4] <= MAX_APP_PAYLOAD for r in upto300)
    print(f"target: every bulletin <= 230 chars in one frame: {fit230}/{len(upto230)}")
    print(
        f"target: >= 90 % of those <= 300 chars in one frame: {fit300}/{len(upto300)} "
        f"({100 * fit300 / max(1, len(upto300)):.0f} %)"
    )
    median_ok = median([r[4] / r[3] for r in rows]) <= 1.0
    print(
        f"target: median signed bulletin no bigger than its raw text: {'yes' if median_ok else 'NO'}"
    )


if __name__ == "__main__":
    sys.exit(main())
