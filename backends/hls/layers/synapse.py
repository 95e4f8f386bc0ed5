"""Synaptic layers: linear, conv2d (packed integer weights) and spike_matmul (activation × activation).

Each output group of P lanes accumulates in a pipelined loop over its synapses (one
synapse per cycle, P weights read from one packed row). The accumulator is a signed
type holding the node's result type. Partial sums cannot wrap: every input range
[lo, hi] contains 0, so each term w·x lies in [min(w·lo, w·hi), max(w·lo, w·hi)], an
interval around 0, and a partial sum lies between the sum of all the terms' minima
and the sum of all their maxima — the range that range analysis gave the result type.

Per synapse and lane (w: the weight level, x: the input):
* ternary weights:      acc += x if w = +1, acc −= x if w = −1      (no multiplier)
* k-bit weights, spikes: acc += w if x ≠ 0                           (no multiplier)
* otherwise:            acc += w · x  (a w-bit × x-bit product)
"""
from __future__ import annotations

import numpy as np

from snnc.ir import Node

from ..cpp import signed_bits
from ..packing import pack
from .base import PIPELINE_DEPTH, BuildContext, Cost, Layer, periodic, roms_of


def acc_type(node: Node) -> tuple[str, int]:
    """(C++ type, bits) of a signed accumulator that holds every value of the node's type."""
    lo, hi = node.type.dtype.range()
    bits = signed_bits(lo, hi)
    return f"ap_int<{bits}>", bits


def _is_spike(buf) -> bool:
    return buf.dtype.kind == "spike" or (buf.dtype.kind == "uint" and buf.dtype.bits == 1)


def _mode(packed, x) -> str:
    if packed.ternary:
        return "ternary"
    return "select" if _is_spike(x) else "multiply"


