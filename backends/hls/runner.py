"""Local C-simulation: the generated firmware compiled with g++ into a shared library, called by ctypes.

`CSimRunner(project_dir, graph, options)` copies the sources of an emitted project
(``csim/``, ``firmware/``, ``shim/``) into a private temporary folder (removed with the
runner), builds ``csim/<top>_csim.cpp`` and ``firmware/<top>.cpp`` there into a library
with the common toolchain, and `run(x)` calls ``<top>_csim_run`` once for the
whole batch: each sample is one call of the top function. x is what the reference
interpreter takes (raw integers ``[T, B, *shape]``, or a dict by input name); the
result has the reference's form (one array for one output, else a dict).
With the array interface, a T above the arrays' rows rebuilds the library with a
larger ``<top>_MAX_TIMESTEPS``.
"""
from __future__ import annotations

import ctypes
import shutil
import tempfile
import weakref
from pathlib import Path

import numpy as np

from snnc.ir import Graph

from ..common.toolchain import build, find_compiler
from ..reference.inputs import bind_inputs
from ..target import TargetError
from .options import HLSOptions
from .toolchain import hls_include, library_flags

SOURCES = ("csim", "firmware", "shim")

_P64 = ctypes.POINTER(ctypes.c_int64)


class CSimRunner:
    def __init__(self, project_dir: Path, graph: Graph, options: HLSOptions):
        self.graph, self.options = graph, options
        self.top = options.top
        self.cxx = find_compiler("c++", options.cxx, target="hls", option="cxx")
        self._tmp = Path(tempfile.mkdtemp(prefix="snnc-hls-"))
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self._tmp), True)
        self.dir = self._tmp / "project"
        for folder in SOURCES:
            if (Path(project_dir) / folder).is_dir():
                shutil.copytree(Path(project_dir) / folder, self.dir / folder)
        self.include = hls_include(options.hls_include, self.dir)
        self._builds = 0
        self.max_timesteps = options.max_timesteps     # None: as the rendered files say, until a longer run
        self._fn = self._build(self.max_timesteps)

    def _build(self, max_timesteps: int):
        self._builds += 1
        lib = self._tmp / f"lib{self.top}_{self._builds}.so"
        sources = [self.dir / "csim" / f"{self.top}_csim.cpp", self.dir / "firmware" / f"{self.top}.cpp"]
        defines = {f"{self.top}_MAX_TIMESTEPS": max_timesteps} if self.options.interface == "array" and \
            max_timesteps else {}
        shim = self.include == self.dir / "shim"
        flags = library_flags(self.include, werror=shim, flags=self.options.cxxflags, defines=defines)
        build(self.cxx, flags, sources, lib, what=f"the C-simulation of {self.top}",
              depends=[self.include] if shim else [], include_dirs=[] if shim else [self.include])
        return csim_function(ctypes.CDLL(str(lib)), self.top)

    def run(self, x):
        xs = bind_inputs(self.graph, x)
        T = next(iter(xs.values())).shape[0]
        if self.options.interface == "array" and T > (self.max_timesteps or 0):
            self.max_timesteps = T
            self._fn = self._build(T)
        return call_csim(self._fn, self.graph, xs, self.top)

    def close(self):
        self._finalizer()


def call_csim(fn, graph: Graph, xs: dict, top: str):
    """Call a ``<top>_csim_run`` function on checked inputs (name → int64 ``[T, B, *shape]``);
    returns the outputs in the reference interpreter's form."""
    arrays = [np.ascontiguousarray(xs[n.name], dtype=np.int64) for n in graph.inputs]
    T, B = arrays[0].shape[:2]
    outs = [np.empty((T, B) + tuple(n.type.shape), np.int64) for n in graph.outputs]
    x_ptrs = (_P64 * len(arrays))(*[a.ctypes.data_as(_P64) for a in arrays])
    y_ptrs = (_P64 * len(outs))(*[a.ctypes.data_as(_P64) for a in outs])
    rc = fn(x_ptrs, y_ptrs, int(T), int(B))
    if rc == -3:
        raise TargetError(f"hls target: the C-simulation of {top} deadlocked: a FIFO of its DATAFLOW region is too "
                          "shallow for the schedule (the blocked streams are printed on stderr); the depths snnc "
                          "computes never deadlock, so check edited depths, or emit with -O dataflow=false")
    if rc != 0:
        raise TargetError(f"hls target: the C-simulation of {top} failed (code {rc}) for T={T}, B={B}")
    if len(outs) == 1:
        return outs[0]
    return {n.name: a for n, a in zip(graph.outputs, outs)}


def csim_function(lib: ctypes.CDLL, top: str):
    """The typed ``<top>_csim_run`` entry point of a loaded library."""
    fn = getattr(lib, f"{top}_csim_run")
    fn.argtypes = [ctypes.POINTER(_P64), ctypes.POINTER(_P64), ctypes.c_int, ctypes.c_int]
    fn.restype = ctypes.c_int
    return fn
