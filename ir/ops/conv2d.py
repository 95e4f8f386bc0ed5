"""conv2d: the convolutional synaptic layer."""
from .base import Attr, OpDef, Param, register, synaptic_type


def conv_out(size: int, k: int, stride: int, pad: int, dil: int = 1) -> int:
    return (size + 2 * pad - dil * (k - 1) - 1) // stride + 1


@register
class Conv2d(OpDef):
    """conv2d: y[t] = scale[t] ⊙ (W[t] ⋆ x[t]) + bias[t]

    x: ``[C, H, W]``; weight ``[O, C/groups, kh, kw]`` or a bank ``[T_w, O, C/groups, kh, kw]``;
    cross-correlation with `stride`, zero `padding`, `dilation`, `groups` (PyTorch
    conventions); y: ``[O, H', W']`` with ``H' = (H + 2p - d(kh-1) - 1) // s + 1``.
    ``scale`` and ``bias`` are broadcast parameters over y (per channel: ``(T, O, 1, 1)``).
    Integer form as for `linear`.
    """
    name = "conv2d"
    attrs = (Attr("stride", "ints", (1, 1), length=2), Attr("padding", "ints", (0, 0), length=2),
             Attr("dilation", "ints", (1, 1), length=2), Attr("groups", "int", 1))
    params = (Param("weight"), Param("scale", False, "float"), Param("bias", False))

    def out_shape(self, node, graph):
        w = graph.param(node, "weight")
        x = graph[node.operands[0]].type
        a = node.attrs
        kh, kw = w.shape[-2:]
        h = conv_out(x.shape[1], kh, a["stride"][0], a["padding"][0], a["dilation"][0])
        wd = conv_out(x.shape[2], kw, a["stride"][1], a["padding"][1], a["dilation"][1])
        return (w.shape[-4], h, wd)

    def check(self, node, graph):
        w = graph.param(node, "weight")
        x = graph[node.operands[0]].type
        a = node.attrs
        if w.ndim not in (4, 5):
            self.fail(node, f"weight must be [O, C/g, kh, kw] or [T_w, O, C/g, kh, kw], got {list(w.shape)}")
        if len(x.shape) != 3:
            self.fail(node, f"conv2d input must be [C, H, W], got {list(x.shape)}")
        if min(a["stride"]) < 1 or min(a["dilation"]) < 1 or min(a["padding"]) < 0 or a["groups"] < 1:
            self.fail(node, f"bad stride/padding/dilation/groups {a}")
        g = a["groups"]
        if x.shape[0] != w.shape[-3] * g or w.shape[-4] % g:
            self.fail(node, f"input has {x.shape[0]} channels but weight expects {w.shape[-3]}×{g} groups "
                            f"(weight shape {list(w.shape)})")
        out = self.out_shape(node, graph)
        if min(out) < 1:
            self.fail(node, f"output shape {list(out)} is empty: the kernel does not fit the input {list(x.shape)}")
        self.check_broadcast(node, graph, "scale", out)
        self.check_broadcast(node, graph, "bias", out)

    def infer_type(self, node, graph, ins):
        return synaptic_type(node, graph, ins[0], self.out_shape(node, graph), axes=(2, 3, 4))
