"""spike_matmul: a matrix product of two activations, for spike-driven self-attention."""
from ..types import F32, TensorType
from .base import Attr, OpDef, integer_result, register


@register
class SpikeMatmul(OpDef):
    """spike_matmul: y[t] = scale · (op_a(a[t]) @ op_b(b[t]))

    ``op(x)`` transposes the last two dims when `transpose_a` / `transpose_b` is set.
    a: ``[..., M, K]``, b: ``[..., K, N]`` after the transposes, with equal leading
    dims (heads); y: ``[..., M, N]``. Spike-driven attention without softmax is
    ``kv = spike_matmul(K, V, transpose_a=true)`` then ``spike_matmul(Q, kv, scale=s)``.
    Integer form (integer operands, scale = 1): exact integer sums.
    """
    name = "spike_matmul"
    arity = 2
    attrs = (Attr("transpose_a", "bool", False), Attr("transpose_b", "bool", False),
             Attr("scale", "float", 1.0))

    @staticmethod
    def _dims(t, transpose):
        s = t.shape
        return (s[-1], s[-2]) if transpose else (s[-2], s[-1])

    def check(self, node, graph):
        a, b = graph.operand_types(node)
        if len(a.shape) < 2 or len(b.shape) < 2:
            self.fail(node, f"operands must have rank ≥ 2, got {list(a.shape)} and {list(b.shape)}")
        if a.shape[:-2] != b.shape[:-2]:
            self.fail(node, f"leading dims differ: {list(a.shape)} vs {list(b.shape)}")
        m, k = self._dims(a, node.attrs["transpose_a"])
        k2, n = self._dims(b, node.attrs["transpose_b"])
        if k != k2:
            self.fail(node, f"inner dims differ: {k} vs {k2} (shapes {list(a.shape)} and {list(b.shape)})")

    def infer_type(self, node, graph, ins):
        a, b = ins
        m, k = self._dims(a, node.attrs["transpose_a"])
        _, n = self._dims(b, node.attrs["transpose_b"])
        shape = tuple(a.shape[:-2]) + (m, n)
        if a.dtype.is_float or b.dtype.is_float or node.attrs["scale"] != 1.0:
            return TensorType(shape, F32)
        (al, ah), (bl, bh) = a.dtype.range(), b.dtype.range()
        prods = [al * bl, al * bh, ah * bl, ah * bh]
        return TensorType(shape, integer_result(k * min(min(prods), 0), k * max(max(prods), 0),
                                                [a.dtype, b.dtype]))
