"""Run a compiled C model in-process: build its shared library, load it with ctypes, call it.

`CpuRunner.run(x)` takes what the reference interpreter takes (one array [T, B, *shape] of raw
integers, or a dict input name → array), checks it the same way (`bind_inputs`), converts each
input to its C storage type, calls ``<prefix>_run`` (the GIL is released during the call) and
returns int64 arrays shaped like the reference's outputs: one array, or a dict for several.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from snnc.ir import Graph

from ..reference.inputs import bind_inputs, check_run_length
from ..target import TargetError
from . import blob, toolchain
from .options import CpuOptions
from .plan import Plan

RUN_ERRORS = {1: "out of memory", 2: "bad arguments", 3: "a worker thread failed to start",
              4: "the library uses SIMD instructions this CPU lacks; rebuild it with the cpu option "
                 "simd=auto or simd=portable", 5: "its weights are not loaded"}


class CpuRunner:
    """A loaded C model. `CpuRunner.build(...)` compiles emitted sources; the constructor takes a
    library already loaded (several models with distinct prefixes may share one)."""

    def __init__(self, graph: Graph, plan: Plan, lib: ctypes.CDLL, opts: CpuOptions, weights: bytes | None = None,
                 where: str = "made from the plan"):
        self.graph, self.plan, self.opts, self.lib = graph, plan, opts, lib
        self.threads = opts.threads
        self._proven_T = 0
        p = plan.prefix
        self.load_weights(blob.pack(plan.arrays) if weights is None else weights, where)
        self._run = getattr(lib, f"{p}_run")
        self._run.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p),
                              ctypes.c_int32, ctypes.c_int32, ctypes.c_int32]
        self._run.restype = ctypes.c_int
        threading = getattr(lib, f"{p}_threading")
        threading.restype = ctypes.c_char_p
        self.threading = threading().decode()
        simd = getattr(lib, f"{p}_simd")
        simd.restype = ctypes.c_char_p
        self.simd = simd().decode()          # the SIMD path the library was built with (simd.py)
        self._threads_used = getattr(lib, f"{p}_threads_used")
        self._threads_used.argtypes = [ctypes.c_int32, ctypes.c_int32]
        self._threads_used.restype = ctypes.c_int32

    def threads_asked(self) -> int:
        """Threads a run asks for now: `threads`, else SNNC_NUM_THREADS (1..1024), else the cores this
        process may run on (`os.sched_getaffinity`, as PyTorch does)."""
        if self.threads > 0:
            return int(self.threads)
        env = os.environ.get("SNNC_NUM_THREADS", "").strip()
        if env.isdigit() and 1 <= int(env) <= 1024:
            return int(env)
        return available_cores()

    def threads_used(self, B: int) -> int:
        """Threads a run on a batch of B uses now (`threads_asked`, at most B)."""
        return int(self._threads_used(self.threads_asked(), int(B)))

    def load_weights(self, data: bytes, where: str = "given") -> None:
        """Load a weight blob (`blob.py`) into the library; TargetError when it is refused."""
        fn = getattr(self.lib, f"{self.plan.prefix}_load_weights")
        fn.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
        fn.restype = ctypes.c_int
        rc = fn(bytes(data), len(data))
        if rc:
            raise blob.load_error(rc, where)

    @classmethod
    def build(cls, graph: Graph, plan: Plan, src_dir: Path, opts: CpuOptions) -> "CpuRunner":
        """Compile the sources in `src_dir` into a temporary shared library, load it and its weights.bin."""
        path = Path(src_dir) / blob.FILE
        if not path.is_file():
            raise TargetError(f"{src_dir} holds no {blob.FILE}; emit the cpu target into it again")
        weights = path.read_bytes()
        return cls(graph, plan, load_library([Path(src_dir)], opts), opts, weights, str(path))

    def run(self, x):
        arrays = bind_inputs(self.graph, x)
        outs = self.run_raw([arrays[s.name].astype(s.ctype.np) for s in self.plan.inputs])
        result = {s.name: o.astype(np.int64) for s, o in zip(self.plan.outputs, outs)}
        return next(iter(result.values())) if len(result) == 1 else result

    def input_dtypes(self) -> list[np.dtype]:
        """NumPy dtypes of the C storage types of the inputs, in graph order (for `run_raw`)."""
        return [np.dtype(s.ctype.np) for s in self.plan.inputs]

    def run_raw(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        """The C call without checks or conversions beyond layout: `inputs` in graph order, each
        [T, B, *shape] of its `input_dtypes()` type and within its IR type's range (unchecked; only a
        run longer than the widths are proven for is refused, as by `run`);
        returns the outputs in their C storage types, in graph order."""
        specs = self.plan.inputs
        if not isinstance(inputs, (list, tuple)) or len(inputs) != len(specs):
            raise TargetError(f"run_raw takes a list of {len(specs)} array(s) [T, B, *shape], one per input in graph "
                              f"order ({', '.join(s.comment for s in specs)}); use run() for a dict or one array")
        arrays = [np.asarray(a) for a in inputs]
        for a, s in zip(arrays, specs):
            if a.dtype.kind not in "biu":
                raise TargetError(f"run_raw: input {s.comment!r} is an array of {a.dtype}; it takes raw integers "
                                  f"({s.ctype.np}, see input_dtypes()); run() converts and checks other arrays")
            if a.ndim < 2 or a.shape[2:] != tuple(s.shape) or 0 in a.shape[:2]:
                raise TargetError(f"run_raw: input {s.comment!r} has shape {list(a.shape)}; expected [T, B, "
                                  f"{', '.join(map(str, s.shape))}] with T, B ≥ 1")
        ins = [np.ascontiguousarray(a, dtype=s.ctype.np) for a, s in zip(arrays, specs)]
        T, B = ins[0].shape[:2]
        if T > 2**31 - 1 or B > 2**31 - 1 or any(a.shape[:2] != (T, B) for a in ins):
            raise TargetError(f"all inputs need the same T and B, within 32-bit integers (got {T}, {B})")
        if T > self._proven_T:                         # even unchecked runs stay within the proven T
            check_run_length(self.graph, int(T))
            self._proven_T = int(T)                    # a proof for T holds for every shorter run
        outs = [np.empty((T, B) + tuple(s.shape), s.ctype.np) for s in self.plan.outputs]
        in_ptrs = (ctypes.c_void_p * len(ins))(*[a.ctypes.data for a in ins])
        out_ptrs = (ctypes.c_void_p * len(outs))(*[a.ctypes.data for a in outs])
        rc = self._run(in_ptrs, out_ptrs, int(T), int(B), self.threads_asked())
        if rc:
            raise TargetError(f"the C model failed: {RUN_ERRORS.get(rc, f'error code {rc}')}")
        return outs

    def profile(self, reset: bool = True) -> dict[str, float]:
        """Seconds spent in each step (summed over threads) since the last reset; needs profile=True."""
        p = self.plan.prefix
        n = len(self.plan.steps)
        ns = (ctypes.c_int64 * max(n, 1))()
        if getattr(self.lib, f"{p}_profile")(ns) != 0:
            raise TargetError("the model was built without timers; load it with the cpu option profile=True")
        out = {s.node: ns[i] * 1e-9 for i, s in enumerate(self.plan.steps)}
        if reset:
            getattr(self.lib, f"{p}_profile_reset")()
        return out


def available_cores() -> int:
    """The number of CPUs this process may run on (its affinity mask; else the CPU count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def load_library(src_dirs: list[Path], opts: CpuOptions) -> ctypes.CDLL:
    """Build one shared library from one or more emitted model folders and load it."""
    tmp = Path(tempfile.mkdtemp(prefix="snnc-cpu-"))
    try:
        lib = tmp / "libsnncmodel.so"
        if len(src_dirs) == 1:
            toolchain.build_shared(src_dirs[0], lib, opts)
        else:
            toolchain.build_shared_many(src_dirs, lib, opts)
        return ctypes.CDLL(str(lib))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)      # the loaded library stays mapped
