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
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from relay.airtime import MAX_APP_PAYLOAD, preset
from relay.wire import envelope, hubtime, textblob
from relay.wire import model as m
from relay.wire.cost import message_cost
from relay.wire.keys import PrivateKey
from relay.wire.textblob import FIELD

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tools" / "training" / "bulletins-nl.txt"
HUB = PrivateKey(Ed25519PrivateKey.from_private_bytes(bytes([2]) * 32), "hub", m.Role.HUB)
NOW = hubtime.from_unix(1_795_000_000)
SEQ = 1234  # a realistic sequence number (two varint bytes)


def read_corpus(path: Path) -> list[tuple[str, str]]:
    """(section, text) for every sample line."""
    section, out = "", []
    for raw_line in path.read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
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


def held_out_size(text: str, signed: int) -> int:
    """The signed size if the text model had never seen ``text`` (leave-one-out): the
    shipped model is primed with the sample corpus itself, so in-sample sizes flatter us."""
    sys.path.insert(0, str(ROOT / "tools"))
    from build_dictionary import training_messages

    from relay.wire.text.ppm import PPMModel

    model = PPMModel.trained(training_messages(leave_out=text), 4)
    record = f"{FIELD}{text}".encode()
    loo_blob = 1 + min(len(model.encode(record)), len(record))
    return signed - len(textblob.pack([m.LocalizedText("nl", "", text)])) + loo_blob


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
        loo = held_out_size(text, size)
        rows.append(Row(section, text, len(text), raw, size, lxmf(text) if lxmf else None, loo))
    header = (
        f"{'section':<10} {'chars':>5} {'raw':>4} {'raw+64':>6} {'signed':>6} {'frames':>6} "
        f"{'LF ms':>6} {'MF ms':>5} {'s/raw':>5} {'s/(r+64)':>8} {'held':>4} {'LXMF':>5}  text"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        section, text, chars, raw, size, lx, loo = (
            r.section,
            r.text,
            r.chars,
            r.raw,
            r.signed,
            r.lxmf,
            r.held_out,
        )
        c_lf, c_mf = message_cost(size, long_fast), message_cost(size, medium_fast)
        print(
            f"{section:<10} {chars:>5} {raw:>4} {raw + 64:>6} {size:>6} {c_lf.frames:>6} "
            f"{c_lf.airtime_ms:>6.0f} {c_mf.airtime_ms:>5.0f} {size / raw:>5.2f} "
            f"{size / (raw + 64):>8.2f} {loo:>4} {lx if lx is not None else '-':>5}  {text[:40]}"
        )
    print_summary(rows)
    print_templates()
    if lxmf is None:
        print("\nLXMF column empty: pip install '.[bench]' (lxmf) to fill it.")
    return 0


@dataclass(frozen=True)
class Row:
    section: str
    text: str
    chars: int
    raw: int
    signed: int
    lxmf: int | None
    held_out: int

    def size(self, held_out: bool) -> int:
        return self.held_out if held_out else self.signed


def print_summary(rows: list[Row]) -> None:
    def median(xs: list[float]) -> float:
        return statistics.median(xs) if xs else float("nan")

    print()
    for name, chosen in (
        ("bulletins", [r for r in rows if r.section == "bulletins"]),
        ("all", rows),
    ):
        ratio = median([r.signed / r.raw for r in chosen])
        ratio64 = median([r.signed / (r.raw + 64) for r in chosen])
        lx = [r.lxmf / r.raw for r in chosen if r.lxmf]
        held = median([r.held_out / r.raw for r in chosen])
        held64 = median([r.held_out / (r.raw + 64) for r in chosen])
        print(
            f"median over {name:<9} ({len(chosen):>2}): signed/raw {ratio:.2f} "
            f"(held out {held:.2f}), signed/(raw+64) {ratio64:.2f} (held out {held64:.2f})"
            + (f", LXMF/raw {median(lx):.2f}" if lx else "")
        )
    upto230 = [r for r in rows if r.chars <= 230]
    upto300 = [r for r in rows if r.chars <= 300]
    for label, held_out in (("shipped model", False), ("held out", True)):
        fit230 = sum(r.size(held_out) <= MAX_APP_PAYLOAD for r in upto230)
        fit300 = sum(r.size(held_out) <= MAX_APP_PAYLOAD for r in upto300)
        full = [r.size(held_out) / r.raw for r in rows if r.section == "bulletins"]
        print(f"targets, {label}:")
        print(f"  every bulletin <= 230 chars in one frame: {fit230}/{len(upto230)}")
        print(
            f"  >= 90 % of those <= 300 chars in one frame: {fit300}/{len(upto300)} "
            f"({100 * fit300 / max(1, len(upto300)):.0f} %)"
        )
        verdict = "yes" if median(full) <= 1.0 else "NO"
        print(f"  median signed sample bulletin no bigger than its raw text: {verdict}")
    print("(short [phrases] cannot pay for 64 bytes of signature; they are reported, not targeted)")


#: A realistic call of every template (operator's strings, as on the command line).
TEMPLATE_EXAMPLES: dict[str, list[str]] = {
    "boil-water": ["area=Houten", "until=vrijdag 12:00"],
    "evacuation": ["area=Vianen", "assembly=station Culemborg", "start=14:00"],
    "shelter-in-place": ["area=Nieuwegein", "until=tot nader bericht"],
    "power-outage": ["area=Amersfoort", "restore=morgen 18:00", "next_update=16:00"],
    "support-point-hours": ["point=Overvecht (De Dreef)", "opens=08:00", "closes=20:00"],
    "water-distribution": [
        "area=Zeist",
        "location=sporthal Dijnselburg",
        "opens=10:00",
        "closes=16:00",
        "litres=9",
    ],
    "all-clear": ["area=De Bilt"],
    "road-closure": ["road=A12 Oudenrijn-Lunetten", "detour=A2 en A27", "until=tot nader bericht"],
    "reception-centre": ["area=Utrecht", "location=Jaarbeurs hal 7"],
    "fuel-delivery": ["when=14:00"],
    "status-request": ["deadline=16:00"],
}


def print_templates() -> None:
    from relay.wire.templates import Catalogue, parse_call, split_params, to_wire

    catalogue = Catalogue()
    print(f"\n{'template':<22} {'signed B':>8}  example")
    sizes = []
    for template in catalogue:
        params = TEMPLATE_EXAMPLES.get(template.name)
        if params is None:
            print(f"{template.name:<22} {'-':>8}  (no example)")
            continue
        call = parse_call(template, split_params(params), NOW)
        wire = to_wire(catalogue, call, reference=NOW)
        body = m.Bulletin(
            template=m.TemplateValues(wire.code, wire.numbers, wire.texts),
            expires_in_min=24 * 60,
        )
        size = len(envelope.sign(HUB, SEQ, NOW, body).raw)
        sizes.append(size)
        print(f"{template.name:<22} {size:>8}  {' '.join(params)}")
    within = sum(s <= 100 for s in sizes)
    print(f"target: template bulletins <= 100 bytes signed: {within}/{len(sizes)}")


if __name__ == "__main__":
    sys.exit(main())
