"""reduce_sum: the sum of a value over one axis of its per-timestep shape."""
from ..types import F32, TensorType
from .base import Attr, OpDef, integer_result, register


def reduce_axis(node, shape) -> int:
    """The reduced axis as a non-negative index into the per-timestep shape."""
    return node.attrs["axis"] % len(shape)


@register
class ReduceSum(OpDef):
    """reduce_sum: y[t] = Σ_i x[t][..., i, ...] over `axis` of the per-timestep shape.

    `axis` counts from 0 (or from the end when negative) over the per-timestep shape
    (no time or batch axis). `keepdim` keeps the summed axis with size 1. Integer
    form: the exact integer sum, of type the summed range n·[lo, hi] (fixed-point
    keeps its fraction bits). Float form: float32 sum.
    """
    name = "reduce_sum"
    attrs = (Attr("axis", "int"), Attr("keepdim", "bool", False))

    def check(self, node, graph):
        x = graph[node.operands[0]].type
        rank = len(x.shape)
        if not -rank <= node.attrs["axis"] < rank:
            self.fail(node, f"axis={node.attrs['axis']} is out of range for shape {list(x.shape)}")
        if rank == 1 and not node.attrs["keepdim"]:
            self.fail(node, f"reducing the only axis of {list(x.shape)} leaves no value; set keepdim=true")

    def infer_type(self, node, graph, ins):
        x = ins[0]
        ax = reduce_axis(node, x.shape)
        n = x.shape[ax]
        shape = tuple(x.shape[:ax]) + ((1,) if node.attrs["keepdim"] else ()) + tuple(x.shape[ax + 1:])
        if x.dtype.is_float:
            return TensorType(shape, F32)
        lo, hi = x.dtype.range()
        return TensorType(shape, integer_result(n * min(lo, 0), n * max(hi, 0), [x.dtype]))
