"""Integer neurons: lif_int, cuba_lif_int, li_int (the equations of `snnc.ir.ops.neuron_int`).

Per neuron and timestep, in a signed type `wide_t` of W bits (below):

    u    = x << in_shift
    cur  = ((alpha · i) >> shift) + u          (cuba_lif_int; stored back into i)   else cur = u
    h    = ((leak · v) >> shift) + cur + bias
    s    = h ≥ threshold  (or >);   v' = s ? v_reset : h  |  h − s·threshold  |  h
    v    = v'   (li_int: y = h)

`leak · v` is a (leak bits) × (state_bits) product, exact. With `saturate`, cur, h and
v' are clamped to int<state_bits> as they are formed; without it the compiler has
proven they fit, and storing them into the `ap_int<state_bits>` state is exact.
W holds every intermediate exactly: with S = 2^(state_bits−1) (the largest |state|),

    W = bits(max(|leak|·S, |alpha|·S, |u|, (|alpha|·S >> shift) + 1 + |u|,
                 h_max = (|leak|·S >> shift) + 1 + max(|u|, S) + |bias|,
                 h_max + |threshold| + |v_reset|)) + 1
"""
from __future__ import annotations

from snnc.ir import Node

from ..cpp import MAX_WIDTH, literal, maxabs, maxabs_values
from ...target import TargetError
from .base import PIPELINE_DEPTH, BuildContext, Cost, Layer, State, periodic, roms_of


def _mag(p) -> int:
    return 0 if p is None else maxabs_values(p.values)


def wide_bits(node: Node, x_dtype, params: dict) -> int:
    a = node.attrs
    big = 1 << (a["state_bits"] - 1)
    u = maxabs(x_dtype) << a["in_shift"]
    dec_v = _mag(params.get("leak")) * big
    dec_i = _mag(params.get("alpha")) * big
    cur_new = (dec_i >> a["shift"]) + 1 + u
    h = (dec_v >> a["shift"]) + 1 + max(u, big if node.op == "cuba_lif_int" else 0) + _mag(params.get("bias"))
    v = h + _mag(params.get("threshold")) + abs(a.get("v_reset", 0))
    bits = max(dec_v, dec_i, u, cur_new, h, v, big).bit_length() + 1
    if bits > MAX_WIDTH:
        raise TargetError(f"node %{node.name}: an intermediate of this neuron needs {bits} bits, more than the "
                          f"{MAX_WIDTH} the hls target supports; lower state_bits or in_shift")
    return max(bits, a["state_bits"] + 1)


def _factor(p) -> str:
    """A parameter as a narrow ap_int factor (a literal is wrapped to keep its multiplier narrow)."""
    if p.literal_value is not None:
        return f"ap_int<{p.bits}>({p.literal_value})"
    return p.at("i")


def build_neuron(ctx: BuildContext, node: Node) -> Layer:
    (x,) = ctx.operands(node)
    y = ctx.output_buffer(node)
    a = node.attrs
    shape = tuple(node.type.shape)
    roles = {"lif_int": ("leak", "threshold", "bias"), "cuba_lif_int": ("alpha", "leak", "threshold", "bias"),
             "li_int": ("leak", "bias")}[node.op]
    params = {r: ctx.bparam(node, r, shape) for r in roles}
    params = {r: p for r, p in params.items() if p is not None}
    ww = wide_bits(node, x.dtype, params)
    size = x.size
    lanes = ctx.lanes(node, size, "neurons")
    ident = ctx.ident(node.name)
    sb = a["state_bits"]
    states = [State(f"vstate_{ident}", "v", sb, size, lanes)]
    current = node.op == "cuba_lif_int"
    if current:
        states.append(State(f"istate_{ident}", "cur", sb, size, lanes))
    spiking = node.op != "li_int"
    th = params.get("threshold")
    data = dict(groups=size // lanes, lanes=lanes, wide=f"ap_int<{ww}>", x_type=x.type_name, y_type=y.type_name,
                in_shift=a["in_shift"], shift=a["shift"], current=current, spiking=spiking,
                saturate=a["saturate"], smin=literal(-(1 << (sb - 1))), smax=literal((1 << (sb - 1)) - 1),
                leak=_factor(params["leak"]), alpha=_factor(params["alpha"]) if current else None,
                bias=params["bias"].at("i") if "bias" in params else None,
                threshold=th.at("i") if th is not None else None,
                compare=">=" if a.get("compare", "ge") == "ge" else ">",
                reset=a.get("reset", "none"), v_reset=literal(a.get("v_reset", 0)))
    mults = 2 if current else 1
    leak_bits = max(p.bits for r, p in params.items() if r in ("leak", "alpha"))
    dsp = 0 if leak_bits <= 4 else mults * (-(-leak_bits // 18)) * (-(-sb // 27))
    lut = 3 * ww + (0 if dsp else mults * leak_bits * sb)
    cost = Cost(size // lanes + PIPELINE_DEPTH, lanes, lut, 2 * ww, dsp)
    all_params = list(params.values())
    return Layer(node.name, ident, node.op, "neuron.j2", data, [x], y, cost, lanes, lanes, states=states,
                 roms=roms_of(*all_params), uses_t=periodic(*all_params))
