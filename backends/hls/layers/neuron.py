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
W holds every intermediate exactly: one sign bit more than the op's worst-case magnitude
(`intermediate_bounds(...).worst`, for x bounded by its type), and at least state_bits + 1.
"""
from __future__ import annotations

from snnc.ir import Node, get_op
from snnc.ir.types import maxabs

from ...common.literals import int_literal
from ...target import TargetError
from ..cpp import MAX_WIDTH
from .base import BuildContext, Layer, State, map_fold, periodic, roms_of


def wide_bits(node: Node, graph, x_dtype) -> int:
    bound = get_op(node.op).intermediate_bounds(node, graph, maxabs(x_dtype)).worst
    bits = bound.bit_length() + 1
    if bits > MAX_WIDTH:
        raise TargetError(f"node %{node.name}: an intermediate of this neuron needs {bits} bits, more than the "
                          f"{MAX_WIDTH} the hls target supports; lower state_bits or in_shift")
    return max(bits, node.attrs["state_bits"] + 1)


def build_neuron(ctx: BuildContext, node: Node) -> Layer:
    (x,) = ctx.operands(node)
    y = ctx.output_buffer(node)
    a = node.attrs
    shape = tuple(node.type.shape)
    roles = {"lif_int": ("leak", "threshold", "bias"), "cuba_lif_int": ("alpha", "leak", "threshold", "bias"),
             "li_int": ("leak", "bias")}[node.op]
    params = {r: ctx.bparam(node, r, shape) for r in roles}
    params = {r: p for r, p in params.items() if p is not None}
    ww = wide_bits(node, ctx.graph, x.dtype)
    size = x.size
    lanes = ctx.lanes(node, size, "neurons")
    ident = ctx.ident(node.name)
    sb = a["state_bits"]
    smin, smax = get_op(node.op).state_range(node)
    states = [State(f"vstate_{ident}", "v", sb, size, lanes)]
    current = node.op == "cuba_lif_int"
    if current:
        states.append(State(f"istate_{ident}", "cur", sb, size, lanes))
    spiking = node.op != "li_int"
    th = params.get("threshold")
    data = dict(groups=size // lanes, lanes=lanes, wide=f"ap_int<{ww}>", x_type=x.type_name, y_type=y.type_name,
                in_shift=a["in_shift"], shift=a["shift"], current=current, spiking=spiking,
                saturate=a["saturate"], smin=int_literal(smin), smax=int_literal(smax),
                leak=params["leak"].factor(), alpha=params["alpha"].factor() if current else None,
                bias=params["bias"].at("i") if "bias" in params else None,
                threshold=th.at("i") if th is not None else None,
                compare=">=" if a.get("compare", "ge") == "ge" else ">",
                reset=a.get("reset", "none"), v_reset=int_literal(a.get("v_reset", 0)))
    mults = 2 if current else 1
    leak_bits = max(p.bits for r, p in params.items() if r in ("leak", "alpha"))
    dsp = 0 if leak_bits <= 4 else mults * (-(-leak_bits // 18)) * (-(-sb // 27))
    lut = 3 * ww + (0 if dsp else mults * leak_bits * sb)
    all_params = list(params.values())
    fold = map_fold(size, "neurons", lut, 2 * ww, dsp, roms_of(*all_params), [(s.size, s.bits) for s in states])
    return Layer(node.name, ident, node.op, "neuron.j2", data, [x], y, fold, lanes, lanes, states=states,
                 roms=roms_of(*all_params), uses_t=periodic(*all_params))
