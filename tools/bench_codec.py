"""Compare text codecs on the sample corpus: sizes (shipped and leave-one-out) and speed.

    python tools/bench_codec.py            # table per sample, medians, speed
    python tools/bench_codec.py --summary  # medians and speed only

Every size is the text blob as it travels: 1 format byte + the codec's output (no raw
fallback here, so the columns compare codecs). "ship" uses a model built from all the
training material (what noodrelay ships, which includes the sample itself); "loo" uses a
model built with that one sample left out, so nobody tested on the training set;
"loo-c" leaves it out of a model built from the sample corpus alone (no hand-written
vocabulary). zstd columns need the ``zstandard`` package (pip install zstandard).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from build_dictionary import SAMPLE_CORPUS, read_sections, render, training_messages

from relay.wire.text.ppm import DEFAULT_ORDER, PPMModel

Compress = Callable[[bytes], bytes]
#: Signed bulletin minus its text blob: marker, envelope, bulletin fields (CAP enums,
#: category, 24 h expiry) and the 64-byte signature. Measured as 94-97 bytes with the
#: wire branch's envelope; tools/bench_size.py measures the real thing per message.
SIGNED_OVERHEAD = 95
FRAME = 231


def zlib_codec(zdict: bytes | None) -> Compress:
    def compress(data: bytes) -> bytes:
        if zdict is None:
            co = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
        else:
            co = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zdict=zdict[-32768:])
        return co.compress(data) + co.flush()

    return compress


def built_zdict(messages: list[str]) -> bytes:
    """A better-ordered deflate dictionary: the training text, then the word n-grams that
    recur across messages, most valuable last (deflate pays less for short distances)."""
    grams: Counter[str] = Counter()
    for message in messages:
        words = message.split(" ")
        seen = {
            " ".join(words[i : i + n])
            for n in range(1, 7)
            for i in range(len(words) - n + 1)
            if len(" ".join(words[i : i + n])) >= 5
        }
        grams.update(seen)
    scored = sorted((c * len(g), g) for g, c in grams.items() if c >= 2)
    tail = " ".join(g for _, g in scored[-400:])
    return (render(messages) + tail).encode()


def zstd_codec(zdict: bytes) -> Compress | None:
    try:
        import zstandard
    except ImportError:
        return None
    d = zstandard.ZstdCompressionDict(zdict, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    params = zstandard.ZstdCompressionParameters.from_level(
        19, format=zstandard.FORMAT_ZSTD1_MAGICLESS, write_checksum=0, write_dict_id=0
    )
    cctx = zstandard.ZstdCompressor(dict_data=d, compression_params=params)
    compress: Compress = cctx.compress
    return compress


def ppm_codec(messages: list[str]) -> Compress:
    return PPMModel.trained(messages, DEFAULT_ORDER).encode


@dataclass
class Candidate:
    name: str
    build: Callable[[list[str]], Compress | None]


CANDIDATES = [
    Candidate("zlib", lambda _m: zlib_codec(None)),
    Candidate("zlib+d", lambda m: zlib_codec(render(m).encode())),
    Candidate("zlib+b", lambda m: zlib_codec(built_zdict(m))),
    Candidate("zstd+d", lambda m: zstd_codec(render(m).encode())),
    Candidate("ppm4", ppm_codec),
]


def samples() -> list[tuple[str, str]]:
    return [(sec, line) for sec, lines in read_sections(SAMPLE_CORPUS).items() for line in lines]


def measure(rows: list[tuple[str, str]]) -> list[dict[str, Any]]:
    shipped = {c.name: c.build(training_messages()) for c in CANDIDATES}
    out = []
    for section, text in rows:
        data = text.encode()
        row: dict[str, Any] = {"section": section, "text": text, "raw": len(data)}
        loo_msgs = training_messages(leave_out=text)
        corpus_msgs = training_messages(files=("bulletins-nl.txt",), leave_out=text)
        for c in CANDIDATES:
            ship, loo = shipped[c.name], c.build(loo_msgs)
            if ship is None or loo is None:
                continue
            row[c.name] = (1 + len(ship(data)), 1 + len(loo(data)))
        row["ppm4-c"] = 1 + len(ppm_codec(corpus_msgs)(data))
        out.append(row)
    return out


def fmt_table(rows: list[dict[str, Any]], names: list[str]) -> list[str]:
    head = f"{'sec':4} {'raw':>4} " + " ".join(f"{n + ' ship/loo':>15}" for n in names)
    lines = [head + f" {'ppm4 loo-c':>10}  text"]
    for r in rows:
        cells = " ".join(f"{r[n][0]:>7}/{r[n][1]:<7}" for n in names)
        lines.append(
            f"{r['section'][:4]:4} {r['raw']:>4} {cells} {r['ppm4-c']:>10}  {r['text'][:38]}"
        )
    return lines


def summary(rows: list[dict[str, Any]], names: list[str]) -> list[str]:
    lines = [
        "median size/raw per section (ship / leave-one-out); "
        "signed = est. +95 B; 1 frame = signed <= 231 B"
    ]
    for section in dict.fromkeys(r["section"] for r in rows):
        sel = [r for r in rows if r["section"] == section]
        lines.append(
            f"[{section}] n={len(sel)} median raw {statistics.median(r['raw'] for r in sel)} B"
        )
        for n in [*names, "ppm4-c"]:
            if n == "ppm4-c":
                ship = loo = [r[n] / r["raw"] for r in sel]
            else:
                ship = [r[n][0] / r["raw"] for r in sel]
                loo = [r[n][1] / r["raw"] for r in sel]
            loo_abs = [r[n] if n == "ppm4-c" else r[n][1] for r in sel]
            signed = [(SIGNED_OVERHEAD + b) / r["raw"] for b, r in zip(loo_abs, sel, strict=True)]
            one = sum(SIGNED_OVERHEAD + b <= FRAME for b in loo_abs)
            lines.append(
                f"  {n:8} ship {statistics.median(ship):.3f}  loo {statistics.median(loo):.3f}"
                f"  loo signed/raw {statistics.median(signed):.2f}  loo 1-frame {one}/{len(sel)}"
            )
    return lines


def speed(rows: list[dict[str, Any]]) -> list[str]:
    texts = [r["text"].encode() for r in rows]
    lines = ["speed on the shipped models (whole corpus, per message; this machine):"]
    t0 = time.perf_counter()
    model = PPMModel.trained(training_messages(), DEFAULT_ORDER)
    lines.append(f"  ppm4 model build {1e3 * (time.perf_counter() - t0):.0f} ms")
    coders: dict[str, tuple[Compress, Callable[[bytes], bytes]]] = {
        "ppm4": (model.encode, lambda b: model.decode(b, 1 << 16)),
    }
    zd = render(training_messages()).encode()[-32768:]

    def inflate(b: bytes) -> bytes:
        d = zlib.decompressobj(-15, zdict=zd)
        return d.decompress(b) + d.flush()

    coders["zlib+d"] = (zlib_codec(zd), inflate)
    for name, (enc, dec) in coders.items():
        t0 = time.perf_counter()
        blobs = [enc(t) for t in texts]
        t1 = time.perf_counter()
        for b in blobs:
            dec(b)
        t2 = time.perf_counter()
        n = len(texts)
        lines.append(
            f"  {name:8} encode {1e3 * (t1 - t0) / n:.2f} ms  decode {1e3 * (t2 - t1) / n:.2f} ms"
            + ("  (noodrelay decodes twice: canonical check)" if name == "ppm4" else "")
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description="text codec benchmark")
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    rows = measure(samples())
    names = [c.name for c in CANDIDATES if c.name in rows[0]]
    if not args.summary:
        print("\n".join(fmt_table(rows, names)))
        print()
    print("\n".join(summary(rows, names)))
    print()
    print("\n".join(speed(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
