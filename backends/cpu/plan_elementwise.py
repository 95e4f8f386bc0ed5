"""Planners of the pooling and elementwise ops: sumpool2d, maxpool2d, add, scale, affine,
threshold, multispike_int."""
from __future__ import annotations

from typing import TYPE_CHECKING

from snnc.ir import Node
from snnc.ir.types import maxabs

from . import cint
from .steps import Add, Gain, Multispike, Pool, Ref, Threshold

if TYPE_CHECKING:
    from .plan import Builder


def _pool(b: Builder, node: Node, kind: str) -> None:
    x = b.operand(node)
    c, h, w = b.g[node.operands[0]].type.shape
    _, ho, wo = node.type.shape
    a = node.attrs
    y = b.value(node)
    b.step(Pool, node, y, pool=kind, x=x.field, xt=x.ctype.name, C=c, H=h, W=w, HO=ho, WO=wo, HW=h * w,
           HWO=ho * wo, KH=a["kernel"][0], KW=a["kernel"][1], SH=a["stride"][0], SW=a["stride"][1],
           PH=a["padding"][0], PW=a["padding"][1], acc=b.acc(node, False) if kind == "sum" else x.ctype.name,
           init=cint.int_literal(x.ctype.lo))


def plan_sumpool2d(b: Builder, node: Node) -> None:
    _pool(b, node, "sum")


def plan_maxpool2d(b: Builder, node: Node) -> None:
    _pool(b, node, "max")


def plan_add(b: Builder, node: Node) -> None:
    xs = [b.values[o] for o in node.operands]
    y = b.value(node)
    b.step(Add, node, y, xs=[Ref(v.field, v.ctype.name) for v in xs], size=y.size, acc=b.acc(node, False))


def _gain(b: Builder, node: Node, with_bias: bool) -> None:
    x = b.operand(node)
    xt = b.g[node.operands[0]].type
    scale = b.bparam(node, "scale", xt.shape)
    bias = b.bparam(node, "bias", xt.shape) if with_bias else None
    bound = maxabs(xt.dtype) * scale.maxabs + (bias.maxabs if bias else 0)
    wide = cint.compute_type(max(bound, maxabs(node.type.dtype)))
    if wide is None:
        b.fail(node, "its products need more than 127 bits")
    y = b.value(node)
    b.step(Gain, node, y, x=x.field, xt=x.ctype.name, size=y.size, scale=scale, bias=bias,
           shift=node.attrs["shift"], wide=wide)


def plan_scale(b: Builder, node: Node) -> None:
    _gain(b, node, False)


def plan_affine(b: Builder, node: Node) -> None:
    _gain(b, node, True)


def plan_threshold(b: Builder, node: Node) -> None:
    x = b.operand(node)
    th = b.bparam(node, "threshold", b.g[node.operands[0]].type.shape)
    y = b.value(node)
    b.step(Threshold, node, y, x=x.field, xt=x.ctype.name, size=y.size, th=th,
           cmp=">=" if node.attrs["compare"] == "ge" else ">")


def plan_multispike_int(b: Builder, node: Node) -> None:
    x = b.operand(node)
    f = node.attrs["frac_bits"]
    half = (1 << (f - 1)) if f > 0 else 0
    wide = cint.compute_type(maxabs(b.g[node.operands[0]].type.dtype) + half)
    if wide is None or f > 126:
        b.fail(node, "its input is wider than 126 bits")
    y = b.value(node)
    b.step(Multispike, node, y, x=x.field, xt=x.ctype.name, size=y.size, F=f,
           half_shift=f - 1 if f > 0 else None, D=cint.int_literal(min(node.attrs["D"], cint.INT64_MAX)), wide=wide)


ELEMENTWISE = {"sumpool2d": plan_sumpool2d, "maxpool2d": plan_maxpool2d, "add": plan_add, "scale": plan_scale,
               "affine": plan_affine, "threshold": plan_threshold, "multispike_int": plan_multispike_int}
