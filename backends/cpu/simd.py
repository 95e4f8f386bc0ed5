"""The SIMD paths of the C runtime and which one a build uses (the cpu option ``simd``).

* **avx512** — AVX-512 F + BW + VPOPCNTDQ: one ``vpopcntq`` counts eight 64-bit words, so a
  bit-plane dot product of 512 synapses is an AND and a popcount per weight plane.
* **avx2** — AVX2: the popcount of each byte by two ``vpshufb`` nibble-table look-ups, summed
  in byte lanes for up to 15 words and widened to 64-bit sums by ``vpsadbw`` (no scalar
  ``popcnt`` in the loop); event-driven accumulation adds int8 weight rows 16 (int16) or 8
  (int32) lanes per instruction into accumulators held in registers.
* **portable** — plain C99 (``-DSNNC_PORTABLE``): a SWAR popcount, no intrinsics; builds with
  any C compiler.

``simd="auto"`` lets the runtime header pick the best path the build's compiler flags allow
(``-march=native``: this machine's), so one emitted folder built on another machine uses that
machine's. A forced path adds its flags after ``-march`` (``avx2`` also turns AVX-512 off, so it
can be measured on an AVX-512 machine) and is refused, before anything is built, when this
CPU cannot run it. The generated library checks again when it runs (`RUN_ERRORS` code 4), so a
library copied to an older CPU fails with a message instead of an illegal instruction.
"""
from __future__ import annotations

import functools
import hashlib
import platform
from pathlib import Path

PATHS = ("avx512", "avx2", "portable")
# path → (CPU flags of /proc/cpuinfo it needs, compiler flags that force it)
REQUIRES = {
    "avx512": (("avx512f", "avx512bw", "avx512_vpopcntdq", "avx2", "popcnt"),
               ("-mavx2", "-mpopcnt", "-mavx512f", "-mavx512bw", "-mavx512vpopcntdq", "-DSNNC_SIMD_FORCE=3")),
    "avx2": (("avx2", "popcnt"), ("-mavx2", "-mpopcnt", "-mno-avx512f", "-DSNNC_SIMD_FORCE=2")),
    "portable": ((), ("-DSNNC_PORTABLE",)),
}


@functools.lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The feature flags of this machine's CPU (Linux /proc/cpuinfo; empty elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


@functools.lru_cache(maxsize=1)
def cpu_identity() -> str:
    """A short hash of this CPU's model name and feature flags: what ``-march=native`` compiles
    for, so that a build cache shared by several machines never hands one another's build."""
    model = ""
    try:
        model = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                      if ln.startswith("model name")), "")
    except OSError:
        pass
    text = f"{platform.machine()}|{model or platform.processor()}|{' '.join(sorted(cpu_flags()))}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def is_x86() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64", "i686", "i386")


def can_run(path: str) -> bool:
    """Whether this CPU can run code built for `path` (auto: always)."""
    if path in ("portable", "auto"):
        return True
    return is_x86() and set(REQUIRES[path][0]) <= cpu_flags()


def why_not(path: str) -> str:
    """Why this CPU cannot run `path` (for messages and test skips)."""
    if not is_x86():
        return f"this CPU ({platform.machine()}) is not x86-64"
    missing = sorted(set(REQUIRES[path][0]) - cpu_flags())
    return f"this CPU lacks {', '.join(missing)}"


def best() -> str:
    """The fastest path this CPU runs (what ``simd=auto`` with ``-march=native`` gives)."""
    return next(p for p in PATHS if can_run(p))


def resolve(simd: str, march: str) -> str:
    """The path a build with these options uses on this machine (what the kernel choice's costs
    are for): the forced one, else with -march=native the best this CPU runs, else "scalar" (a
    generic -march: C with the compiler's popcount; the header may still find AVX2 among that
    -march's features)."""
    if simd != "auto":
        return simd
    return best() if march == "native" else "scalar"


def force_flags(simd: str) -> tuple[str, ...]:
    """Compiler flags that force `simd` (none for auto)."""
    return () if simd == "auto" else REQUIRES[simd][1]


def features() -> str:
    """The SIMD features of this CPU that the runtime can use, as one line."""
    want = ("avx2", "popcnt", "bmi2", "avx512f", "avx512bw", "avx512_vpopcntdq")
    have = [f for f in want if f in cpu_flags()]
    return " ".join(have) if have else "none of " + " ".join(want)
