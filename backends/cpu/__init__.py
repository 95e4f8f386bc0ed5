"""snnc.backends.cpu — the `cpu` target: a generated C99 runtime, bit-exact with the reference.

`render` gives, from Jinja templates (`templates/cpu/`):

* ``model.h`` / ``model.c`` — ``<prefix>_run(inputs, outputs, T, B, threads)``: one static
  function per graph node, run in graph order at each timestep; the batch is split into
  contiguous chunks, one per thread (pthreads, or OpenMP with ``threading="openmp"``);
* ``weights.c`` / ``weights.h`` — constant arrays: ternary weights packed as +1 / −1 bit planes
  (`packing.py`), other weights transposed for event-driven accumulation, per-timestep
  parameters expanded to ``[T_p][size]`` (uniform ones become literals);
* ``snnc_rt.h`` — the popcount and event-driven cores and bit packing, on the SIMD path the
  build's flags allow (`simd.py`: AVX-512 VPOPCNTDQ, AVX2 vpshufb popcount, portable C; the
  cpu option ``simd`` forces one);
* ``main.c`` + ``Makefile`` — a standalone runner reading and writing snnc array files
  (`iofile.py`); ``README.md`` describes the folder.

Synaptic kernels are chosen per layer (`kernels.py`): bit-plane popcount for binary or k-bit
unsigned inputs times ternary weights, event-driven accumulation otherwise. Arithmetic is exact:
every value and state is stored in the narrowest C type of its IR type, and computed in a type
proven wide enough (int32, int64 or 128-bit) by the same bounds the reference interpreter uses.

The plan (`plan.py`) is one typed step per node (`steps.py`), made by the planner of the node's
op (`PLANNERS`, the target's op table). `open` compiles the sources with the system C compiler
(``cc`` option, ``CC``, else ``cc``; `backends.common.toolchain`) into a shared library and
returns a `CpuRunner` (ctypes).
"""
from .iofile import read_arrays, write_arrays
from .options import CpuOptions
from .plan import build_plan
from .runner import CpuRunner, load_library
from .target import CpuTarget

__all__ = ["CpuTarget", "CpuRunner", "load_library", "CpuOptions", "build_plan", "read_arrays", "write_arrays"]
