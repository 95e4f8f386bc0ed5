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

`IntNeuron.intermediate_bounds` states the worst-case magnitude of every intermediate,
the one bound the reference interpreter and every backend size their arithmetic by.

Shifts are bounded by the type widths: ``in_shift < state_bits`` and ``shift <
2·state_bits`` (the width of the product). `IntNeuron.prove` is the range analysis
(`neuron_ranges.analyse`) of one node for its input type over T timesteps: `verify`
refuses a graph whose non-saturating neuron can leave int<state_bits> within the
graph's stated ``timesteps``, and the runners refuse a longer run than the one proven.
"""
from __future__ import annotations

from dataclasses import astuple, dataclass

from ..types import SPIKE, TensorType, fixed, maxabs
from .base import Attr, OpDef, Param, register
from .lif import RESETS, check_undecayed
from .neuron_ranges import StateRange, analyse

INT_ATTRS = (Attr("shift", "int", 0), Attr("in_shift", "int", 0), Attr("state_bits", "int", 32),
             Attr("frac_bits", "int", 0), Attr("saturate", "bool", False))
SPIKE_ATTRS = (Attr("reset", "str", "subtract", choices=RESETS),
               Attr("compare", "str", "ge", choices=("ge", "gt")), Attr("v_reset", "int", 0))


@dataclass(frozen=True)
class NeuronBounds:
    """Largest magnitude of each intermediate of one timestep of an integer neuron.

    Sound whatever the range analysis proved and with or without `saturate`: it assumes
    only that the stored state lies in int<state_bits> (|i|, |v| ≤ S = 2^(state_bits−1))
    and that |I| ≤ the input bound. With P = |leak|·S and Q = |alpha|·S (0 without a
    current), each field's comment states its bound; a floor shift adds at most 1 to the
    magnitude of a quotient.
    """
    state: int            # S
    input: int            # u = max|I| << in_shift
    leak_product: int     # P = |leak · v|
    alpha_product: int    # Q = |alpha · i|
    decayed_v: int        # |(leak · v) >> shift| ≤ (P >> shift) + 1
    decayed_i: int        # |(alpha · i) >> shift| ≤ (Q >> shift) + 1   (0 without a current)
    current: int          # |i[t]| before any clamp: decayed_i + u  (u without a current)
    membrane: int         # |h| before any clamp: decayed_v + current + |bias| (+ |threshold|, subtract_undecayed)
    reset: int            # |v| after the reset, before any clamp: membrane + |threshold| + |v_reset|
    shift_width: int      # 2^shift: the products are formed in a type wide enough to shift them

    @property
    def worst(self) -> int:
        """The largest of them: a type holding ±worst holds every intermediate exactly."""
        return max(astuple(self))


class IntNeuron(OpDef):
    stateful = True
    integer = True
    current = False       # cuba: a current state i decays by alpha

    def state_range(self, node) -> tuple[int, int]:
        """The range of the stored state, int<state_bits>."""
        big = 1 << (node.attrs["state_bits"] - 1)
        return -big, big - 1

    def intermediate_bounds(self, node, graph, input_bound: int) -> NeuronBounds:
        """Worst-case magnitudes of the intermediates (`NeuronBounds`) for inputs |I| ≤ input_bound."""
        a = node.attrs
        m = {p.role: maxabs(graph.param(node, p.role)) for p in self.params}
        big = -self.state_range(node)[0]
        u = int(input_bound) << a["in_shift"]
        leak, alpha = m["leak"] * big, m.get("alpha", 0) * big
        dec_v = (leak >> a["shift"]) + 1
        dec_i = (alpha >> a["shift"]) + 1 if self.current else 0
        h = dec_v + dec_i + u + m.get("bias", 0)
        if a.get("reset") == "subtract_undecayed":
            h += m.get("threshold", 0)
        v = h + m.get("threshold", 0) + abs(a.get("v_reset", 0))
        return NeuronBounds(big, u, leak, alpha, dec_v, dec_i, dec_i + u, h, v, 1 << a["shift"])

    def prove(self, node, graph, T: int) -> StateRange:
        """The range analysis of this node over T timesteps for inputs of its operand's type,
        stopping at the first timestep an intermediate leaves int<state_bits> (`overflow_at`) or
        at a fixed point (`converged`: the ranges hold for any T)."""
        a = node.attrs
        x = graph[node.operands[0]].type.dtype
        p = {r: graph.param(node, r) for r in ("leak", "threshold", "bias", "alpha")}
        p = {r: (None if v is None else v.reshape(v.shape[0], -1)) for r, v in p.items()}
        return analyse(T, x.range(), a["in_shift"], a["shift"], p["leak"], p["threshold"], p["bias"],
                       p["alpha"], a.get("reset", "none"), a.get("compare", "ge"), a.get("v_reset", 0),
                       fits=self.state_range(node))

    def check_shifts(self, node):
        """Shifts bounded by the type widths: in_shift < state_bits, shift < 2·state_bits."""
        a = node.attrs
        if a["in_shift"] >= a["state_bits"] or a["shift"] >= 2 * a["state_bits"]:
            self.fail(node, f"shifts are bounded by the type widths: in_shift={a['in_shift']} must be < "
                            f"state_bits={a['state_bits']} and shift={a['shift']} < 2·state_bits "
                            f"(the width of the leak product); widen state_bits or use a smaller shift")

    def check(self, node, graph):
        x = graph[node.operands[0]].type
        self.need_integer(node, x)
        a = node.attrs
        if not 2 <= a["state_bits"] <= 64:
            self.fail(node, f"state_bits must be in 2..64, got {a['state_bits']}")
        if a["shift"] < 0 or a["in_shift"] < 0 or not 0 <= a["frac_bits"] < a["state_bits"]:
            self.fail(node, "shift and in_shift must be ≥ 0 and 0 ≤ frac_bits < state_bits")
        self.check_shifts(node)
        for p in self.params:
            self.check_broadcast(node, graph, p.role, x.shape)
        lo, hi = self.state_range(node)
        for p in self.params:
            arr = graph.param(node, p.role)
            if arr is not None and arr.size and (int(arr.min()) < lo or int(arr.max()) > hi):
                self.fail(node, f"parameter {p.role} does not fit int<{a['state_bits']}>")
        check_undecayed(self, node, graph)


@register
class LIFInt(IntNeuron):
    """lif_int: integer LIF (also the integer form of if and plif), v[-1] = 0.

        h    = ((leak[t] · v[t-1]) >> shift) + (I[t] << in_shift) + bias[t]
               − p · threshold[t],  p = v[t-1] ≥ threshold[t] (or >)   (subtract_undecayed only)
        s[t] = h ≥ threshold[t]   (or >, compare = "gt")
        v[t] = s ? v_reset : h  |  h − s · threshold[t]  |  h      (reset zero | subtract | none,
                                                                    subtract_undecayed)

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
    current = True
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
