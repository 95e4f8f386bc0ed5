"""Helpers of the fuzz tests (issue 12): shared budget, per-case time limit and counts.

``SNNC_FUZZ`` scales the number of cases (1 in CI, bounded to a couple of minutes; ``make fuzz``
runs 20×). Every case is run under `time_limit` (a hang fails the test) and its outcome is
counted with `record(kind, outcome)`; the counts — cases, outcomes by error class, seconds — are
printed at the end of the test run and written to ``$SNNC_FUZZ_REPORT`` when that is set.
"""
import os
import signal
import time
from collections import Counter, defaultdict
from contextlib import contextmanager


SCALE = max(1, int(os.environ.get("SNNC_FUZZ", "1")))
CASE_SECONDS = float(os.environ.get("SNNC_FUZZ_CASE_SECONDS", "20"))

COUNTS: dict[str, Counter] = defaultdict(Counter)
SECONDS: Counter = Counter()


def examples(n: int) -> int:
    """The number of cases of a fuzz test: `n` in CI, scaled by SNNC_FUZZ."""
    return n * SCALE


class Hang(Exception):
    """A fuzz case ran past its time limit."""


@contextmanager
def time_limit(kind: str, seconds: float = CASE_SECONDS):
    """Run one case under a wall-clock limit (SIGALRM); its time is added to `kind`'s total."""
    def alarm(signum, frame):
        raise Hang(f"a {kind} fuzz case ran for more than {seconds} s (a hang)")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    t0 = time.perf_counter()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        SECONDS[kind] += time.perf_counter() - t0


def record(kind: str, outcome: str) -> None:
    COUNTS[kind][outcome] += 1
