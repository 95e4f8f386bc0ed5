"""The cpu target's builds with the shared C toolchain (`backends.common.toolchain`): the
compiler (the `cc` option, else ``CC``, else ``cc``), the flags the options ask for (those the
compiler may not know, ``-march=…`` and ``-fopenmp``, are probed and left out when rejected),
and the shared library of one or several emitted models."""
from __future__ import annotations

from pathlib import Path

from ..common import toolchain
from ..common.toolchain import Compiler
from ..target import TargetError
from . import simd
from .options import CpuOptions

SOURCES = ("model.c", "weights.c")
HINT = "; try the cpu option opt=1"


def compiler(opts: CpuOptions) -> Compiler:
    return toolchain.find_compiler("c", opts.cc, target="cpu", option="cc")


def flags(cc: Compiler, opts: CpuOptions) -> list[str]:
    out = [f"-O{opts.opt}", "-std=c99"]
    if opts.march and toolchain.accepts(cc, f"-march={opts.march}"):
        out.append(f"-march={opts.march}")
        if opts.march == "native":      # the build cache's key must name the CPU that "native" means
            out.append(f"-DSNNC_BUILT_FOR_CPU={simd.cpu_identity()}")
    if opts.threading == "openmp" and toolchain.accepts(cc, "-fopenmp"):
        out.append("-fopenmp")
    elif opts.threading == "none":
        out.append("-DSNNC_NO_THREADS")
    else:
        out.append("-pthread")
    if opts.profile:
        out.append("-DSNNC_PROFILE")
    path = opts.simd_path
    if path != "auto" and not simd.can_run(path):
        raise TargetError(f"cpu option simd={path}: {simd.why_not(path)}, so a library built for it could not run "
                          f"here; use simd=auto (the best this CPU runs: {simd.best()}) or simd=portable")
    forced = simd.force_flags(path)
    bad = [f for f in forced if f.startswith("-m") and not toolchain.accepts(cc, f)]
    if bad:
        raise TargetError(f"cpu option simd={path}: the C compiler {cc.argv[0]!r} rejects {' '.join(bad)}; "
                          "use simd=auto or simd=portable, or another compiler (option cc=...)")
    out.extend(forced)
    return out


def build_shared(src_dir: Path, lib: Path, opts: CpuOptions) -> Path:
    """Compile model.c and weights.c of `src_dir` into the shared library `lib`."""
    cc = compiler(opts)
    return toolchain.build(cc, [*flags(cc, opts), "-fPIC", "-shared"], [Path(src_dir) / s for s in SOURCES], lib,
                           what=f"the shared library of {src_dir}", cwd=Path(src_dir), hint=HINT)


def build_shared_many(src_dirs: list[Path], lib: Path, opts: CpuOptions) -> Path:
    """Compile several emitted models (each with its own `prefix`) into ONE shared library.

    A single translation unit includes every model's model.c and weights.c, so the compiler
    runs once and parses the runtime header once — how the tests build hundreds of graphs."""
    cc = compiler(opts)
    bad = [str(d) for d in src_dirs if any(ch in str(Path(d).resolve()) for ch in '"\\\n')]
    if bad:
        raise TargetError(f"cannot include model folders whose path contains quotes, backslashes or "
                          f"newlines: {bad[0]!r}")
    unity = Path(lib).with_suffix(".unity.c")
    unity.write_text("".join(f'#include "{Path(d).resolve() / s}"\n' for d in src_dirs for s in SOURCES))
    return toolchain.build(cc, [*flags(cc, opts), "-fPIC", "-shared"], [unity], lib,
                           what=f"a library of {len(src_dirs)} models", depends=src_dirs, cwd=Path(lib).parent,
                           hint=HINT)
