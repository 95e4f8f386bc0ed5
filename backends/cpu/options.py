"""Options of the cpu target (`snnc.compile(..., target="cpu", **options)`).

* ``prefix`` (str, "snnc") — prefix of every exported C symbol (``<prefix>_run`` …), so that
  several models link into one program. Must be a C identifier (letters, digits and single
  underscores, starting with a letter, at most 32 characters).
* ``kernels`` ("auto") — synaptic kernel choice for linear/conv2d layers: "auto" (per layer,
  the least estimated time for the layer's shape, input density and SIMD path; see
  `kernels.py`), or force "bitplane", "event" or "direct" wherever that kernel applies.
* ``density`` (float, 0) — the spike density auto assumes for every spiking value (neuron
  outputs, graph inputs); 0: the default (`kernels.DEFAULT_DENSITY`).
* ``calibration`` (str) — an snnc array file of inputs (`write_arrays`, one [T, B, *shape]
  array per graph input): auto then uses each layer's input density measured on them (the
  reference interpreter, first few samples) instead of the estimate.
* ``threads`` (int, 0) — worker threads of `run()`; 0 means: the environment variable
  ``SNNC_NUM_THREADS`` read when the model runs, else the cores the process may use
  (``os.sched_getaffinity``; the standalone runner: the online CPUs).
* ``threading`` ("auto") — "openmp" (when the compiler accepts -fopenmp), "pthreads", "none",
  or "auto": pthreads (POSIX threads work everywhere `run()` does and never spin; OpenMP is
  used only when asked for).
* ``cc`` (str) — C compiler for `run()`; default: the ``CC`` environment variable, else ``cc``.
* ``opt`` (int 0..3, 3) — optimisation level of the `run()` build; ``march`` (str, "native") —
  the -march value ("" to leave it out; ignored when the compiler rejects it).
* ``profile`` (bool, False) — build `run()` with per-node timers (`runner.profile()`).
* ``simd`` ("auto") — the kernels' SIMD path (`simd.py`): "auto" (the best the build's flags
  allow: with ``march=native``, this CPU's), or force "avx512" (VPOPCNTDQ), "avx2" (vpshufb
  popcount; also turns AVX-512 off) or "portable" (plain C). A forced path this CPU cannot run
  is refused when `run()` builds.
* ``portable`` (bool, False) — the same as ``simd=portable``: plain C only (no intrinsics, a
  SWAR popcount), as the sources build on compilers other than GCC and Clang.
* ``block`` (int, 0) — samples a thread runs through all timesteps together; 0: as many as
  keep their buffers within about 2 MiB (at most 64).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..common.names import check_identifier
from ..target import TargetError

_MARCH = re.compile(r"^[A-Za-z0-9_.+-]{0,40}$")


def _error(message: str) -> TargetError:
    return TargetError(f"cpu {message}")


@dataclass(frozen=True)
class CpuOptions:
    """The fields are the option names (module docstring); their types are checked by the option parser,
    the ranges here."""
    prefix: str = "snnc"
    kernels: Literal["auto", "bitplane", "event", "direct"] = "auto"
    density: float = 0.0
    calibration: str | None = None
    threads: int = 0
    threading: Literal["auto", "openmp", "pthreads", "none"] = "auto"
    cc: str | None = None
    opt: int = 3
    march: str = "native"
    profile: bool = False
    simd: Literal["auto", "avx512", "avx2", "portable"] = "auto"
    portable: bool = False
    block: int = 0

    @property
    def simd_path(self) -> str:
        """The SIMD path asked for: `simd`, or "portable" when `portable` is set."""
        return "portable" if self.portable else self.simd

    def __post_init__(self):
        check_identifier(self.prefix, "prefix", _error, what="a plain C identifier", example="snnc", max_len=32)
        if not 0 <= self.threads <= 1024:
            raise _error(f"option threads={self.threads!r}; expected an integer 0..1024 "
                         "(0: SNNC_NUM_THREADS at run time, else every core the process may use)")
        if not 0.0 <= self.density <= 1.0:
            raise _error(f"option density={self.density!r}; expected a share of active inputs in [0, 1] "
                         "(0: the default estimate)")
        if self.opt not in (0, 1, 2, 3):
            raise _error(f"option opt={self.opt!r}; expected 0, 1, 2 or 3")
        if not _MARCH.match(self.march):
            raise _error(f"option march={self.march!r}; expected a -march value such as 'native', "
                         "'x86-64-v3' or '' (none)")
        if self.cc is not None and not self.cc.strip():
            raise _error(f"option cc={self.cc!r}; expected the path or name of a C compiler")
        if self.portable and self.simd not in ("auto", "portable"):
            raise _error(f"options portable=True and simd={self.simd!r} contradict each other; drop one "
                         "(portable=True is simd=portable)")
        if not 0 <= self.block <= 1 << 20:
            raise _error(f"option block={self.block!r}; expected an integer ≥ 0 (0: automatic)")
