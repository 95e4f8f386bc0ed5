"""Synaptic layers: linear, conv2d (packed integer weights) and spike_matmul (activation × activation).

Each layer is a PE × SIMD unit: PE output lanes, each summing SIMD synapses per cycle,
in one flattened pipelined loop over (outer position, output group, input chunk); one
packed row holds the PE × SIMD weights of a cycle. The accumulator is a signed
type holding the node's result type. Partial sums cannot wrap: every input range
[lo, hi] contains 0, so each term w·x lies in [min(w·lo, w·hi), max(w·lo, w·hi)], an
interval around 0, and a partial sum lies between the sum of all the terms' minima
and the sum of all their maxima — the range that range analysis gave the result type.

Per lane and cycle the SIMD terms form a partial sum p (w: the weight level, x: the input),
then acc = (first chunk ? 0 : acc) + p:
* binary spikes, ternary weights: p = popcount(x & w⁺) − popcount(x & w⁻)   (no multiplier)
* ternary weights:      p = Σ (x if w = +1, −x if w = −1)   (an adder tree, no multiplier)
* k-bit weights, spikes: p = Σ (w if x ≠ 0)                  (no multiplier)
* otherwise:            p = Σ w · x  (w-bit × x-bit products)
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from snnc.ir import Node

from ..cpp import signed_bits
from ..packing import pack
from .base import BuildContext, Fold, Layer, periodic, roms_of


def acc_type(node: Node) -> tuple[str, int]:
    """(C++ type, bits) of a signed accumulator that holds every value of the node's type."""
    lo, hi = node.type.dtype.range()
    bits = signed_bits(lo, hi)
    return f"ap_int<{bits}>", bits


def _is_spike(buf) -> bool:
    return buf.dtype.kind == "spike" or (buf.dtype.kind == "uint" and buf.dtype.bits == 1)


def _mode(packed, x) -> str:
    if packed.ternary:
        return "popcount" if _is_spike(x) else "ternary"
    return "select" if _is_spike(x) else "multiply"


def _bank(w: np.ndarray, static_rank: int) -> np.ndarray:
    return w if w.ndim == static_rank + 1 else w[None]


