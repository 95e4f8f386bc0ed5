"""What the hls target adds to the common C++ toolchain: its warning flags and the HLS headers.

* compiler: `snnc.backends.common.toolchain.find_compiler("c++", cxx option)` (``$CXX``, else ``g++``);
* headers: the `hls_include` option, else ``$XILINX_HLS/include`` when XILINX_HLS is set
  (the real Vitis ``ap_int.h`` / ``hls_stream.h``), else the project's ``shim/`` folder.
Headers are included with ``-isystem``; the generated code compiles with ``-Wall
-Wextra -Werror`` against the shim, and without ``-Werror`` against the Vitis headers
(g++ reports uninitialized-value warnings inside them when their code is inlined).
Environment variables are read when a build starts, never at import time.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..target import TargetError

WARN_FLAGS = ("-std=c++14", "-Wall", "-Wextra", "-Werror")
OPT_FLAGS = ("-O1",)     # the Makefile's default optimisation


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


def library_flags(include: Path, *, werror: bool, flags=(), defines: dict | None = None) -> list[str]:
    """The flags of a shared library of generated code; `werror` is dropped for the Vitis headers."""
    return [*(f for f in WARN_FLAGS if werror or f != "-Werror"), "-isystem", str(include), *flags,
            *(f"-D{k}={v}" for k, v in (defines or {}).items()), "-pthread", "-fPIC", "-shared"]
