"""add: elementwise sum of two or more values (residual connections)."""
from ..types import F32, TensorType
from .base import OpDef, integer_result, register


@register
class Add(OpDef):
    """add: y[t] = x_1[t] + x_2[t] + … + x_n[t]   (same shapes; exact on integers).

    Integer operands give the integer type of the summed range (spike + spike is
    uint<2>); fixed-point operands must share their fraction bits. Any float operand
    makes the result f32.
    """
    name = "add"
    arity = None

    def check(self, node, graph):
        types = graph.operand_types(node)
        shapes = {t.shape for t in types}
        if len(shapes) != 1:
            self.fail(node, "add operands must have the same shape, got "
                      + ", ".join(str(list(t.shape)) for t in types))
        fracs = {t.dtype.frac for t in types if t.dtype.kind == "fixed"}
        ints = [t for t in types if t.dtype.is_integer]
        if fracs and (len(fracs) > 1 or any(t.dtype.kind != "fixed" for t in ints)):
            self.fail(node, "fixed-point operands of add must all have the same fraction bits")

    def infer_type(self, node, graph, ins):
        if any(t.dtype.is_float for t in ins):
            return TensorType(ins[0].shape, F32)
        lo = sum(t.dtype.range()[0] for t in ins)
        hi = sum(t.dtype.range()[1] for t in ins)
        return TensorType(ins[0].shape, integer_result(lo, hi, [t.dtype for t in ins]))
