"""Float leaky integrate-and-fire neurons: lif, if, plif."""
from ..types import SPIKE, TensorType
from .base import Attr, OpDef, Param, register

RESETS = ("zero", "subtract", "none", "subtract_undecayed")
NEURON_ATTRS = (Attr("reset", "str", "subtract", choices=RESETS),
                Attr("compare", "str", "ge", choices=("ge", "gt")),
                Attr("v_reset", "float", 0.0))


def check_undecayed(op, node, graph):
    """reset = "subtract_undecayed" recomputes the previous spike from v[t-1] and the threshold: the
    threshold must be static over time."""
    th = graph.param(node, "threshold")
    if node.attrs.get("reset") == "subtract_undecayed" and th is not None and th.shape[0] != 1:
        op.fail(node, f"reset = subtract_undecayed needs a threshold that is static over time (it has "
                      f"{th.shape[0]} time slices)")


class FloatNeuron(OpDef):
    stateful = True
    attrs = NEURON_ATTRS

    def check(self, node, graph):
        x = graph[node.operands[0]].type
        self.need_float(node, x)
        for p in self.params:
            self.check_broadcast(node, graph, p.role, x.shape)
        check_undecayed(self, node, graph)

    def infer_type(self, node, graph, ins):
        return TensorType(ins[0].shape, SPIKE)


@register
class LIF(FloatNeuron):
    """lif: leaky integrate-and-fire, state v[-1] = 0.

        h    = beta[t] · v[t-1] + I[t]
               − p · threshold[t],  p = v[t-1] ≥ threshold[t] (or >)   (reset = "subtract_undecayed" only)
        s[t] = h ≥ threshold[t]            (compare = "ge", SpikingJelly)
               h > threshold[t]            (compare = "gt", snnTorch, NIR, Loihi)
        v[t] = s ? v_reset : h             (reset = "zero")
               h − s · threshold[t]        (reset = "subtract")
               h                           (reset = "none", "subtract_undecayed")

    "subtract_undecayed" is snnTorch's subtract reset (its default, ``reset_delay=True``): the
    threshold is taken off one step later and not decayed, ``mem = β·mem + I − s[t-1]·θ``;
    p is that previous spike, recomputed from v[t-1] = h[t-1]. It needs a threshold that is
    static over time (checked), so that p is the spike of step t-1.

    `beta` and `threshold` are broadcast parameters (per tensor / neuron / channel / timestep).
    """
    name = "lif"
    params = (Param("beta", storage="float"), Param("threshold", storage="float"))


@register
class IF(FloatNeuron):
    """if: integrate-and-fire — `lif` with beta = 1:  h = v[t-1] + I[t], then spike and reset as lif."""
    name = "if"
    params = (Param("threshold", storage="float"),)


@register
class PLIF(FloatNeuron):
    """plif: parametric LIF — a LIF whose beta was learned (beta = sigmoid(w)); once trained its
    semantics are exactly `lif`'s:  h = beta[t] · v[t-1] + I[t], spike and reset as lif.
    Kept as its own op for provenance (reports, NIR export)."""
    name = "plif"
    params = (Param("beta", storage="float"), Param("threshold", storage="float"))


@register
class CubaLIF(FloatNeuron):
    """cuba_lif: current-based LIF, states i[-1] = v[-1] = 0.

        i[t] = alpha[t] · i[t-1] + I[t]
        h    = beta[t] · v[t-1] + i[t]
        then spike and reset of v as in lif (the current is not reset).
    """
    name = "cuba_lif"
    params = (Param("alpha", storage="float"), Param("beta", storage="float"),
              Param("threshold", storage="float"))


@register
class LI(OpDef):
    """li: leaky integrator readout (no spike), v[-1] = 0:  v[t] = beta[t] · v[t-1] + I[t];  y[t] = v[t]."""
    name = "li"
    stateful = True
    params = (Param("beta", storage="float"),)

    def check(self, node, graph):
        x = graph[node.operands[0]].type
        self.need_float(node, x)
        self.check_broadcast(node, graph, "beta", x.shape)

    def infer_type(self, node, graph, ins):
        return ins[0]


@register
class Threshold(OpDef):
    """threshold: stateless spike, s[t] = x[t] ≥ threshold[t] (or > for compare = "gt").

    Works on float and integer inputs (the threshold parameter must then be integer)."""
    name = "threshold"
    attrs = (Attr("compare", "str", "ge", choices=("ge", "gt")),)
    params = (Param("threshold"),)

    def check(self, node, graph):
        x = graph[node.operands[0]].type
        self.check_broadcast(node, graph, "threshold", x.shape)
        th = graph.param(node, "threshold")
        if x.dtype.is_integer and th.dtype.kind == "f":
            self.fail(node, "an integer input needs an integer threshold")

    def infer_type(self, node, graph, ins):
        return TensorType(ins[0].shape, SPIKE)
