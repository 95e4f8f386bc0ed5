"""2-D pooling ops: sumpool2d, avgpool2d, maxpool2d (x: [C, H, W])."""
from ..types import F32, TensorType
from .base import Attr, OpDef, integer_result, register
from .conv2d import conv_out


class _Pool2d(OpDef):
    attrs = (Attr("kernel", "ints", length=2), Attr("stride", "ints", (0, 0), length=2),
             Attr("padding", "ints", (0, 0), length=2))

    def complete_attrs(self, attrs, node):
        out = super().complete_attrs(attrs, node)
        if out["stride"] == (0, 0):          # PyTorch default: stride = kernel
            out["stride"] = out["kernel"]
        return out

    def out_shape(self, node, x):
        a = node.attrs
        return (x.shape[0],
                conv_out(x.shape[1], a["kernel"][0], a["stride"][0], a["padding"][0]),
                conv_out(x.shape[2], a["kernel"][1], a["stride"][1], a["padding"][1]))

    def check(self, node, graph):
        x = graph[node.operands[0]].type
        a = node.attrs
        if len(x.shape) != 3:
            self.fail(node, f"{self.name} input must be [C, H, W], got {list(x.shape)}")
        if min(a["kernel"]) < 1 or min(a["stride"]) < 1 or min(a["padding"]) < 0:
            self.fail(node, f"bad kernel/stride/padding {a}")
        if a["padding"][0] * 2 > a["kernel"][0] or a["padding"][1] * 2 > a["kernel"][1]:
            self.fail(node, "padding must be at most half the kernel size")
        if min(self.out_shape(node, x)) < 1:
            self.fail(node, f"the kernel {list(a['kernel'])} does not fit the input {list(x.shape)}")


@register
class SumPool2d(_Pool2d):
    """sumpool2d: y[c,i,j] = Σ_{window} x[c, i·s+u-p, j·s+v-p]   (zero padding; exact on integers)."""
    name = "sumpool2d"

    def infer_type(self, node, graph, ins):
        x = ins[0]
        shape = self.out_shape(node, x)
        if x.dtype.is_float:
            return TensorType(shape, F32)
        k = node.attrs["kernel"][0] * node.attrs["kernel"][1]
        lo, hi = x.dtype.range()
        return TensorType(shape, integer_result(min(lo * k, 0), max(hi * k, 0), [x.dtype]))


@register
class AvgPool2d(_Pool2d):
    """avgpool2d: y = sumpool2d(x) / (kh·kw)   (zero padding counted, PyTorch count_include_pad=True).

    Always float; integerize rewrites it to sumpool2d with the 1/(kh·kw) folded downstream.
    """
    name = "avgpool2d"

    def infer_type(self, node, graph, ins):
        return TensorType(self.out_shape(node, ins[0]), F32)


@register
class MaxPool2d(_Pool2d):
    """maxpool2d: y[c,i,j] = max_{window} x   (padding never wins; on spikes it is a logical OR)."""
    name = "maxpool2d"

    def infer_type(self, node, graph, ins):
        return TensorType(self.out_shape(node, ins[0]), ins[0].dtype)
