"""The `cpu` target: the deployable integer graph as a C99 library plus a standalone runner."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from snnc.ir import Graph

from ..target import Target, register
from .options import CpuOptions
from .ops_support import SUPPORTED_OPS
from .plan import build_plan
from .render import render
from .runner import CpuRunner


@register
class CpuTarget(Target):
    name = "cpu"
    description = ("C99 library (model.c, model.h, weights.c) and standalone runner (main.c, Makefile); "
                   "bit-plane popcount and event-driven kernels, batch split over threads")
    ops = SUPPORTED_OPS
    features = {"time-varying weights": True, "multi-bit spikes": True, "conv": True, "attention": True}
    options_type = CpuOptions

    def check(self, graph: Graph) -> None:
        super().check(graph)
        build_plan(graph, CpuOptions())

    def emit(self, graph: Graph, out_dir: Path, options: dict) -> dict[str, Path]:
        opts = CpuOptions.parse(options)
        return render(build_plan(graph, opts), opts, Path(out_dir))

    def load(self, out_dir, graph: Graph, options: dict) -> CpuRunner:
        """Build the emitted sources in `out_dir` (or, without one, freshly emitted ones) and load them."""
        opts = CpuOptions.parse(options)
        plan = build_plan(graph, opts)
        if out_dir is not None and (Path(out_dir) / "model.c").is_file():
            return CpuRunner.build(graph, plan, Path(out_dir), opts)
        tmp = Path(tempfile.mkdtemp(prefix="snnc-cpu-src-"))
        try:
            render(plan, opts, tmp)
            return CpuRunner.build(graph, plan, tmp, opts)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
