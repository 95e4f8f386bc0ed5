"""multispike: the IE-LIF integer ("multi-bit") spike of the QSD-Transformer."""
from ..types import TensorType, uint
from .base import Attr, OpDef, register


def spike_levels(D: int):
    return uint(max(1, int(D).bit_length()))


@register
class MultiSpike(OpDef):
    """multispike: s[t] = round_half_up(clip(x[t], 0, D)) = floor(clip(x[t], 0, D) + 1/2)

    An integer spike count in 0..D (type uint<bits(D)>). Float input; the
    lower-multispike pass turns it into graded spikes or D binary sub-steps.
    """
    name = "multispike"
    attrs = (Attr("D", "int"),)

    def check(self, node, graph):
        self.need_float(node, graph[node.operands[0]].type)
        if node.attrs["D"] < 1:
            self.fail(node, f"D must be ≥ 1, got {node.attrs['D']}")

    def infer_type(self, node, graph, ins):
        return TensorType(ins[0].shape, spike_levels(node.attrs["D"]))


@register
class MultiSpikeInt(OpDef):
    """multispike_int: integer form of multispike on a fixed-point input with `frac_bits` = f:

        s[t] = clip((x[t] + half) >> f, 0, D),   half = 2^(f-1) if f > 0 else 0

    which equals floor(clip(x·2^-f, 0, D) + 1/2) exactly (arithmetic shift = floor).
    """
    name = "multispike_int"
    integer = True
    attrs = (Attr("D", "int"), Attr("frac_bits", "int", 0))

    def check(self, node, graph):
        self.need_integer(node, graph[node.operands[0]].type)
        if node.attrs["D"] < 1 or node.attrs["frac_bits"] < 0:
            self.fail(node, "D must be ≥ 1 and frac_bits ≥ 0")

    def infer_type(self, node, graph, ins):
        return TensorType(ins[0].shape, spike_levels(node.attrs["D"]))
