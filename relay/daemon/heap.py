"""Give large freed memory back to the system (glibc), so probing leaves no lasting growth.

Each screen login's scrypt check allocates 16 MiB. glibc serves a block that large with
mmap and unmaps it on free, but then raises its "dynamic mmap threshold" above that size,
so every later check's block comes from the heap and is kept after free: a point daemon
grew from 65 to 116 MB after one login probe, and stayed there (tools/bench_memory.py).
Setting the threshold explicitly turns the dynamic adjustment off. Elsewhere (musl,
macOS) there is no such function or it does nothing; then nothing happens.
"""

from __future__ import annotations

import ctypes
import logging

log = logging.getLogger(__name__)

#: ``M_MMAP_THRESHOLD`` in glibc's malloc.h.
M_MMAP_THRESHOLD = -3
#: glibc's default threshold (128 KiB): larger blocks are mapped and returned on free.
THRESHOLD_BYTES = 128 * 1024


def return_large_blocks() -> bool:
    """Fix the mmap threshold; True if the C library took it."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    taken = bool(mallopt(M_MMAP_THRESHOLD, THRESHOLD_BYTES))
    log.debug("malloc mmap threshold fixed at %d bytes: %s", THRESHOLD_BYTES, taken)
    return taken