def _lane_cost(mode: str, acc_bits: int, wbits: int, xbits: int) -> tuple[int, int]:
    """(LUT, DSP) of one lane's multiply-accumulate; see estimates.py."""
    if mode != "multiply":
        return acc_bits + wbits, 0
    if min(wbits, xbits) <= 4:
        return acc_bits + wbits * xbits, 0
    return acc_bits, -(-wbits // 18) * -(-xbits // 27)


def _bank(w: np.ndarray, static_rank: int) -> np.ndarray:
    return w if w.ndim == static_rank + 1 else w[None]


def _weights(ctx: BuildContext, node: Node, grouped: np.ndarray):
    """Pack the levels ``[T_w, G, K, P]`` of a node into its weight memory ``w_<id>``."""
    return pack(grouped, f"w_{ctx.ident(node.name)}")


def _row(packed, g_count: int, k_count: int, k_var: str) -> str:
    """The packed row of (bank t % T_w, group g, synapse k_var)."""
    base = f"(t % {packed.banks}) * {g_count * k_count} + " if packed.banks > 1 else ""
    return f"{base}g * {k_count} + {k_var}"


def build_linear(ctx: BuildContext, node: Node) -> Layer:
    (x,) = ctx.operands(node)
    y = ctx.output_buffer(node)
    w = _bank(ctx.graph.param(node, "weight"), 2)
    tw, out, fan_in = w.shape
    rows = x.size // fan_in
    lanes = ctx.lanes(node, out, "output features")
    groups = out // lanes
    grouped = w.reshape(tw, groups, lanes, fan_in).transpose(0, 1, 3, 2)
    packed = _weights(ctx, node, grouped)
    out_shape = tuple(node.type.shape)
    bias = ctx.bparam(node, "bias", out_shape)
    acc, acc_bits = acc_type(node)
    mode = _mode(packed, x)
    lut, dsp = _lane_cost(mode, acc_bits, packed.wbits, x.dtype.width)
    data = dict(rows=rows, groups=groups, lanes=lanes, fan_in=fan_in, fan_out=out, acc=acc,
                x_type=x.type_name, y_type=y.type_name, wbits=packed.wbits, mode=mode,
                weight=packed.decode(_row(packed, groups, fan_in, "i")), w_name=packed.array.name,
                nw=packed.nw, bias=bias.at("oi") if bias else None, packed=packed, row_len=fan_in)
    cycles = rows * groups * (fan_in + PIPELINE_DEPTH)
    cost = Cost(cycles, lanes, lut, acc_bits, dsp, packed.ternary, rows * out * fan_in)
    return Layer(node.name, ctx.ident(node.name), node.op, "linear.j2", data, [x], y, cost, lanes, 1,
                 roms=[packed.array] + roms_of(bias), uses_t=packed.banks > 1 or periodic(bias))


def build_conv2d(ctx: BuildContext, node: Node) -> Layer:
    (x,) = ctx.operands(node)
    y = ctx.output_buffer(node)
    a = node.attrs
    w = _bank(ctx.graph.param(node, "weight"), 4)
    tw, o, cg, kh, kw = w.shape
    _, h, wd = ctx.graph[node.operands[0]].type.shape
    _, ho, wo = node.type.shape
    per_group = o // a["groups"]
    lanes = ctx.lanes(node, per_group, "output channels per group")
    groups = o // lanes
    k = cg * kh * kw
    grouped = w.reshape(tw, groups, lanes, k).transpose(0, 1, 3, 2)
    packed = _weights(ctx, node, grouped)
    bias = ctx.bparam(node, "bias", tuple(node.type.shape))
    acc, acc_bits = acc_type(node)
    mode = _mode(packed, x)
    lut, dsp = _lane_cost(mode, acc_bits, packed.wbits, x.dtype.width)
    channel = "c" if a["groups"] == 1 else f"((g * {lanes}) / {per_group}) * {cg} + c"
    data = dict(ho=ho, wo=wo, groups=groups, lanes=lanes, k=k, khkw=kh * kw, kh=kh, kw=kw,
                sh=a["stride"][0], sw=a["stride"][1], dh=a["dilation"][0], dw=a["dilation"][1],
                ph=a["padding"][0], pw=a["padding"][1], h=h, w=wd, channel=channel, acc=acc,
                x_type=x.type_name, y_type=y.type_name, wbits=packed.wbits, mode=mode,
                weight=packed.decode(_row(packed, groups, k, "k")), w_name=packed.array.name,
                nw=packed.nw, bias=bias.at("oi") if bias else None, packed=packed, row_len=k)
    cycles = ho * wo * groups * (k + PIPELINE_DEPTH)
    cost = Cost(cycles, lanes, lut, acc_bits, dsp, packed.ternary, ho * wo * o * k)
    return Layer(node.name, ctx.ident(node.name), node.op, "conv2d.j2", data, [x], y, cost, lanes, 1,
                 roms=[packed.array] + roms_of(bias), uses_t=packed.banks > 1 or periodic(bias))


def build_spike_matmul(ctx: BuildContext, node: Node) -> Layer:
    a_buf, b_buf = ctx.operands(node)
    y = ctx.output_buffer(node)
    ta, tb = (ctx.graph[o].type.shape for o in node.operands)
    heads = int(np.prod(ta[:-2])) if len(ta) > 2 else 1
    m, n = node.type.shape[-2], node.type.shape[-1]
    k = ta[-2] if node.attrs["transpose_a"] else ta[-1]
    lanes = ctx.lanes(node, n, "columns")
    groups = n // lanes
    a_index = f"h * {m * k} + k * {m} + m" if node.attrs["transpose_a"] else f"h * {m * k} + m * {k} + k"
    b_index = f"h * {k * n} + n * {k} + k" if node.attrs["transpose_b"] else f"h * {k * n} + k * {n} + n"
    acc, acc_bits = acc_type(node)
    data = dict(heads=heads, m=m, n=n, k=k, groups=groups, lanes=lanes, acc=acc, a_type=a_buf.type_name,
                y_type=y.type_name, a_index=a_index, b_index=b_index)
    xbits = min(a_buf.dtype.width, b_buf.dtype.width)
    lut, dsp = _lane_cost("multiply", acc_bits, max(a_buf.dtype.width, b_buf.dtype.width), xbits)
    cycles = heads * m * groups * (k + PIPELINE_DEPTH)
    cost = Cost(cycles, lanes, lut, acc_bits, dsp, False, heads * m * n * k)
    return Layer(node.name, ctx.ident(node.name), node.op, "spike_matmul.j2", data, [a_buf, b_buf], y,
                 cost, lanes, 1)
