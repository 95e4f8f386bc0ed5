"""Elementwise layers: add, scale, affine, threshold, multispike_int, and the copy into an output.

Each is one pipelined loop over N / P groups of P lanes; per element i:

* add:            y = x_1 + … + x_n                     (exact: ap sums widen)
* scale:          y = (x · scale) >> shift              (an x-bit × scale-bit product, exact)
* affine:         y = ((x · scale) >> shift) + bias
* threshold:      y = x ≥ threshold   (or >)
* multispike_int: y = clip((x + half) >> f, 0, D),  half = 2^(f−1) (0 when f = 0),
                  in a signed type of (x bits + 2)
* output:         y = x
The result always fits the node's type (range analysis), so the final conversion is exact.
"""
from __future__ import annotations

from snnc.ir import Node
from snnc.ir.types import maxabs

from ...common.literals import int_literal
from ...target import TargetError
from ..cpp import MAX_WIDTH
from .base import BuildContext, Layer, map_fold, periodic, roms_of


def _layer(ctx, node, template, data, ins, cost_lut, cost_ff, params=(), dsp=0, y=None) -> Layer:
    y = y or ctx.output_buffer(node)
    size = y.size
    lanes = ctx.lanes(node, size, "elements")
    data = dict(data, groups=size // lanes, lanes=lanes, y_type=y.type_name)
    fold = map_fold(size, "elements", cost_lut, cost_ff, dsp, roms_of(*params))
    ident = ctx.ident(node.name)
    return Layer(node.name, ident, node.op, template, data, ins, y, fold, lanes, lanes,
                 roms=roms_of(*params), uses_t=periodic(*params))


def build_add(ctx: BuildContext, node: Node) -> Layer:
    xs = ctx.operands(node)
    terms = " + ".join(f"x{k}[i]" for k in range(len(xs)))
    bits = ctx.output_buffer(node).dtype.width
    return _layer(ctx, node, "map.j2", dict(expr=terms), xs, bits * (len(xs) - 1), bits)


def build_gain(ctx: BuildContext, node: Node) -> Layer:
    """scale and affine: ((x · scale) >> shift) [+ bias]."""
    (x,) = ctx.operands(node)
    shape = tuple(node.type.shape)
    scale = ctx.bparam(node, "scale", shape)
    bias = ctx.bparam(node, "bias", shape) if node.op == "affine" else None
    if (maxabs(x.dtype) * maxabs(scale.layout.values)).bit_length() + 1 > MAX_WIDTH:
        raise TargetError(f"node %{node.name}: the product x · scale needs more than {MAX_WIDTH} bits, the widest "
                          "integer the hls target supports")
    expr = f"(x0[i] * {scale.factor()}) >> {node.attrs['shift']}"
    if bias is not None:
        expr = f"({expr}) + {bias.at('i')}"
    xbits = x.dtype.width
    dsp = 0 if min(xbits, scale.bits) <= 4 or scale.layout.uniform else \
        -(-scale.bits // 18) * -(-xbits // 27)
    lut = xbits + scale.bits + (0 if dsp else xbits * scale.bits)
    return _layer(ctx, node, "map.j2", dict(expr=expr), [x], lut, xbits + scale.bits, (scale, bias), dsp)


def build_threshold(ctx: BuildContext, node: Node) -> Layer:
    (x,) = ctx.operands(node)
    th = ctx.bparam(node, "threshold", tuple(node.type.shape))
    cmp = ">=" if node.attrs["compare"] == "ge" else ">"
    return _layer(ctx, node, "map.j2", dict(expr=f"x0[i] {cmp} {th.at('i')}"), [x], x.dtype.width, 1, (th,))


def build_multispike(ctx: BuildContext, node: Node) -> Layer:
    (x,) = ctx.operands(node)
    f = node.attrs["frac_bits"]
    wide = f"ap_int<{max(x.dtype.width, f) + 2}>"
    data = dict(wide=wide, half=int_literal((1 << (f - 1)) if f > 0 else 0), frac=f, d=int_literal(node.attrs["D"]))
    return _layer(ctx, node, "multispike.j2", data, [x], 3 * x.dtype.width, x.dtype.width)


def build_output(ctx: BuildContext, node: Node) -> Layer:
    (x,) = ctx.operands(node)
    return _layer(ctx, node, "map.j2", dict(expr="x0[i]"), [x], 0, 0)
