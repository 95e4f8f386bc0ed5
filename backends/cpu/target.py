"""The `cpu` target: the deployable integer graph as a C99 library plus a standalone runner."""
from __future__ import annotations

from pathlib import Path

from snnc.ir import Graph

from ..target import Target, TargetError, register
from .options import CpuOptions
from .plan import PLANNERS, build_plan
from .render import ARTIFACTS, render
from .runner import CpuRunner


@register
class CpuTarget(Target):
    name = "cpu"
    description = ("C99 library (model.c, model.h, weights.c) and standalone runner (main.c, Makefile); "
                   "bit-plane popcount and event-driven kernels, batch split over threads")
    ops = frozenset(PLANNERS)
    # float ops of the default pipeline that no op of the table implements: folded (batchnorm) or
    # integerized into another op (avgpool2d → sumpool2d, if / plif → lif_int)
    lowers = frozenset({"batchnorm", "avgpool2d", "if", "plif"})
    Options = CpuOptions
    artifacts = ARTIFACTS

    def check_graph(self, graph: Graph, opts: CpuOptions) -> None:
        build_plan(graph, opts)

    def render(self, graph: Graph, opts: CpuOptions) -> dict[str, str]:
        return render(build_plan(graph, opts), opts)

    def summary(self, graph: Graph, opts: CpuOptions) -> list[str]:
        """One line per linear / conv2d layer: the kernel chosen and why (`snnc compile` prints them)."""
        plan = build_plan(graph, opts)
        return [f"%{node}: {c.kernel} — {c.note()}" for node, c in plan.choices.items()]

    def open(self, out_dir: Path | None, graph: Graph, opts: CpuOptions) -> CpuRunner:
        """Build the emitted sources in `out_dir` (without one: freshly rendered ones) and load them."""
        plan = build_plan(graph, opts)
        if out_dir is None:
            with self.rendered(graph, opts) as tmp:
                return CpuRunner.build(graph, plan, tmp, opts)
        if not (Path(out_dir) / "model.c").is_file():
            raise TargetError(f"{out_dir} holds no model.c; emit the cpu target into it first")
        return CpuRunner.build(graph, plan, Path(out_dir), opts)
