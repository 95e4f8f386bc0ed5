"""Plan steps of the integer neurons: lif_int, cuba_lif_int, li_int.

The compute type holds every intermediate by the bounds the reference interpreter uses: with
state range ±2^(b−1) (b = state_bits), u = max|I| << in_shift, the decayed terms
(alpha·i) >> shift and (leak·v) >> shift, the sums i and h, and the reset value — and the
products leak·v, alpha·i themselves (formed at double width, so > 64 bits → 128-bit).
"""
from __future__ import annotations

from . import cint
from .cint import maxabs


class NeuronSteps:
    def _neuron(self, node, current: bool, spiking: bool):
        a = node.attrs
        x = self.operand(node)
        xt = self.g[node.operands[0]].type
        shape = xt.shape
        p = {r: self.bparam(node, r, shape) for r in ("leak", "bias", "alpha", "threshold")}
        bits = a["state_bits"]
        big = 1 << (bits - 1)
        m = {r: (v["maxabs"] if v else 0) for r, v in p.items()}
        u = maxabs(*xt.dtype.range()) << a["in_shift"]
        cur = (((m["alpha"] * big) >> a["shift"]) + 1 + u) if current else u
        h = ((m["leak"] * big) >> a["shift"]) + 1 + cur + m["bias"]
        v_reset = a.get("v_reset", 0)
        bound = max(m["leak"] * big, m["alpha"] * big, h + m["threshold"] + abs(v_reset), big)
        wide = cint.compute_type(bound)
        if wide is None:
            self.fail(node, "its state arithmetic needs more than 127 bits (lower in_shift or state_bits)")
        if not cint.INT64_MIN <= v_reset <= cint.INT64_MAX:
            self.fail(node, f"v_reset={v_reset} does not fit 64 bits")
        st = cint.ctype_for_range(-big, big - 1)
        y = self.value(node)
        self.buffer(y.field, y.ctype.name, y.size)
        vbuf = self.buffer(f"s_{self.ident}_v", st.name, y.size, state=True)
        ibuf = self.buffer(f"s_{self.ident}_i", st.name, y.size, state=True) if current else None
        self.step(node, "neuron", x=x.field, xt=x.ctype.name, y=y.field, yt=y.ctype.name, size=y.size,
                  v=vbuf, i=ibuf, st=st.name, W=wide, current=current, spiking=spiking,
                  leak=p["leak"], bias=p["bias"], alpha=p["alpha"], threshold=p["threshold"],
                  shift=a["shift"], in_shift=a["in_shift"], saturate=a["saturate"], bits=bits,
                  lo=cint.c_int(-big), hi=cint.c_int(big - 1), reset=a.get("reset", "none"),
                  cmp=">=" if a.get("compare", "ge") == "ge" else ">", v_reset=cint.c_int(v_reset))

    def op_lif_int(self, node):
        self._neuron(node, current=False, spiking=True)

    def op_cuba_lif_int(self, node):
        self._neuron(node, current=True, spiking=True)

    def op_li_int(self, node):
        self._neuron(node, current=False, spiking=False)
