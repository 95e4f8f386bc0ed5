"""The local C++ toolchain: which compiler, which HLS headers, and building the C-simulation library.

* compiler: the `cxx` option, else ``$CXX``, else ``g++`` (must be on PATH);
* headers: the `hls_include` option, else ``$XILINX_HLS/include`` when XILINX_HLS is set
  (the real Vitis ``ap_int.h`` / ``hls_stream.h``), else the project's ``shim/`` folder.
Headers are included with ``-isystem``; the generated code compiles with ``-Wall
-Wextra -Werror`` against the shim, and without ``-Werror`` against the Vitis headers
(g++ reports uninitialized-value warnings inside them when their code is inlined).
Environment variables are read when a build starts, never at import time.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ..target import TargetError, ToolNotFoundError
from .render import WARN_FLAGS

BUILD_TIMEOUT_S = 600


def find_cxx(option: str | None) -> str:
    cxx = option or os.environ.get("CXX") or "g++"
    path = shutil.which(cxx)
    if path is None:
        raise ToolNotFoundError(f"hls target: the C++ compiler {cxx!r} was not found; install g++ or point the "
                          "environment variable CXX or the option cxx= at a C++ compiler")
    return path


def hls_include(option: str | None, project_dir: Path) -> Path:
    """The folder of ap_int.h / hls_stream.h for a build of the project in `project_dir`."""
    if option:
        inc = Path(option)
        where = "option hls_include"
    elif os.environ.get("XILINX_HLS"):
        inc = Path(os.environ["XILINX_HLS"]) / "include"
        where = "environment variable XILINX_HLS"
    else:
        return Path(project_dir) / "shim"
    if not (inc / "ap_int.h").is_file():
        raise TargetError(f"hls target: {inc} (from the {where}) has no ap_int.h; point XILINX_HLS at a Vitis HLS "
                          "installation, or unset it to use snnc's header shim")
    return inc


def compile_cmd(cxx: str, sources: list[Path], output: Path, include: Path, *, shared: bool,
                flags=(), defines: dict | None = None, werror: bool = True) -> list[str]:
    """The compiler command; `werror` is dropped for the Vitis headers (their own warnings)."""
    cmd = [cxx, *(f for f in WARN_FLAGS if werror or f != "-Werror"), "-isystem", str(include), *flags]
    cmd += [f"-D{k}={v}" for k, v in (defines or {}).items()]
    if shared:
        cmd += ["-fPIC", "-shared"]
    return cmd + [str(s) for s in sources] + ["-o", str(output)]


def run_build(cmd: list[str], cwd: Path | None = None) -> None:
    try:
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise TargetError(f"hls target: the C++ build timed out after {BUILD_TIMEOUT_S} s: {' '.join(cmd)}") from None
    if r.returncode != 0:
        tail = "\n".join((r.stderr or r.stdout).strip().splitlines()[-40:])
        raise TargetError(f"hls target: the C++ build failed ({' '.join(cmd[:1])} exit {r.returncode}):\n{tail}")
