"""A binary arithmetic coder (Witten, Neal and Cleary, 1987) with a shortest-possible ending.

Integer arithmetic only, so encoder and decoder agree bit for bit on every machine.
Short messages are where the ending matters: instead of flushing a fixed two bits
plus the pending ones, :meth:`ArithmeticEncoder.finish` writes the fewest bits that
identify the final interval, and drops trailing zero bits (the decoder reads zeros past
the end of its input). That saves about a byte per message, and a byte is ~1 % of a frame.
"""

from __future__ import annotations

PRECISION = 32
_TOP = (1 << PRECISION) - 1
_HALF = 1 << (PRECISION - 1)
_QUARTER = 1 << (PRECISION - 2)
#: Largest total frequency a model may use: every symbol keeps a non-empty sub-interval.
MAX_TOTAL = _QUARTER


class ArithmeticEncoder:
    """Narrows an interval per symbol; emits bits as soon as they are settled."""

    __slots__ = ("_bits", "_high", "_low", "_pending")

    def __init__(self) -> None:
        self._low = 0
        self._high = _TOP
        self._pending = 0
        self._bits: list[int] = []

    def _emit(self, bit: int) -> None:
        self._bits.append(bit)
        if self._pending:
            # Underflow bits postponed while the interval straddled the midpoint.
            self._bits.extend([bit ^ 1] * self._pending)
            self._pending = 0

    def encode(self, cum_low: int, cum_high: int, total: int) -> None:
        """Code the symbol that owns ``[cum_low, cum_high)`` out of ``total``."""
        span = self._high - self._low + 1
        self._high = self._low + span * cum_high // total - 1
        self._low = self._low + span * cum_low // total
        while True:
            if self._high < _HALF:
                self._emit(0)
            elif self._low >= _HALF:
                self._emit(1)
                self._low -= _HALF
                self._high -= _HALF
            elif self._low >= _QUARTER and self._high < 3 * _QUARTER:
                self._pending += 1
                self._low -= _QUARTER
                self._high -= _QUARTER
            else:
                return
            self._low <<= 1
            self._high = (self._high << 1) | 1

    def finish(self) -> bytes:
        """The coded bytes: the shortest bit string inside the final interval, zero-padded."""
        for length in range(PRECISION + 1):
            step = 1 << (PRECISION - length)
            value = -(-self._low // step) * step  # smallest multiple of step >= low
            # With underflow bits pending, the first emitted bit also resolves them.
            if value <= self._high and (length > 0 or self._pending == 0):
                break
        for i in range(length):
            self._emit((value >> (PRECISION - 1 - i)) & 1)
        bits = self._bits
        while bits and bits[-1] == 0:
            bits.pop()
        out = bytearray((len(bits) + 7) // 8)
        for i, bit in enumerate(bits):
            if bit:
                out[i >> 3] |= 0x80 >> (i & 7)
        return bytes(out)


class ArithmeticDecoder:
    """Mirror of :class:`ArithmeticEncoder`; reads zero bits past the end of ``data``."""

    __slots__ = ("_data", "_high", "_low", "_nbits", "_pos", "_value")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._nbits = len(data) * 8
        self._pos = 0
        self._low = 0
        self._high = _TOP
        self._value = 0
        for _ in range(PRECISION):
            self._value = (self._value << 1) | self._next_bit()

    def _next_bit(self) -> int:
        pos = self._pos
        self._pos = pos + 1
        if pos >= self._nbits:
            return 0
        return (self._data[pos >> 3] >> (7 - (pos & 7))) & 1

    def target(self, total: int) -> int:
        """Where the coded value falls in ``[0, total)``; find the symbol owning it, then
        call :meth:`consume` with that symbol's range."""
        span = self._high - self._low + 1
        return ((self._value - self._low + 1) * total - 1) // span

    def consume(self, cum_low: int, cum_high: int, total: int) -> None:
        span = self._high - self._low + 1
        self._high = self._low + span * cum_high // total - 1
        self._low = self._low + span * cum_low // total
        while True:
            if self._high < _HALF:
                pass
            elif self._low >= _HALF:
                self._low -= _HALF
                self._high -= _HALF
                self._value -= _HALF
            elif self._low >= _QUARTER and self._high < 3 * _QUARTER:
                self._low -= _QUARTER
                self._high -= _QUARTER
                self._value -= _QUARTER
            else:
                return
            self._low <<= 1
            self._high = (self._high << 1) | 1
            self._value = (self._value << 1) | self._next_bit()
