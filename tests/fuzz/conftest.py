"""Fuzz tests (issue 12): make `fuzzhelp` and the cpu tests' `cpuhelp` importable, and print the
counts every fuzz test recorded (`fuzzhelp.record`) at the end of the run."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "backends", "cpu"))

from fuzzhelp import COUNTS, SECONDS  # noqa: E402


def pytest_terminal_summary(terminalreporter):
    if not COUNTS:
        return
    tr = terminalreporter
    tr.section("snnc fuzz counts")
    report = {}
    for kind in sorted(COUNTS):
        c = COUNTS[kind]
        total = sum(c.values())
        parts = ", ".join(f"{k} {v}" for k, v in c.most_common())
        tr.write_line(f"{kind}: {total} cases in {SECONDS[kind]:.1f} s — {parts}")
        report[kind] = {"cases": total, "seconds": round(SECONDS[kind], 2), "outcomes": dict(c)}
    path = os.environ.get("SNNC_FUZZ_REPORT")
    if path:
        with open(path, "w") as f:
            json.dump(report, f, indent=2)
