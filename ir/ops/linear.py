"""linear: the dense synaptic layer."""
import numpy as np

from .. import packing
from .base import Attr, OpDef, Param, register, synaptic_type

# The packed-weight annotation shared by linear and conv2d (set by the pack-weights pass).
LAYOUT_ATTR = Attr("layout", "str", "dense", choices=("dense",) + packing.LAYOUTS)
PACKED_PARAM = Param("packed", False, "int")


def check_packed(op, node, graph, row_ndim: int):
    """layout "dense" ⇔ no `packed` param; otherwise `packed` is uint8 and decodes
    (`ir.packing.unpack`) to exactly the integer `weight`."""
    layout, packed = node.attrs["layout"], graph.param(node, "packed")
    if layout == "dense":
        if packed is not None:
            op.fail(node, 'a packed weight needs a layout other than "dense" (set layout or drop packed)')
        return
    w = graph.param(node, "weight")
    if packed is None:
        op.fail(node, f'layout "{layout}" needs the packed weight (param packed); run pack-weights')
    if w.dtype.kind not in "iu":
        op.fail(node, f'layout "{layout}" packs integer weight levels, but the weight is {w.dtype}')
    want = packing.packed_shape(layout, w.shape, row_ndim)
    if packed.shape != want:
        op.fail(node, f"packed weight has shape {list(packed.shape)}; a {layout} {op.name} weight of shape "
                      f"{list(w.shape)} packs to {list(want)}")
    try:
        levels = packing.unpack(packed, layout, w.shape)
    except packing.PackingError as e:
        op.fail(node, f"packed weight: {e}")
    if not np.array_equal(levels, w):
        bad = np.argwhere(levels != w)[0]
        op.fail(node, f"packed weight does not decode to the weight (first difference at index "
                      f"{tuple(int(i) for i in bad)}); run pack-weights again")


@register
class Linear(OpDef):
    """linear: y[t] = scale[t] ⊙ (W[t] · x[t]) + bias[t]   (over the last axis of x)

    * ``weight``: ``[out, in]`` (static) or ``[T_w, out, in]`` (a weight bank:
      ``W[t] = weight[t % T_w]``, as TaWQ's time-varying ternary weights).
      Float, or integer levels (ternary / k-bit) whose real value is set by `scale`.
    * ``scale`` (optional, broadcast parameter over y): per tensor, per output
      channel and/or per timestep. ``bias`` (optional, broadcast parameter).
    * x has shape ``[..., in]``; y has shape ``[..., out]``.

    The weight product comes first, then the scale multiply, then the bias.
    Integer form (integer x, integer weight, integer or no bias, no scale):
    exact integer sums; the result type comes from range analysis of the actual
    weights and the input's range.

    ``layout`` (default "dense") names a packed copy of integer weight levels in the
    optional ``packed`` param (uint8, `ir.packing`, rows = the ``in`` axis); it must
    decode to exactly ``weight``, which stays the value every kernel may use.
    """
    name = "linear"
    attrs = (LAYOUT_ATTR,)
    params = (Param("weight"), Param("scale", False, "float"), Param("bias", False), PACKED_PARAM)

    def check(self, node, graph):
        w = graph.param(node, "weight")
        x = graph[node.operands[0]].type
        if w.ndim not in (2, 3):
            self.fail(node, f"weight must be [out, in] or [T_w, out, in], got shape {list(w.shape)}")
        if not x.shape or x.shape[-1] != w.shape[-1]:
            self.fail(node, f"input shape {list(x.shape)} does not match weight [.., {w.shape[-2]}, "
                            f"{w.shape[-1]}] (the last input dim must be {w.shape[-1]})")
        out = tuple(x.shape[:-1]) + (w.shape[-2],)
        self.check_broadcast(node, graph, "scale", out)
        self.check_broadcast(node, graph, "bias", out)
        check_packed(self, node, graph, row_ndim=1)

    def infer_type(self, node, graph, ins):
        w = graph.param(node, "weight")
        return synaptic_type(node, graph, ins[0], tuple(ins[0].shape[:-1]) + (w.shape[-2],), axes=(2,))
