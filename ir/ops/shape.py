"""Shape ops: flatten and reshape (no arithmetic, element type unchanged)."""
import math

from ..types import TensorType
from .base import Attr, OpDef, register


@register
class Flatten(OpDef):
    """flatten: y = x with dims [start:] of its per-timestep shape merged into one (row-major)."""
    name = "flatten"
    attrs = (Attr("start", "int", 0),)

    def check(self, node, graph):
        x = graph[node.operands[0]].type
        if not 0 <= node.attrs["start"] < max(len(x.shape), 1):
            self.fail(node, f"start={node.attrs['start']} is out of range for shape {list(x.shape)}")

    def infer_type(self, node, graph, ins):
        s = node.attrs["start"]
        shape = ins[0].shape
        return TensorType(tuple(shape[:s]) + (math.prod(shape[s:]),), ins[0].dtype)


@register
class Reshape(OpDef):
    """reshape: y = x viewed with per-timestep shape `shape` (row-major; same number of elements)."""
    name = "reshape"
    attrs = (Attr("shape", "ints"),)

    def check(self, node, graph):
        x = graph[node.operands[0]].type
        shape = node.attrs["shape"]
        if any(d <= 0 for d in shape) or math.prod(shape) != x.size:
            self.fail(node, f"cannot reshape {list(x.shape)} ({x.size} elements) to {list(shape)}")

    def infer_type(self, node, graph, ins):
        return TensorType(node.attrs["shape"], ins[0].dtype)
