"""mul: elementwise product of two activations (NumPy broadcasting), for attention masks."""
from ..types import F32, TensorType
from .base import OpDef, integer_result, register


def broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    """The NumPy broadcast of two per-timestep shapes, or None when they do not broadcast."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    return tuple(out)


@register
class Mul(OpDef):
    """mul: y[t] = a[t] ⊙ b[t]   (NumPy broadcasting of the per-timestep shapes; exact on integers).

    The shapes are aligned at their last dims; a dim of 1 (or a missing leading dim)
    repeats. Integer operands give the integer type of the product range (spike ⊙
    spike is a spike-valued uint<1>); fixed-point operands are refused (integerize
    gives integer operands). Any float operand makes the result f32.
    """
    name = "mul"
    arity = 2

    def check(self, node, graph):
        a, b = graph.operand_types(node)
        if broadcast_shape(a.shape, b.shape) is None:
            self.fail(node, f"mul operands do not broadcast: {list(a.shape)} and {list(b.shape)}")
        if a.dtype.kind == "fixed" or b.dtype.kind == "fixed":
            self.fail(node, f"mul takes integer or f32 operands, got {a.dtype} and {b.dtype}; "
                            f"rescale the fixed-point operand with `scale` first")

    def infer_type(self, node, graph, ins):
        a, b = ins
        shape = broadcast_shape(a.shape, b.shape)
        if a.dtype.is_float or b.dtype.is_float:
            return TensorType(shape, F32)
        (al, ah), (bl, bh) = a.dtype.range(), b.dtype.range()
        prods = [al * bl, al * bh, ah * bl, ah * bh]
        return TensorType(shape, integer_result(min(prods), max(prods), [a.dtype, b.dtype]))
