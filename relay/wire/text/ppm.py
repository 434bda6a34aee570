"""A static-then-adaptive PPM model over UTF-8 bytes (PPMD escapes, update exclusion).

The model is *primed* with the domain text of a shipped dictionary: the counts it would
have learnt after reading those messages. Each message then starts from that frozen
state and adapts while it is coded (its own words become cheap after first use), in a
copy-on-write overlay so that the shared priming tables are never modified.

Why bytes rather than characters: any Unicode text codes without an alphabet table,
and the multi-byte UTF-8 of ë, é or Arabic letters is learnt like any other context.
An end-of-message symbol (256) ends the text; it is primed at the end of every training
line, so it costs a few bits after a full stop and more elsewhere.

Parameters (order 4, PPMD, update exclusion) were chosen with ``tools/bench_codec.py``:
orders 3 to 6, PPMC escapes, full updates and heavier in-message increments all measured
equal or worse leave-one-out on the sample corpus.
"""

from __future__ import annotations

from collections.abc import Iterable

from relay.errors import CorruptError
from relay.wire.text.arith import MAX_TOTAL, ArithmeticDecoder, ArithmeticEncoder

END = 256
_ALPHABET = 257
#: Longest context in bytes.
DEFAULT_ORDER = 4
#: The history a message starts with, as if it followed a line break.
_START = b"\n"

Table = dict[int, int]
Tables = dict[bytes, Table]


class PPMModel:
    """Context counts learnt from training messages; read-only once built."""

    __slots__ = ("_tables", "order")

    def __init__(self, order: int = DEFAULT_ORDER) -> None:
        self.order = order
        self._tables: Tables = {}

    @classmethod
    def trained(cls, messages: Iterable[str], order: int = DEFAULT_ORDER) -> PPMModel:
        model = cls(order)
        for message in messages:
            _Coding({}, model._tables, order).prime(message.encode())
        total = sum(model._tables.get(b"", {}).values())
        if 2 * total >= MAX_TOTAL:
            raise ValueError("training text too large for the coder's precision")
        return model

    def encode(self, data: bytes) -> bytes:
        return _Coding(self._tables, {}, self.order).encode(data)

    def decode(self, coded: bytes, max_bytes: int) -> bytes:
        """The bytes coded in ``coded``; :class:`CorruptError` when longer than ``max_bytes``."""
        return _Coding(self._tables, {}, self.order).decode(coded, max_bytes)


class _Coding:
    """The state of coding one message: the shared tables plus this message's overlay."""

    __slots__ = ("_base", "_history", "_order", "_overlay")

    def __init__(self, base: Tables, overlay: Tables, order: int) -> None:
        self._base = base
        self._overlay = overlay
        self._order = order
        self._history = _START * order

    def _table(self, order: int) -> Table | None:
        ctx = self._history[len(self._history) - order :] if order else b""
        table = self._overlay.get(ctx)
        return table if table is not None else self._base.get(ctx)

    def _advance(self, symbol: int, found_order: int) -> None:
        """Count ``symbol`` in the contexts from the longest down to where it was found
        (update exclusion: shorter contexts already knew it)."""
        history = self._history
        for order in range(self._order, max(found_order, 0) - 1, -1):
            ctx = history[len(history) - order :] if order else b""
            table = self._overlay.get(ctx)
            if table is None:
                table = dict(self._base.get(ctx, {}))
                self._overlay[ctx] = table
            table[symbol] = table.get(symbol, 0) + 1
        if symbol != END and self._order:
            self._history = history[1:] + bytes((symbol,))

    def _found_order(self, symbol: int) -> int:
        for order in range(self._order, -1, -1):
            table = self._table(order)
            if table is not None and symbol in table:
                return order
        return -1

    def prime(self, data: bytes) -> None:
        """Learn one training message (the overlay *is* the shared table while priming)."""
        for symbol in (*data, END):
            self._advance(symbol, self._found_order(symbol))

    def encode(self, data: bytes) -> bytes:
        coder = ArithmeticEncoder()
        for symbol in (*data, END):
            self._advance(symbol, self._encode_symbol(coder, symbol))
        return coder.finish()

    def _encode_symbol(self, coder: ArithmeticEncoder, symbol: int) -> int:
        excluded: set[int] = set()
        for order in range(self._order, -1, -1):
            table = self._table(order)
            if table is None:
                continue
            total = distinct = 0
            low = high = -1
            for sym, count in table.items():
                if sym in excluded:
                    continue
                if sym == symbol:
                    low, high = total, total + 2 * count - 1
                total += 2 * count - 1
                distinct += 1
            if not distinct:
                continue
            if low >= 0:
                coder.encode(low, high, total + distinct)
                return order
            # Escape (PPMD: weight = number of distinct symbols), excluding what we saw.
            coder.encode(total, total + distinct, total + distinct)
            excluded.update(table)
        rank = symbol - sum(1 for e in excluded if e < symbol)
        coder.encode(rank, rank + 1, _ALPHABET - len(excluded))
        return -1

    def decode(self, coded: bytes, max_bytes: int) -> bytes:
        coder = ArithmeticDecoder(coded)
        out = bytearray()
        while True:
            symbol, order = self._decode_symbol(coder)
            self._advance(symbol, order)
            if symbol == END:
                return bytes(out)
            if len(out) >= max_bytes:
                raise CorruptError(f"compressed text expands beyond {max_bytes} bytes")
            out.append(symbol)

    def _decode_symbol(self, coder: ArithmeticDecoder) -> tuple[int, int]:
        excluded: set[int] = set()
        for order in range(self._order, -1, -1):
            table = self._table(order)
            if table is None:
                continue
            items = [(s, 2 * c - 1) for s, c in table.items() if s not in excluded]
            if not items:
                continue
            total = sum(w for _, w in items)
            target = coder.target(total + len(items))
            if target >= total:
                coder.consume(total, total + len(items), total + len(items))
                excluded.update(table)
                continue
            low = 0
            for sym, weight in items:
                if target < low + weight:
                    coder.consume(low, low + weight, total + len(items))
                    return sym, order
                low += weight
        candidates = [s for s in range(_ALPHABET) if s not in excluded]
        target = coder.target(len(candidates))
        if not 0 <= target < len(candidates):
            raise CorruptError("compressed text is not a valid code stream")
        coder.consume(target, target + 1, len(candidates))
        return candidates[target], -1
