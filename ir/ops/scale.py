"""Per-channel elementwise ops: scale and affine."""
from ..types import F32, TensorType, param_dtype
from .base import Attr, OpDef, Param, integer_result, register


def _scaled_range(x_lo, x_hi, s, shift):
    smin, smax = int(s.min()), int(s.max())          # Python integers: exact at any width
    cands = [smin * x_lo, smin * x_hi, smax * x_lo, smax * x_hi]
    return min(cands) >> shift, max(cands) >> shift


class _Elementwise(OpDef):
    def check(self, node, graph):
        x = graph[node.operands[0]].type
        for p in self.params:
            self.check_broadcast(node, graph, p.role, x.shape)
        floats = [r for r in node.params if param_dtype(graph.params[node.params[r]]).is_float]
        if node.attrs["shift"] < 0:
            self.fail(node, "shift must be ≥ 0")
        if (x.dtype.is_float or floats) and node.attrs["shift"]:
            self.fail(node, "shift applies to the integer form only (integer input and parameters)")

    def is_float(self, node, graph, x):
        return x.dtype.is_float or any(param_dtype(graph.params[k]).is_float for k in node.params.values())


@register
class Scale(_Elementwise):
    """scale: y[t] = (x[t] ⊙ scale[t]) >> shift

    `scale` is a broadcast parameter (per tensor / channel / timestep). Float form:
    shift = 0. Integer form (integer x and scale): exact product, then an arithmetic
    right shift (floor) — a fixed-point gain.
    """
    name = "scale"
    attrs = (Attr("shift", "int", 0),)
    params = (Param("scale"),)

    def infer_type(self, node, graph, ins):
        x = ins[0]
        if self.is_float(node, graph, x):
            return TensorType(x.shape, F32)
        lo, hi = _scaled_range(*x.dtype.range(), graph.param(node, "scale"), node.attrs["shift"])
        return TensorType(x.shape, integer_result(lo, hi, [x.dtype]))


@register
class Affine(_Elementwise):
    """affine: y[t] = ((x[t] ⊙ scale[t]) >> shift) + bias[t]

    Both parameters broadcast (per tensor / channel / timestep). Float form: shift = 0.
    """
    name = "affine"
    attrs = (Attr("shift", "int", 0),)
    params = (Param("scale"), Param("bias"))

    def infer_type(self, node, graph, ins):
        x = ins[0]
        if self.is_float(node, graph, x):
            return TensorType(x.shape, F32)
        lo, hi = _scaled_range(*x.dtype.range(), graph.param(node, "scale"), node.attrs["shift"])
        b = graph.param(node, "bias").astype("int64")
        return TensorType(x.shape, integer_result(lo + int(b.min()), hi + int(b.max()), [x.dtype]))
