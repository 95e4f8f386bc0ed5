"""Float neurons unrolled over time: lif, if, plif, cuba_lif, li (state starts at 0).

Per timestep, in exactly the reference's order of float32 operations:

    i[t] = alpha[t] · i[t-1] + I[t]           Mul, Add     (cuba_lif only; else i[t] = I[t])
    h    = beta[t] · v[t-1] + i[t]            Mul, Add     (if: h = v[t-1] + i[t], one Add)
           − (v[t-1] ≥ threshold[t] ? threshold[t] : 0)   Where, Sub   (reset = "subtract_undecayed")
    s[t] = h ≥ threshold[t]  (or >)           GreaterOrEqual / Greater → bool
    v[t] = s ? v_reset : h                    Where                     (reset = "zero")
           s ? h − threshold[t] : h           Sub, Where                (reset = "subtract")
           h                                                            (reset = "none", "subtract_undecayed")
    out  = Cast(s, float)                     (li: v[t] = h, out = v[t], no spike)

At t = 0 the state is 0: ``beta[0] · 0`` is folded into a constant (±0, the sign as the
reference's product has it) and added to I[0], so even the sign of a zero matches.
The state after the last timestep is never used and not computed.
"""
from __future__ import annotations

from .elementwise import compare_op
from .lowering import F32, lowers


def _decay(lw, node, role: str | None, t: int, state: str | None, x: str, what: str) -> str:
    """``role[t] · state + x`` (``state + x`` without a role); state None means the zero state."""
    if state is None:                   # the zero state: the product is a constant ±0
        if role is None:
            zero = lw.const(F32(0.0))
        else:
            zero = lw.param(node, role, 0, transform=lambda p: p.astype(F32) * F32(0.0), tag="times0")
        return lw.b.op("Add", [zero, x], lw.hint(node, t, what))
    if role is not None:
        state = lw.b.op("Mul", [lw.param(node, role, t), state], lw.hint(node, t, f"{what}_decayed"))
    return lw.b.op("Add", [state, x], lw.hint(node, t, what))


@lowers("lif", "if", "plif", "cuba_lif")
def spiking(lw, node, xs):
    a = node.attrs
    beta = None if node.op == "if" else "beta"
    v = i = None
    out = []
    for t in range(lw.T):
        cur = xs[0][t]
        if node.op == "cuba_lif":
            cur = i = _decay(lw, node, "alpha", t, i, cur, "i")
        h = _decay(lw, node, beta, t, v, cur, "h")
        th = lw.param(node, "threshold", t)
        if a["reset"] == "subtract_undecayed":        # the previous spike's threshold, undecayed
            prev = lw.b.op(compare_op(a), [lw.const(F32(0.0)) if v is None else v, th], lw.hint(node, t, "fired"))
            taken = lw.b.op("Where", [prev, th, lw.const(F32(0.0))], lw.hint(node, t, "taken"))
            h = lw.b.op("Sub", [h, taken], lw.hint(node, t, "h_undecayed"))
        s = lw.b.op(compare_op(a), [h, th], lw.hint(node, t, "fire"))
        out.append(lw.b.op("Cast", [s], lw.hint(node, t), to=lw.b.onnx.TensorProto.FLOAT))
        if t == lw.T - 1:
            break
        if a["reset"] == "zero":
            v = lw.b.op("Where", [s, lw.const(F32(a["v_reset"])), h], lw.hint(node, t, "v"))
        elif a["reset"] == "subtract":
            v = lw.b.op("Where", [s, lw.b.op("Sub", [h, th], lw.hint(node, t, "h_minus_th")), h],
                        lw.hint(node, t, "v"))
        else:
            v = h
    return out


@lowers("li")
def li(lw, node, xs):
    v = None
    out = []
    for t in range(lw.T):
        v = _decay(lw, node, "beta", t, v, xs[0][t], "v")
        out.append(v)
    return out
