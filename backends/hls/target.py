"""The `hls` target: a Vitis HLS project that C-simulates bit-exactly against the reference.

emit(graph, out_dir, options) writes into `out_dir`:

    firmware/   defines.h, <top>.h, <top>.cpp, layers.h, weights/*.h
    tb/         tb_<top>.cpp          tb_data/   input.dat, expected.dat
    csim/       <top>_csim.cpp        shim/      ap_int.h, hls_stream.h
    build_prj.tcl  hls_config.cfg  Makefile  README.md  estimates.json

Everything is planned and rendered before the first file is written, so a refused
graph or option leaves the folder untouched. load() compiles the firmware with g++
and runs it through ctypes (`runner.CSimRunner`).
"""
from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

from snnc.ir import Graph

from ..target import Target, register
from .estimates import estimate
from .options import HLSOptions
from .plan import SUPPORTED_OPS, plan
from .render import render_project
from .runner import CSimRunner
from .tbdata import tb_data

ARTIFACT_KEYS = {"firmware": "firmware", "testbench": "tb", "tb_data": "tb_data", "tcl": "build_prj.tcl",
                 "config": "hls_config.cfg", "makefile": "Makefile", "readme": "README.md",
                 "estimates": "estimates.json", "csim": "csim", "shim": "shim"}


@register
class HLSTarget(Target):
    name = "hls"
    description = ("Vitis HLS C++ project (firmware, testbench, build_prj.tcl, hls_config.cfg, estimates), "
                   "C-simulated bit-exactly with g++")
    ops = SUPPORTED_OPS
    features = {"time-varying weights": True, "multi-bit spikes": True, "conv": True, "attention": True}
    options_type = HLSOptions

    def check(self, graph: Graph) -> None:
        super().check(graph)
        plan(graph, HLSOptions.parse({}, graph))

    def files(self, graph: Graph, options: dict | None) -> tuple[HLSOptions, dict[str, str]]:
        """Every file of the project (relative path → text), without writing anything."""
        opts = HLSOptions.parse(options, graph)
        project = plan(graph, opts)
        files = render_project(project, estimate(project))
        files["tb_data/input.dat"], files["tb_data/expected.dat"] = tb_data(
            graph, opts.tb_input, opts.timesteps, opts.tb_samples, opts.seed)
        return opts, files

    def emit(self, graph: Graph, out_dir: Path, options: dict) -> dict[str, Path]:
        _, files = self.files(graph, options)
        out = Path(out_dir)
        for rel, text in files.items():
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return {key: out / rel for key, rel in ARTIFACT_KEYS.items()}

    def load(self, out_dir, graph: Graph, options: dict):
        opts = HLSOptions.parse(options, graph)
        if out_dir is not None and (Path(out_dir) / "csim" / f"{opts.top}_csim.cpp").is_file():
            return CSimRunner(Path(out_dir), graph, opts)
        tmp = Path(tempfile.mkdtemp(prefix="snnc-hls-project-"))
        try:
            self.emit(graph, tmp, options)
            runner = CSimRunner(tmp, graph, opts)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        weakref.finalize(runner, shutil.rmtree, str(tmp), True)
        return runner
