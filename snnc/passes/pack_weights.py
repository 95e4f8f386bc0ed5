"""pack-weights: add a packed copy of integer weight levels to linear / conv2d layers."""
from __future__ import annotations

from dataclasses import dataclass

from snnc.errors import ConfigError
from snnc.ir import Graph, packing

from .base import Pass, register
from .fold_batchnorm import LAYERS, set_param


@register
@dataclass(frozen=True)
class PackWeights(Pass):
    """Annotate every integer-level ``linear`` / ``conv2d`` weight with a packed copy.

    ``layout`` is ``codes2`` (levels −2…1, 2 bits each), ``bitplanes`` (ternary, a
    positive and a negative bit plane in 64-bit words per row, for popcount kernels) or
    ``base3`` (ternary, five trits per byte, 1.6 bits per weight); the exact byte layouts
    are in `snnc.ir.packing`. The layer gets the attribute ``layout`` and the uint8 param
    ``packed`` (rows: a linear weight's ``in`` axis, a conv weight's ``C/g·kh·kw``);
    ``weight`` stays (the reference kernels use it) and verification checks that
    ``packed`` decodes to exactly it.

    Float weights and levels outside the layout's level set stay dense; ``node.meta``
    says why. A layer already packed in another layout is repacked.
    """
    name = "pack-weights"
    layout: str = "bitplanes"

    def __post_init__(self):
        if self.layout not in packing.LAYOUTS:
            raise ConfigError(f"pack-weights: layout must be one of {', '.join(packing.LAYOUTS)}, "
                              f"got {self.layout!r}")

    def apply(self, graph: Graph) -> Graph:
        done: dict[str, str] = {}            # weight key → packed key (layers sharing a weight share it)
        for node in graph:
            if node.op in LAYERS:
                self.pack(graph, node, done)
        graph.prune_params()
        return graph

    def pack(self, graph: Graph, layer, done: dict[str, str]) -> None:
        w = graph.param(layer, "weight")
        if w.dtype.kind not in "iu":
            layer.meta[self.name] = "kept dense: float weights (run ptq or integerize first)"
            return
        if not packing.fits(w, self.layout):
            lo, hi = packing.LEVELS[self.layout]
            layer.meta[self.name] = (f"kept dense: levels {int(w.min())}..{int(w.max())} do not fit "
                                     f"{self.layout} ({lo}..{hi})")
            return
        row_ndim = 1 if layer.op == "linear" else 3
        key = layer.params["weight"]
        if key in done:
            layer.params["packed"] = done[key]
        else:
            set_param(graph, layer, "packed", packing.pack(w, self.layout, row_ndim))
            done[key] = layer.params["packed"]
        layer.attrs["layout"] = self.layout
        layer.meta[self.name] = (f"{self.layout}: {packing.bits_per_weight(self.layout, w.shape, row_ndim):.3f} "
                                 "bits per weight")
