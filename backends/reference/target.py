"""The `reference` target: the integer IR itself, run by the NumPy interpreter."""
from __future__ import annotations

import tempfile
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
    golden = "— (the golden model)"
    description = "the deployable IR (model.snnir + model.npz), run by the NumPy reference interpreter"
    ops = frozenset(KERNELS)
    artifacts = {"ir": "model.snnir", "params": "model.npz"}

    def render(self, graph, opts) -> dict[str, str | bytes]:
        with tempfile.TemporaryDirectory(prefix="snnc-reference-") as tmp:
            path = save(graph, Path(tmp) / "model.snnir")
            return {"model.snnir": path.read_text(encoding="utf-8"), "model.npz": path.with_suffix(".npz").read_bytes()}

    def open(self, out_dir, graph, opts):
        return ReferenceRunner(graph)
