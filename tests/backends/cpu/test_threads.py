"""Threads split the batch; outputs never depend on the thread count or the threading backend.
The thread count is read when the model runs (option, else SNNC_NUM_THREADS, else the cores the
process may use), never at import."""
import os

import numpy as np
import pytest

from cpuhelp import inputs_for
from snnc.backends import get_target
from snnc.backends.reference import run as reference_run
from snnc.ir import Graph

rng = np.random.default_rng(5)


def net() -> Graph:
    g = Graph("threads")
    g.add("input", attrs={"shape": (100,), "dtype": "spike"}, name="x")
    g.add("linear", ["x"], params={"weight": rng.integers(-1, 2, (50, 100)).astype(np.int8)}, name="fc")
    g.add("lif_int", ["fc"], attrs={"shift": 1, "state_bits": 16},
          params={"leak": np.full((1, 1), 1, np.int32), "threshold": np.full((1, 1), 4, np.int32)}, name="lif")
    g.add("output", ["lif"], name="y")
    return g.verify()


@pytest.fixture(scope="module")
def runners():
    g = net()
    tgt = get_target("cpu")
    return g, {t: tgt.load(None, g, {"opt": 1, "threading": t}) for t in ("pthreads", "openmp", "none")}


def test_thread_counts_give_identical_outputs(runners):
    g, rs = runners
    x = inputs_for(g, 6, 7, rng, density=0.4)
    want = reference_run(g, x)
    for threading, r in rs.items():
        for threads in (1, 2, 3, 7, 16):
            r.threads = threads
            assert r.threads_used(7) == min(threads, 7)
            assert np.array_equal(r.run(x), want), (threading, threads)


def test_threading_backends(runners):
    _, rs = runners
    assert rs["pthreads"].threading == "pthreads" and rs["none"].threading == "none"
    assert rs["openmp"].threading in ("openmp", "pthreads")        # pthreads when -fopenmp is unavailable


def test_thread_count_from_environment_at_run_time(runners, monkeypatch):
    g, rs = runners
    r = rs["pthreads"]
    r.threads = 0
    monkeypatch.delenv("SNNC_NUM_THREADS", raising=False)
    cores = len(os.sched_getaffinity(0))
    assert r.threads_used(8) == min(cores, 8)                  # by default: the cores this process may use
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert r.threads_used(8) == 3 and r.threads_used(2) == 2
    monkeypatch.setenv("SNNC_NUM_THREADS", "3")
    assert r.threads_used(8) == 3 and r.threads_used(2) == 2
    x = inputs_for(g, 3, 8, rng)
    assert np.array_equal(r.run(x), reference_run(g, x))
    monkeypatch.setenv("SNNC_NUM_THREADS", "not-a-number")
    assert r.threads_used(8) == 3                              # ignored: the cores again
    r.threads = 2
    assert r.threads_used(8) == 2                              # the option wins over both


@pytest.mark.parametrize("block", [1, 2, 3])
def test_blocks_restart_the_state(block):
    """A thread's chunk runs `block` samples at a time; each block starts from zero state."""
    g = net()
    r = get_target("cpu").load(None, g, {"opt": 1, "block": block})
    x = inputs_for(g, 5, 7, rng, density=0.5)
    want = reference_run(g, x)
    for threads in (1, 2, 3):
        r.threads = threads
        assert np.array_equal(r.run(x), want), threads
