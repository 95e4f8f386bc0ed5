"""Options of the cpu target (`snnc.compile(..., target="cpu", **options)`).

* ``prefix`` (str, "snnc") — prefix of every exported C symbol (``<prefix>_run`` …), so that
  several models link into one program. Must be a C identifier.
* ``kernels`` ("auto") — synaptic kernel choice for linear/conv2d layers: "auto" (per layer,
  see `kernels.py`), or force "bitplane", "event" or "direct" wherever that kernel applies.
* ``threads`` (int, 0) — worker threads of `run()`; 0 means: the environment variable
  ``SNNC_NUM_THREADS`` read when the model runs, else 1.
* ``threading`` ("auto") — "openmp" (when the compiler accepts -fopenmp), "pthreads", "none",
  or "auto": pthreads (POSIX threads work everywhere `run()` does and never spin; OpenMP is
  used only when asked for).
* ``cc`` (str) — C compiler for `run()`; default: the ``CC`` environment variable, else ``cc``.
* ``opt`` (int 0..3, 3) — optimisation level of the `run()` build; ``march`` (str, "native") —
  the -march value ("" to leave it out; ignored when the compiler rejects it).
* ``profile`` (bool, False) — build `run()` with per-node timers (`runner.profile()`).
* ``portable`` (bool, False) — build `run()` with -DSNNC_PORTABLE: plain C only (no intrinsics,
  a SWAR popcount), as the sources build on compilers other than GCC and Clang.
* ``block`` (int, 0) — samples a thread runs through all timesteps together; 0: as many as
  keep their buffers within about 2 MiB (at most 64).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..target import TargetError, check_option_names
from .naming import check_prefix

KERNEL_CHOICES = ("auto", "bitplane", "event", "direct")
THREADING_CHOICES = ("auto", "openmp", "pthreads", "none")
_MARCH = re.compile(r"^[A-Za-z0-9_.+-]{0,40}$")


@dataclass(frozen=True)
class CpuOptions:
    prefix: str = "snnc"
    kernels: str = "auto"
    threads: int = 0
    threading: str = "auto"
    cc: str | None = None
    opt: int = 3
    march: str = "native"
    profile: bool = False
    portable: bool = False
    block: int = 0

    @classmethod
    def parse(cls, options: dict | None) -> "CpuOptions":
        o = cls(**check_option_names("cpu", options, cls))
        check_prefix(o.prefix)
        if o.kernels not in KERNEL_CHOICES:
            raise TargetError(f"cpu option kernels={o.kernels!r}; expected one of {', '.join(KERNEL_CHOICES)}")
        if o.threading not in THREADING_CHOICES:
            raise TargetError(f"cpu option threading={o.threading!r}; "
                              f"expected one of {', '.join(THREADING_CHOICES)}")
        if isinstance(o.threads, bool) or not isinstance(o.threads, int) or not 0 <= o.threads <= 1024:
            raise TargetError(f"cpu option threads={o.threads!r}; expected an integer 0..1024 "
                              "(0: SNNC_NUM_THREADS at run time, else 1)")
        if isinstance(o.opt, bool) or o.opt not in (0, 1, 2, 3):
            raise TargetError(f"cpu option opt={o.opt!r}; expected 0, 1, 2 or 3")
        if not isinstance(o.march, str) or not _MARCH.match(o.march):
            raise TargetError(f"cpu option march={o.march!r}; expected a -march value such as 'native', "
                              "'x86-64-v3' or '' (none)")
        if o.cc is not None and (not isinstance(o.cc, str) or not o.cc.strip()):
            raise TargetError(f"cpu option cc={o.cc!r}; expected the path or name of a C compiler")
        if isinstance(o.block, bool) or not isinstance(o.block, int) or not 0 <= o.block <= 1 << 20:
            raise TargetError(f"cpu option block={o.block!r}; expected an integer ≥ 0 (0: automatic)")
        for flag in ("profile", "portable"):
            if not isinstance(getattr(o, flag), bool):
                raise TargetError(f"cpu option {flag}={getattr(o, flag)!r}; expected true or false")
        return o