def _pack_rows(ctx: BuildContext, node: Node, w: np.ndarray, pe: int, simd: int):
    """Pack ``w [T_w, O, K]`` into rows of PE × SIMD codes: row (bank, group g, chunk c) holds the codes
    of outputs g·PE + l and synapses c·SIMD + s, code index s·PE + l (see `packing.py`)."""
    tw, o, k = w.shape
    grouped = w.reshape(tw, o // pe, pe, k // simd, simd).transpose(0, 1, 3, 4, 2)
    return pack(grouped.reshape(tw, o // pe, k // simd, simd * pe), f"w_{ctx.ident(node.name)}")


def _row(packed, g_count: int, k_count: int) -> str:
    """The packed row of (bank t % T_w, group g, chunk c)."""
    base = f"(t % {packed.banks}) * {g_count * k_count} + " if packed.banks > 1 else ""
    return f"{base}g * {k_count} + c"


def _synapse_data(packed, x, pe: int, simd: int, groups: int, chunks: int) -> dict:
    """The template fields of a PE × SIMD unit (`synapse_update.j2`)."""
    return dict(lanes=pe, simd=simd, groups=groups, chunks=chunks, mode=_mode(packed, x), wbits=packed.wbits,
                count_bits=max(1, simd.bit_length()), weight=packed.decode(_row(packed, groups, chunks),
                                                                          f"s * {pe} + l"),
                w_name=packed.array.name, nw=packed.nw, packed=packed, row_len=chunks, x_type=x.type_name)


def _mvu_fold(node: Node, outer: int, pe_size: int, pe_what: str, k: int, k_what: str, mode: str, x, wbits: int,
              weights, bias, synapses: int, ternary: bool) -> Fold:
    _, acc_bits = acc_type(node)
    return Fold("mvu", outer, pe_size, pe_what, k, k_what, mode, acc_bits, x.dtype.width, wbits,
                weights=weights, params=tuple((a.length, a.bits) for a in roms_of(bias)),
                synapses=synapses, ternary=ternary)


def build_linear(ctx: BuildContext, node: Node) -> Layer:
    (x,) = ctx.operands(node)
    y = ctx.output_buffer(node)
    w = _bank(ctx.graph.param(node, "weight"), 2)
    tw, out, fan_in = w.shape
    rows = x.size // fan_in
    lanes = ctx.lanes(node, out, "output features")
    simd = ctx.simd(node, fan_in, "input features")
    groups, chunks = out // lanes, fan_in // simd
    packed = _pack_rows(ctx, node, w, lanes, simd)
    bias = ctx.bparam(node, "bias", tuple(node.type.shape))
    acc, acc_bits = acc_type(node)
    data = dict(_synapse_data(packed, x, lanes, simd, groups, chunks), rows=rows, fan_in=fan_in, fan_out=out,
                acc=acc, y_type=y.type_name, bias=bias.at("oi") if bias else None)
    fold = _mvu_fold(node, rows, out, "output features", fan_in, "input features", data["mode"], x,
                     packed.wbits, (w.size, packed.wbits), bias, rows * out * fan_in, packed.ternary)
    return Layer(node.name, ctx.ident(node.name), node.op, "linear.j2", data, [x], y, fold, lanes, simd,
                 roms=[packed.array] + roms_of(bias), uses_t=packed.banks > 1 or periodic(bias), simd=simd)


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
    k = cg * kh * kw
    simd = ctx.simd(node, k, "synapses per output (C/groups · kh · kw)")
    groups, chunks = o // lanes, k // simd
    packed = _pack_rows(ctx, node, w.reshape(tw, o, k), lanes, simd)
    bias = ctx.bparam(node, "bias", tuple(node.type.shape))
    acc, acc_bits = acc_type(node)
    channel = "ch" if a["groups"] == 1 else f"((g * {lanes}) / {per_group}) * {cg} + ch"
    data = dict(_synapse_data(packed, x, lanes, simd, groups, chunks), ho=ho, wo=wo, k=k, khkw=kh * kw, kh=kh,
                kw=kw, sh=a["stride"][0], sw=a["stride"][1], dh=a["dilation"][0], dw=a["dilation"][1],
                ph=a["padding"][0], pw=a["padding"][1], h=h, w=wd, channel=channel, acc=acc,
                y_type=y.type_name, bias=bias.at("oi") if bias else None)
    fold = _mvu_fold(node, ho * wo, per_group, "output channels per group", k,
                     "synapses per output (C/groups · kh · kw)", data["mode"], x, packed.wbits,
                     (w.size, packed.wbits), bias, ho * wo * o * k, packed.ternary)
    if a["groups"] > 1:      # PE divides the channels of one group; the groups run one after the other
        fold = replace(fold, outer=ho * wo * a["groups"])
    return Layer(node.name, ctx.ident(node.name), node.op, "conv2d.j2", data, [x], y, fold, lanes, simd,
                 roms=[packed.array] + roms_of(bias), uses_t=packed.banks > 1 or periodic(bias), simd=simd)


def build_spike_matmul(ctx: BuildContext, node: Node) -> Layer:
    a_buf, b_buf = ctx.operands(node)
    y = ctx.output_buffer(node)
    ta, tb = (ctx.graph[o].type.shape for o in node.operands)
    heads = int(np.prod(ta[:-2])) if len(ta) > 2 else 1
    m, n = node.type.shape[-2], node.type.shape[-1]
    k = ta[-2] if node.attrs["transpose_a"] else ta[-1]
    lanes = ctx.lanes(node, n, "columns")
    simd = ctx.simd(node, k, "products per output (K)")
    groups, chunks = n // lanes, k // simd
    a_index = f"h * {m * k} + k * {m} + m" if node.attrs["transpose_a"] else f"h * {m * k} + m * {k} + k"
    b_index = f"h * {k * n} + n * {k} + k" if node.attrs["transpose_b"] else f"h * {k * n} + k * {n} + n"
    acc, acc_bits = acc_type(node)
    data = dict(heads=heads, m=m, n=n, k=k, groups=groups, chunks=chunks, lanes=lanes, simd=simd, acc=acc,
                a_type=a_buf.type_name, y_type=y.type_name, a_index=a_index, b_index=b_index)
    wide = max(a_buf.dtype.width, b_buf.dtype.width)
    fold = Fold("mvu", heads * m, n, "columns", k, "products per output (K)", "multiply", acc_bits,
                min(a_buf.dtype.width, b_buf.dtype.width), wide, synapses=heads * m * n * k)
    return Layer(node.name, ctx.ident(node.name), node.op, "spike_matmul.j2", data, [a_buf, b_buf], y,
                 fold, lanes, simd, simd=simd)
