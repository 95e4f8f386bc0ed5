"""The `hls` target: a Vitis HLS project that C-simulates bit-exactly against the reference.

`render` gives, and `write` puts into the output folder:

    firmware/   defines.h, <top>.h, <top>.cpp, layers.h, weights/*.h
    tb/         tb_<top>.cpp          tb_data/   input.dat, expected.dat
    csim/       <top>_csim.cpp        shim/      ap_int.h, hls_stream.h
    build_prj.tcl  hls_config.cfg  Makefile  README.md  estimates.json

Everything is planned and rendered before the first file is written, so a refused
graph or option leaves the folder untouched. `open` compiles the firmware with g++
and runs it through ctypes (`runner.CSimRunner`).
"""
from __future__ import annotations

from pathlib import Path

from snnc.ir import Graph

from ..target import Target, register
from .estimates import estimate
from .folding import check_fit
from .options import HLSOptions
from .plan import SUPPORTED_OPS, plan
from .render import render_project
from .runner import CSimRunner
from .tbdata import tb_data


@register
class HLSTarget(Target):
    name = "hls"
    golden = "reference, bit for bit (g++ C simulation)"
    description = ("Vitis HLS C++ project (firmware, testbench, build_prj.tcl, hls_config.cfg, estimates), "
                   "C-simulated bit-exactly with g++")
    ops = SUPPORTED_OPS
    # float ops of the default pipeline that no op of the table implements: folded (batchnorm) or
    # integerized into another op (avgpool2d → sumpool2d, if / plif → lif_int)
    lowers = frozenset({"batchnorm", "avgpool2d", "if", "plif"})
    Options = HLSOptions
    artifacts = {"firmware": "firmware", "testbench": "tb", "tb_data": "tb_data", "tcl": "build_prj.tcl",
                 "config": "hls_config.cfg", "makefile": "Makefile", "readme": "README.md",
                 "estimates": "estimates.json", "csim": "csim", "shim": "shim"}

    def check_graph(self, graph: Graph, opts: HLSOptions) -> None:
        project = plan(graph, opts)
        if opts.timesteps is not None:
            check_fit(project, estimate(project))

    def render(self, graph: Graph, opts: HLSOptions) -> dict[str, str]:
        """Every file of the project (relative path → text), without writing anything."""
        opts.require_timesteps()
        project = plan(graph, opts)
        estimates = estimate(project)
        check_fit(project, estimates)
        files = render_project(project, estimates)
        files["tb_data/input.dat"], files["tb_data/expected.dat"] = tb_data(
            graph, opts.tb_input, opts.timesteps, opts.tb_samples, opts.seed)
        return files

    def open(self, out_dir: Path | None, graph: Graph, opts: HLSOptions) -> CSimRunner:
        """The C-simulation of the project in `out_dir`, or of a fresh rendering when it holds none."""
        if out_dir is not None and (Path(out_dir) / "csim" / f"{opts.top}_csim.cpp").is_file():
            return CSimRunner(Path(out_dir), graph, opts)
        with self.rendered(graph, opts) as tmp:
            return CSimRunner(tmp, graph, opts)
