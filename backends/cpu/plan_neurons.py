"""Plan steps of the integer neurons: lif_int, cuba_lif_int, li_int.

The compute type holds every intermediate of the op's `intermediate_bounds` (the bound the
reference interpreter uses), for inputs bounded by their type's range — the products
leak·v, alpha·i included (formed at double width, so > 64 bits → 128-bit).
"""
from __future__ import annotations

from snnc.ir import get_op
from snnc.ir.types import maxabs

from . import cint


class NeuronSteps:
    def _neuron(self, node, current: bool, spiking: bool):
        a = node.attrs
        x = self.operand(node)
        xt = self.g[node.operands[0]].type
        shape = xt.shape
        p = {r: self.bparam(node, r, shape) for r in ("leak", "bias", "alpha", "threshold")}
        bits = a["state_bits"]
        op = get_op(node.op)
        lo, hi = op.state_range(node)
        v_reset = a.get("v_reset", 0)
        wide = cint.compute_type(op.intermediate_bounds(node, self.g, maxabs(xt.dtype)).worst)
        if wide is None:
            self.fail(node, "its state arithmetic needs more than 127 bits (lower in_shift or state_bits)")
        if not cint.INT64_MIN <= v_reset <= cint.INT64_MAX:
            self.fail(node, f"v_reset={v_reset} does not fit 64 bits")
        st = cint.ctype_for_range(lo, hi)
        y = self.value(node)
        self.buffer(y.field, y.ctype.name, y.size)
        vbuf = self.buffer(f"s_{self.ident}_v", st.name, y.size, state=True)
        ibuf = self.buffer(f"s_{self.ident}_i", st.name, y.size, state=True) if current else None
        self.step(node, "neuron", x=x.field, xt=x.ctype.name, y=y.field, yt=y.ctype.name, size=y.size,
                  v=vbuf, i=ibuf, st=st.name, W=wide, current=current, spiking=spiking,
                  leak=p["leak"], bias=p["bias"], alpha=p["alpha"], threshold=p["threshold"],
                  shift=a["shift"], in_shift=a["in_shift"], saturate=a["saturate"], bits=bits,
                  lo=cint.c_int(lo), hi=cint.c_int(hi), reset=a.get("reset", "none"),
                  cmp=">=" if a.get("compare", "ge") == "ge" else ">", v_reset=cint.c_int(v_reset))

    def op_lif_int(self, node):
        self._neuron(node, current=False, spiking=True)

    def op_cuba_lif_int(self, node):
        self._neuron(node, current=True, spiking=True)

    def op_li_int(self, node):
        self._neuron(node, current=False, spiking=False)
