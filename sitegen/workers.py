"""Run chunks of work on every core: forked workers inherit the model, so nothing big is pickled."""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_task: Callable | None = None


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def split(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """Consecutive chunks of `size` items (the last may be shorter), as `map_chunks` hands them out."""
    return [items[i: i + size] for i in range(0, len(items), size)]


def map_chunks(task: Callable[[Sequence[T]], R], items: Sequence[T], jobs: int, chunk: int) -> Iterator[R]:
    """`task` applied to consecutive chunks of `items`, yielded in order as they finish (so the caller can
    store each before the next arrives); in forked workers when that pays off."""
    with started(task, items, jobs if jobs > 1 and len(items) > chunk else 0, chunk) as results:
        yield from results


@contextmanager
def started(task: Callable[[Sequence[T]], R], items: Sequence[T], workers: int, chunk: int) -> Iterator[Iterator[R]]:
    """Start `task` on consecutive chunks of `items` in up to `workers` forked processes, which see this
    process as it is now; the results, in order, can be collected while the context lasts (its end stops
    the workers). With no workers (or no fork) the task runs here, as the results are collected."""
    chunks = split(items, chunk)
    if workers < 1 or not chunks or "fork" not in multiprocessing.get_all_start_methods():
        yield map(task, chunks)
        return
    global _task
    _task = task
    try:
        pool = multiprocessing.get_context("fork").Pool(min(workers, len(chunks)))  # the workers fork here
    finally:
        _task = None
    with pool:
        yield pool.imap(_run, chunks)


def _run(chunk: Sequence) -> object:
    assert _task is not None
    return _task(chunk)
