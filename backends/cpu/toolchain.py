"""The system C compiler: finding it, probing its flags, building a model's shared library.

The compiler is the `cc` option, else the ``CC`` environment variable (read when a model is
built, never at import), else ``cc``; it may carry arguments (``CC="ccache gcc"``). A missing
compiler or a failed build is a `TargetError` that names the compiler and the way to fix it.
Flags the compiler may not know (``-march=…``, ``-fopenmp``) are probed once per compiler
and left out when rejected.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..target import TargetError, ToolNotFoundError
from .options import CpuOptions

SOURCES = ("model.c", "weights.c")
BUILD_TIMEOUT_S = 900
_PROBES: dict[tuple, bool] = {}


def compiler(opts: CpuOptions) -> list[str]:
    """The compiler command (argv prefix); TargetError when it cannot be found."""
    env_cc = os.environ.get("CC", "").strip()
    spec, origin = ((opts.cc, "the cpu option cc") if opts.cc else
                    (env_cc, "the CC environment variable") if env_cc else ("cc", "the default"))
    try:
        argv = shlex.split(spec)
    except ValueError as e:
        raise TargetError(f"cannot parse the C compiler {spec!r} from {origin}: {e}") from None
    if not argv or shutil.which(argv[0]) is None:
        raise ToolNotFoundError(f"C compiler {argv[0] if argv else spec!r} (from {origin}) not found; install a C99 "
                          "compiler (gcc or clang) or point the CC environment variable or the cpu option "
                          "cc=... at one")
    return argv


def accepts(cc: list[str], flag: str) -> bool:
    """Whether the compiler builds an empty program with `flag` (cached per compiler and flag)."""
    key = (tuple(cc), flag)
    if key not in _PROBES:
        with tempfile.TemporaryDirectory(prefix="snnc-probe-") as tmp:
            src = Path(tmp) / "probe.c"
            src.write_text("int main(void) { return 0; }\n")
            try:
                r = subprocess.run([*cc, flag, str(src), "-o", str(Path(tmp) / "probe")], capture_output=True,
                                   timeout=120)
                _PROBES[key] = r.returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                _PROBES[key] = False
    return _PROBES[key]


def threading_flags(cc: list[str], threading: str) -> list[str]:
    if threading == "openmp" and accepts(cc, "-fopenmp"):
        return ["-fopenmp"]
    if threading == "none":
        return ["-DSNNC_NO_THREADS"]
    return ["-pthread"]


def flags(cc: list[str], opts: CpuOptions) -> list[str]:
    out = [f"-O{opts.opt}", "-std=c99"]
    if opts.march and accepts(cc, f"-march={opts.march}"):
        out.append(f"-march={opts.march}")
    out += threading_flags(cc, opts.threading)
    if opts.profile:
        out.append("-DSNNC_PROFILE")
    if opts.portable:
        out.append("-DSNNC_PORTABLE")
    return out


def run_compiler(cmd: list[str], cwd: Path, what: str) -> None:
    try:
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    except FileNotFoundError:
        raise ToolNotFoundError(f"C compiler {cmd[0]!r} not found; set CC or the cpu option cc=...") from None
    except subprocess.TimeoutExpired:
        raise TargetError(f"building {what} took more than {BUILD_TIMEOUT_S} s; try opt=1") from None
    if r.returncode != 0:
        tail = "\n".join((r.stderr or r.stdout).strip().splitlines()[-20:])
        raise TargetError(f"the C compiler failed building {what} ({' '.join(cmd[:3])} …):\n{tail}")


def build_shared(src_dir: Path, lib: Path, opts: CpuOptions) -> Path:
    """Compile model.c and weights.c of `src_dir` into the shared library `lib`."""
    cc = compiler(opts)
    cmd = [*cc, *flags(cc, opts), "-fPIC", "-shared", "-o", str(lib), *(str(Path(src_dir) / s) for s in SOURCES)]
    run_compiler(cmd, Path(src_dir), f"the shared library of {src_dir}")
    return lib


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
    cmd = [*cc, *flags(cc, opts), "-fPIC", "-shared", "-o", str(lib), str(unity)]
    run_compiler(cmd, Path(lib).parent, f"a library of {len(src_dirs)} models")
    return lib


def build_runner(src_dir: Path, exe: Path, opts: CpuOptions) -> Path:
    """Compile the standalone runner (main.c + model) without make."""
    cc = compiler(opts)
    cmd = [*cc, *flags(cc, opts), "-o", str(exe), str(Path(src_dir) / "main.c"),
           *(str(Path(src_dir) / s) for s in SOURCES)]
    run_compiler(cmd, Path(src_dir), f"the runner of {src_dir}")
    return exe
