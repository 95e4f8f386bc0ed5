"""Planners of the integer neurons: lif_int, cuba_lif_int, li_int.

The compute type holds every intermediate of the op's `intermediate_bounds` (the bound the
reference interpreter uses), for inputs bounded by their type's range — the products
leak·v, alpha·i included (formed at double width, so > 64 bits → 128-bit).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from snnc.ir import Node, get_op
from snnc.ir.types import maxabs

from . import cint
from .steps import Neuron

if TYPE_CHECKING:
    from .plan import Builder


def _neuron(b: Builder, node: Node, current: bool, spiking: bool) -> None:
    a = node.attrs
    x = b.operand(node)
    xt = b.g[node.operands[0]].type
    p = {r: b.bparam(node, r, xt.shape) for r in ("leak", "bias", "alpha", "threshold")}
    op = get_op(node.op)
    lo, hi = op.state_range(node)
    v_reset = a.get("v_reset", 0)
    wide = cint.compute_type(op.intermediate_bounds(node, b.g, maxabs(xt.dtype)).worst)
    if wide is None:
        b.fail(node, "its state arithmetic needs more than 127 bits (lower in_shift or state_bits)")
    if not cint.INT64_MIN <= v_reset <= cint.INT64_MAX:
        b.fail(node, f"v_reset={v_reset} does not fit 64 bits")
    st = cint.ctype_for_range(lo, hi)
    y = b.value(node)
    vbuf = b.buffer(f"s_{b.ident}_v", st.name, y.size, state=True)
    ibuf = b.buffer(f"s_{b.ident}_i", st.name, y.size, state=True) if current else None
    b.step(Neuron, node, y, x=x.field, xt=x.ctype.name, size=y.size, v=vbuf, i=ibuf, st=st.name, wide=wide,
           current=current, spiking=spiking, **p, shift=a["shift"], in_shift=a["in_shift"],
           saturate=a["saturate"], bits=a["state_bits"], lo=cint.int_literal(lo), hi=cint.int_literal(hi),
           reset=a.get("reset", "none"), cmp=">=" if a.get("compare", "ge") == "ge" else ">",
           v_reset=cint.int_literal(v_reset))


def plan_lif_int(b: Builder, node: Node) -> None:
    _neuron(b, node, current=False, spiking=True)


def plan_cuba_lif_int(b: Builder, node: Node) -> None:
    _neuron(b, node, current=True, spiking=True)


def plan_li_int(b: Builder, node: Node) -> None:
    _neuron(b, node, current=False, spiking=False)


NEURONS = {"lif_int": plan_lif_int, "cuba_lif_int": plan_cuba_lif_int, "li_int": plan_li_int}
