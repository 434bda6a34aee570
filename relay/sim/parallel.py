"""Benchmark runs on several processes: a region run takes 5-40 s of wall time.

Each run is a picklable, argument-free callable (a frozen dataclass with ``__call__``),
so the same task runs in this process (``jobs=1``, easy to debug) or in a pool. Results
come back in the order of the tasks whatever order they finish in; ``on_done`` hears of
each as it finishes, with its index (the tools print progress lines from it; library
code never prints).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")


def _call(indexed: tuple[int, Callable[[], T]]) -> tuple[int, T]:
    index, task = indexed
    return index, task()


def run_all(
    tasks: Sequence[Callable[[], T]],
    jobs: int = 2,
    on_done: Callable[[int, int, int, T], None] | None = None,
) -> list[T]:
    """Run every task; ``on_done(done, total, index, result)`` after each one."""
    results: dict[int, T] = {}
    indexed = list(enumerate(tasks))
    if jobs <= 1 or len(tasks) <= 1:
        finished = map(_call, indexed)
        return _collect(finished, len(tasks), results, on_done)
    # fork: the children inherit the loaded modules, so a pool starts in milliseconds.
    with multiprocessing.get_context("fork").Pool(min(jobs, len(tasks))) as pool:
        return _collect(pool.imap_unordered(_call, indexed), len(tasks), results, on_done)


def _collect(
    finished: Iterable[tuple[int, T]],
    total: int,
    results: dict[int, T],
    on_done: Callable[[int, int, int, T], None] | None,
) -> list[T]:
    for index, result in finished:
        results[index] = result
        if on_done is not None:
            on_done(len(results), total, index, result)
    return [results[i] for i in range(total)]
