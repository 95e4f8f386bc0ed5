"""The `reference` target: the integer IR itself, run by the NumPy interpreter."""
from __future__ import annotations

from pathlib import Path

from snnc.ir import save

from ..target import Target, register
from .interpreter import run
from .kernels import KERNELS


class ReferenceRunner:
    def __init__(self, graph):
        self.graph = graph

    def run(self, x):
        return run(self.graph, x)


@register
class ReferenceTarget(Target):
    name = "reference"
    description = "the deployable IR (model.snnir + model.npz), run by the NumPy reference interpreter"
    ops = frozenset(KERNELS)
    features = {"time-varying weights": True, "multi-bit spikes": True, "conv": True, "attention": True}

    def emit(self, graph, out_dir: Path, options: dict) -> dict[str, Path]:
        path = Path(out_dir) / "model.snnir"
        save(graph, path)
        return {"ir": path, "params": path.with_suffix(".npz")}

    def load(self, out_dir, graph, options):
        return ReferenceRunner(graph)
