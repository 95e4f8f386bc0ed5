"""Progress output: step lines for compilation, a bar for long loops.

Progress goes to stdout, so that stderr carries nothing but the one-line error
when something goes wrong; the bar redraws in place only on a terminal, and
prints a few plain lines otherwise (readable CI logs)."""
from __future__ import annotations

import sys
import time


class Steps:
    """`steps("tracing …")` prints `[  0.4s] tracing …` on stdout."""

    def __init__(self, quiet: bool = False, stream=None):
        self.t0 = time.perf_counter()
        self.quiet = quiet
        self.stream = stream or sys.stdout

    def __call__(self, message: str):
        if not self.quiet:
            print(f"[{time.perf_counter() - self.t0:6.1f}s] {message}", file=self.stream, flush=True)


def bar(iterable, total: int, label: str, quiet: bool = False, stream=None):
    """Yield from `iterable`, drawing `label [#####.....] k/total` on stdout."""
    stream = stream or sys.stdout
    tty = hasattr(stream, "isatty") and stream.isatty()
    width, shown = 30, -1
    for k, item in enumerate(iterable, 1):
        yield item
        if quiet:
            continue
        filled = int(width * k / max(total, 1))
        if tty:
            print(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {k}/{total}", end="", file=stream,
                  flush=True)
        elif total >= 8 and filled != shown and (filled % 10 == 0 or k == total):
            print(f"{label}: {k}/{total}", file=stream, flush=True)   # a few plain lines, for logs
        shown = filled
    if tty and not quiet:
        print(file=stream)
