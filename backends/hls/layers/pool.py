"""Pooling layers: sumpool2d and maxpool2d over x [C, H, W] (zero padding; padding never wins a max).

One pipelined loop over the N / P groups of P output elements; the kh × kw window of
each lane is unrolled. sumpool2d adds in a signed accumulator one bit wider than the
result type (exact); maxpool2d keeps the largest in-bounds element (every window
holds one: padding is at most half the kernel).
"""
from __future__ import annotations

from snnc.ir import Node

from .base import BuildContext, Layer, map_fold
from .synapse import acc_type


def build_pool(ctx: BuildContext, node: Node) -> Layer:
    (x,) = ctx.operands(node)
    y = ctx.output_buffer(node)
    a = node.attrs
    _, h, w = ctx.graph[node.operands[0]].type.shape
    _, ho, wo = node.type.shape
    lanes = ctx.lanes(node, y.size, "elements")
    kh, kw = a["kernel"]
    acc, bits = acc_type(node)
    data = dict(groups=y.size // lanes, lanes=lanes, y_type=y.type_name, x_type=x.type_name, acc=acc, howo=ho * wo,
                ho=ho, wo=wo, h=h, w=w, kh=kh, kw=kw, sh=a["stride"][0], sw=a["stride"][1],
                ph=a["padding"][0], pw=a["padding"][1], is_max=node.op == "maxpool2d")
    fold = map_fold(y.size, "elements", kh * kw * bits, bits)
    return Layer(node.name, ctx.ident(node.name), node.op, "pool.j2", data, [x], y, fold, lanes, 1)
