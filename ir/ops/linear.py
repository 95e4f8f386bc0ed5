"""linear: the dense synaptic layer."""
import numpy as np

from .base import Attr, OpDef, Param, register, synaptic_type

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
    """
    name = "linear"
    params = (Param("weight"), Param("scale", False, "float"), Param("bias", False))

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

    def infer_type(self, node, graph, ins):
        w = graph.param(node, "weight")
        return synaptic_type(node, graph, ins[0], tuple(ins[0].shape[:-1]) + (w.shape[-2],), axes=(2,))
