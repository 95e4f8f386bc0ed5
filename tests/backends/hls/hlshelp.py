"""Helpers of the hls tests: small graphs, and building many emitted projects into one library.

`build_batch(projects, work)` compiles the firmware, the C-simulation entry point and
the testbench of several emitted projects (each with its own `top`) as ONE
translation unit, so that a hundred random graphs cost a few compiler runs instead of
two hundred. Each testbench's `main` is renamed by the preprocessor and exported as
``extern "C" int tb_<top>(const char* dir)``; the emitted files themselves are used
unchanged.
"""
from __future__ import annotations

import ctypes
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from snnc.backends.common.toolchain import find_compiler
from snnc.backends.hls.runner import csim_function
from snnc.backends.hls.toolchain import WARN_FLAGS
from snnc.ir import Graph

SHIM = Path(__file__).resolve().parents[3] / "backends" / "hls" / "include"


def cxx() -> list[str]:
    """The C++ compiler command the hls target uses ($CXX, else g++)."""
    return list(find_compiler("c++", None, target="hls", option="cxx").argv)


@dataclass
class Built:
    top: str
    dir: Path
    csim: object          # the typed <top>_csim_run
    tb: object            # int tb_<top>(const char* dir)


def build_batch(projects: list[tuple[str, Path]], work: Path, opt: str = "-O0", include: Path = SHIM,
                werror: bool = True) -> dict[str, Built]:
    work.mkdir(parents=True, exist_ok=True)
    lines = []
    for top, d in projects:
        lines += [f'#include "{d}/firmware/{top}.cpp"', f'#include "{d}/csim/{top}_csim.cpp"',
                  f"#define main tb_main_{top}", f'#include "{d}/tb/tb_{top}.cpp"', "#undef main",
                  f'extern "C" int tb_{top}(const char* dir) {{',
                  '    char name[] = "tb";',
                  "    char* argv[] = {name, const_cast<char*>(dir), nullptr};",
                  f"    return tb_main_{top}(2, argv);", "}"]
    unity = work / "unity.cpp"
    unity.write_text("\n".join(lines) + "\n")
    lib = work / "libbatch.so"
    flags = [f for f in WARN_FLAGS if werror or f != "-Werror"]
    cmd = [*cxx(), *flags, "-isystem", str(include), opt, "-pthread", "-fPIC", "-shared", str(unity), "-o", str(lib)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, f"batch build failed:\n{r.stderr[-4000:]}"
    so = ctypes.CDLL(str(lib))
    out = {}
    for top, d in projects:
        tb = getattr(so, f"tb_{top}")
        tb.argtypes, tb.restype = [ctypes.c_char_p], ctypes.c_int
        out[top] = Built(top, d, csim_function(so, top), tb)
    return out


def check_built(built: Built, g: Graph, x: dict) -> None:
    """The C-simulation of `built` on `x` equals the reference interpreter, and its testbench passes."""
    from snnc.backends.hls.runner import call_csim
    from snnc.backends.reference import run as reference_run
    from snnc.backends.reference.inputs import bind_inputs

    want = reference_run(g, x)
    got = call_csim(built.csim, g, bind_inputs(g, x), built.top)
    if isinstance(want, dict):
        assert set(got) == set(want) and all(np.array_equal(got[k], want[k]) for k in want)
    else:
        assert np.array_equal(got, want), f"{built.top}: the C-simulation differs from the reference"
    assert built.tb(str(built.dir / "tb_data").encode()) == 0, f"{built.top}: the emitted testbench failed"


def chain(x_shape, x_dtype, *layers, name="g", timesteps=8) -> Graph:
    """input x → each (op, attrs, params) in turn → output y; the graph records `timesteps` (as
    integerize does: the hls target sizes the testbench and the estimates by it)."""
    g = Graph(name)
    if timesteps is not None:
        g.attrs["timesteps"] = timesteps
    g.add("input", attrs={"shape": x_shape, "dtype": x_dtype}, name="x")
    v = "x"
    for k, (op, attrs, params) in enumerate(layers):
        v = g.add(op, [v], attrs=attrs, params=params, name=f"l{k}").name
    g.add("output", [v], name="y")
    g.verify()
    return g


def p(value, rank=1, dtype=np.int32):
    """A static per-tensor integer broadcast parameter for a value of the given rank."""
    return np.full((1,) * (rank + 1), value, dtype)


def spikes(shape, seed=0, density=0.5):
    return (np.random.default_rng(seed).random(shape) < density).astype(np.int64)
