"""Integer (fixed-point) neurons produced by `integerize`: lif_int, cuba_lif_int, li_int.

State is held in `state_bits`-bit two's complement integers whose real value is
``raw · 2^-frac_bits``. Decays are a multiply by an integer and an arithmetic
right shift (floor): at most one multiply per neuron per timestep for lif_int.
Unless `saturate` is set, the compiler has proven (range analysis) that every
intermediate — ``I << in_shift``, the decayed terms ``(leak·v) >> shift`` and
``(alpha·i) >> shift``, ``i``, ``h`` and ``v`` — fits ``int<state_bits>``; the
products ``leak·v`` and ``alpha·i`` themselves are formed at double width before
the shift (an implementation needs 2·state_bits there). With `saturate`, ``i``,
``h`` and ``v`` are each clamped to ``int<state_bits>`` as they are formed, and
the spike compares the clamped ``h``.
"""
from ..types import SPIKE, TensorType, fixed
from .base import Attr, OpDef, Param, register

INT_ATTRS = (Attr("shift", "int", 0), Attr("in_shift", "int", 0), Attr("state_bits", "int", 32),
             Attr("frac_bits", "int", 0), Attr("saturate", "bool", False))
SPIKE_ATTRS = (Attr("reset", "str", "subtract", choices=("zero", "subtract", "none")),
               Attr("compare", "str", "ge", choices=("ge", "gt")), Attr("v_reset", "int", 0))


class IntNeuron(OpDef):
    stateful = True
    integer = True

    def check(self, node, graph):
        x = graph[node.operands[0]].type
        self.need_integer(node, x)
        a = node.attrs
        if not 2 <= a["state_bits"] <= 64:
            self.fail(node, f"state_bits must be in 2..64, got {a['state_bits']}")
        if a["shift"] < 0 or a["in_shift"] < 0 or not 0 <= a["frac_bits"] < a["state_bits"]:
            self.fail(node, "shift and in_shift must be ≥ 0 and 0 ≤ frac_bits < state_bits")
        for p in self.params:
            self.check_broadcast(node, graph, p.role, x.shape)
        lo, hi = -(1 << (a["state_bits"] - 1)), (1 << (a["state_bits"] - 1)) - 1
        for p in self.params:
            arr = graph.param(node, p.role)
            if arr is not None and arr.size and (int(arr.min()) < lo or int(arr.max()) > hi):
                self.fail(node, f"parameter {p.role} does not fit int<{a['state_bits']}>")


@register
class LIFInt(IntNeuron):
    """lif_int: integer LIF (also the integer form of if and plif), v[-1] = 0.

        h    = ((leak[t] · v[t-1]) >> shift) + (I[t] << in_shift) + bias[t]
        s[t] = h ≥ threshold[t]   (or >, compare = "gt")
        v[t] = s ? v_reset : h  |  h − s · threshold[t]  |  h      (reset zero | subtract | none)

    leak, threshold, bias: integer broadcast parameters (bias optional).
    """
    name = "lif_int"
    attrs = INT_ATTRS + SPIKE_ATTRS
    params = (Param("leak", storage="int"), Param("threshold", storage="int"),
              Param("bias", False, "int"))

    def infer_type(self, node, graph, ins):
        return TensorType(ins[0].shape, SPIKE)


@register
class CubaLIFInt(IntNeuron):
    """cuba_lif_int: integer current-based LIF, i[-1] = v[-1] = 0.

        i[t] = ((alpha[t] · i[t-1]) >> shift) + (I[t] << in_shift)
        h    = ((leak[t] · v[t-1]) >> shift) + i[t] + bias[t]
        then spike and reset of v as lif_int.
    """
    name = "cuba_lif_int"
    attrs = INT_ATTRS + SPIKE_ATTRS
    params = (Param("alpha", storage="int"), Param("leak", storage="int"),
              Param("threshold", storage="int"), Param("bias", False, "int"))

    def infer_type(self, node, graph, ins):
        return TensorType(ins[0].shape, SPIKE)


@register
class LIInt(IntNeuron):
    """li_int: integer leaky integrator readout, v[-1] = 0.

        v[t] = ((leak[t] · v[t-1]) >> shift) + (I[t] << in_shift) + bias[t];   y[t] = v[t]

    The result is fixed<state_bits, frac_bits>.
    """
    name = "li_int"
    attrs = INT_ATTRS
    params = (Param("leak", storage="int"), Param("bias", False, "int"))

    def infer_type(self, node, graph, ins):
        a = node.attrs
        return TensorType(ins[0].shape, fixed(a["state_bits"], a["frac_bits"]))
