"""A tiny progress display (tqdm is not a dependency).

On a terminal the current epoch is drawn as a bar that is redrawn in place;
elsewhere (logs, pipes, CI) only the one-line summary of each epoch is
printed. Nothing is printed when `enabled` is false (other ranks, quiet runs).
"""
from __future__ import annotations

import sys
import time


class Progress:
    """Epoch bar: `update()` after each step, `close(summary)` at the epoch's end."""

    WIDTH = 24

    def __init__(self, total: int, label: str, stream=None, enabled: bool = True):
        self.total, self.label, self.done = max(int(total), 1), label, 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.live = enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.perf_counter()

    def update(self, n: int = 1, **values) -> None:
        self.done += n
        if not self.live:
            return
        filled = self.WIDTH * self.done // self.total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        extra = " ".join(f"{k}={v:.4g}" for k, v in values.items())
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total} {extra}")
        self.stream.flush()

    def close(self, summary: str) -> None:
        if not self.enabled:
            return
        prefix = "\r" if self.live else ""
        elapsed = time.perf_counter() - self.start
        self.stream.write(f"{prefix}{self.label} {summary} ({elapsed:.1f}s)\033[K\n" if self.live
                          else f"{self.label} {summary} ({elapsed:.1f}s)\n")
        self.stream.flush()
