"""batchnorm: inference-mode batch normalization (until fold-batchnorm removes it)."""
from ..types import F32, TensorType
from .base import Attr, OpDef, Param, register


@register
class BatchNorm(OpDef):
    """batchnorm: y = (x − mean) / sqrt(var + eps) · weight + bias   (per channel)

    The channel axis is `axis` of the per-timestep shape (0 for [C, H, W] and for
    [F]; -1 for token features [N, D]). All four parameters have shape ``[C]``.
    Statistics are frozen (inference mode); the op is float only.
    """
    name = "batchnorm"
    attrs = (Attr("eps", "float", 1e-5), Attr("axis", "int", 0))
    params = (Param("mean", storage="float"), Param("var", storage="float"),
              Param("weight", storage="float"), Param("bias", storage="float"))

    def check(self, node, graph):
        x = graph[node.operands[0]].type
        self.need_float(node, x)
        axis = node.attrs["axis"]
        if not -len(x.shape) <= axis < len(x.shape):
            self.fail(node, f"axis {axis} is out of range for shape {list(x.shape)}")
        c = x.shape[axis]
        for p in self.params:
            a = graph.param(node, p.role)
            if a.shape != (c,):
                self.fail(node, f"parameter {p.role} must have shape [{c}], got {list(a.shape)}")
        if (graph.param(node, "var") < 0).any():
            self.fail(node, "running variance has negative entries")
        if node.attrs["eps"] <= 0:
            self.fail(node, "eps must be positive")

    def infer_type(self, node, graph, ins):
        return TensorType(ins[0].shape, F32)
