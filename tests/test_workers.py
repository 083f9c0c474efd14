"""Chunked work on forked workers: order, where tasks run, what they see, and errors."""
from __future__ import annotations

import os
import pickle

import pytest

from sitegen.workers import default_jobs, map_chunks, split, started


def test_split_gives_consecutive_chunks_the_last_shorter():
    assert split(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert split([], 3) == []
    assert split("abcd", 2) == ["ab", "cd"]


def test_default_jobs_is_the_cores_this_process_may_use():
    assert default_jobs() == len(os.sched_getaffinity(0)) >= 1


def test_one_job_runs_every_chunk_here_in_order():
    seen = []

    def task(chunk):
        seen.append(os.getpid())
        return sum(chunk)

    assert list(map_chunks(task, list(range(10)), 1, 3)) == [3, 12, 21, 9]
    assert seen == [os.getpid()] * 4


def test_workers_return_chunk_results_in_order_from_other_processes():
    def task(chunk):
        return os.getpid(), [n * n for n in chunk]

    results = list(map_chunks(task, list(range(40)), 2, 4))
    assert [squares for _, squares in results] == [[n * n for n in range(i, i + 4)] for i in range(0, 40, 4)]
    assert os.getpid() not in {pid for pid, _ in results}


def test_forked_workers_see_this_process_without_pickling_the_task():
    big = {n: str(n) for n in range(10_000)}

    def task(chunk):
        return [big[n] for n in chunk]

    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(task)
    assert list(map_chunks(task, [1, 2, 3, 9_999], 2, 1)) == [["1"], ["2"], ["3"], ["9999"]]


def test_a_small_job_list_stays_in_this_process():
    assert list(map_chunks(lambda chunk: os.getpid(), [1, 2], 2, 5)) == [os.getpid()]


def test_without_workers_the_task_runs_only_as_results_are_collected():
    calls = []
    with started(lambda chunk: calls.append(chunk) or len(chunk), [1, 2, 3], 0, 2) as results:
        assert calls == []
        assert next(results) == 2
        assert calls == [[1, 2]]


def test_started_workers_run_while_the_caller_does_other_work():
    with started(lambda chunk: os.getpid(), [None], 1, 1) as results:
        assert next(results) != os.getpid()


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_error_in_a_task_reaches_the_caller(jobs):
    def task(chunk):
        if 5 in chunk:
            raise ValueError("chunk with 5")
        return chunk

    with pytest.raises(ValueError, match="chunk with 5"):
        list(map_chunks(task, list(range(8)), jobs, 2))
