"""Planners of the synaptic ops: linear, conv2d (kernel chosen per layer, `kernels.py`) and
spike_matmul. Accumulators are as narrow as the node's result type allows (every partial sum
of an integer product lies within it: each term's range contains 0)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from snnc.ir import Node
from snnc.ir.types import size_of

from ..common.names import safe_name
from . import cint, kernels, packing
from .steps import ConvBitplane, ConvDirect, ConvEvent, LinearBitplane, LinearEvent, SpikeMatmul

if TYPE_CHECKING:
    from .plan import Builder

SPAN_ROUND = 64              # elements: a whole number of AVX-512 vectors of int8 … int64 accumulators
EVENT_TILE_BYTES = 1024       # accumulators of one output tile of the event kernel (16 AVX-512 registers)
ACC_BYTES = {"int8_t": 1, "int16_t": 2, "int32_t": 4, "int64_t": 8}
ACTIVE = {"uint8_t": "snnc_active_u8", "int8_t": "snnc_active_i8", "uint16_t": "snnc_active_u16",
          "int16_t": "snnc_active_i16", "uint32_t": "snnc_active_u32", "int32_t": "snnc_active_i32",
          "int64_t": "snnc_active_i64"}      # storage type → the runtime's lister of non-zero inputs
ROWSUM = {"int16_t": "snnc_event_i8_i16", "int32_t": "snnc_event_i8_i32"}   # accumulator → SIMD row summer


def _bank(b: Builder, node: Node, static_rank: int) -> np.ndarray:
    """The weight as banks [T_w, *static shape]; refuses a float scale left on the node."""
    if "scale" in node.params:
        b.fail(node, "it has a float scale; fold it (fold-temporal-scale, integerize) first")
    w = b.int_param(node, "weight")
    return w if w.ndim == static_rank + 1 else w[None]


def plan_linear(b: Builder, node: Node) -> None:
    x = b.operand(node)
    xt = b.g[node.operands[0]].type
    bank = _bank(b, node, 2)
    tw, m, k = bank.shape
    lead = size_of(xt.shape[:-1])
    name = safe_name(node.name)
    y = b.value(node)
    bias = b.bparam(node, "bias", node.type.shape)
    common = dict(x=x.field, xt=x.ctype.name, lead=lead, K=k, M=m, tw=tw, bias=bias)
    d, source = b.density(node.operands[0])
    choice = kernels.choose_linear(bank, xt.dtype, k, m, b.o.kernels, d, source, b.plan.simd, lead)
    b.plan.choices[node.name] = choice
    if choice.kernel == "bitplane":
        P, N = packing.bitplanes(bank)
        groups, kw = P.shape[1], P.shape[2]
        nbits = kernels.input_planes(xt.dtype)
        pn = b.array(f"{b.ident}_pos", P, cint.UINT64, f"+1 bit planes of %{name}")
        nn = b.array(f"{b.ident}_neg", N, cint.UINT64, f"-1 bit planes of %{name}")
        xb = b.buffer(f"s_{b.ident}_bits", "uint64_t", lead * nbits * kw)
        acc = b.buffer(f"s_{b.ident}_acc", "int64_t", lead * nbits * groups * 8)
        b.step(LinearBitplane, node, y, P=pn, N=nn, pstride=groups * kw * 8, groups=groups, kw=kw,
               mpad=groups * 8, nbits=nbits, xbits=xb, accbuf=acc, **common)
    else:
        wt = packing.transposed(bank)
        wct = cint.array_ctype(wt)
        wn = b.array(f"{b.ident}_wt", wt, wct, f"weights of %{name}, [{tw}][{k}][{m}]")
        acc_t = b.acc(node)
        idx = b.buffer(f"s_{b.ident}_idx", "int32_t", k, per_sample=False)
        binary = xt.dtype.range() == (0, 1)
        rowsum = ROWSUM.get(acc_t) if binary and wct.name == "int8_t" else None
        rowbuf = b.buffer(f"s_{b.ident}_row", acc_t, m, per_sample=False) if rowsum else None
        b.step(LinearEvent, node, y, w=wn, wt=wct.name, wstride=k * m, acc=acc_t, idxbuf=idx,
               tile=min(m, EVENT_TILE_BYTES // ACC_BYTES[acc_t]), binary=binary,
               active=ACTIVE[x.ctype.name], rowsum=rowsum, rowbuf=rowbuf, **common)


def plan_conv2d(b: Builder, node: Node) -> None:
    x = b.operand(node)
    xt = b.g[node.operands[0]].type
    bank = _bank(b, node, 4)
    tw, o, cg, kh, kw = bank.shape
    c, h, w = xt.shape
    _, ho, wo = node.type.shape
    a = node.attrs
    (sh, sw), (ph, pw), (dh, dw) = a["stride"], a["padding"], a["dilation"]
    hp, wp = h + 2 * ph, w + 2 * pw
    name = safe_name(node.name)
    y = b.value(node)
    bias = b.bparam(node, "bias", node.type.shape)
    d, source = b.density(node.operands[0])
    choice = kernels.choose_conv(bank, xt.dtype, dict(C=c, O=o, KH=kh, KW=kw, HWO=ho * wo), a["groups"],
                                 b.o.kernels, d, source, b.plan.simd)
    b.plan.choices[node.name] = choice
    kind = choice.kernel
    common = dict(x=x.field, xt=x.ctype.name, C=c, H=h, W=w, O=o, HO=ho, WO=wo, KH=kh, KW=kw, SH=sh, SW=sw,
                  PH=ph, PW=pw, DH=dh, DW=dw, tw=tw, bias=bias, HWO=ho * wo, CHW=c * h * w, OHWO=o * ho * wo)
    if kind == "bitplane":
        P, N = packing.conv_bitplanes_by_output(bank)
        kwords = P.shape[2]
        nbits = kernels.input_planes(xt.dtype)
        cw = -(-c // 64)
        hwo8 = -(-(ho * wo) // 8) * 8                  # positions, padded to whole vectors
        ldx = nbits * hwo8
        pn = b.array(f"{b.ident}_pos", P, cint.UINT64, f"+1 bit planes of %{name}, [T_w][O][words]")
        nn = b.array(f"{b.ident}_neg", N, cint.UINT64, f"-1 bit planes of %{name}, [T_w][O][words]")
        pad = b.buffer(f"s_{b.ident}_pad", "uint64_t", nbits * hp * wp * cw, per_sample=False)
        col = b.buffer(f"s_{b.ident}_col", "uint64_t", kwords * ldx, per_sample=False)
        acc = b.buffer(f"s_{b.ident}_acc", "int64_t", o * ldx, per_sample=False)
        b.step(ConvBitplane, node, y, P=pn, N=nn, pstride=o * kwords, kwords=kwords, nbits=nbits, CW=cw,
               HP=hp, WP=wp, HWO8=hwo8, ldx=ldx, padbuf=pad, colbuf=col, accbuf=acc,
               padwords=nbits * hp * wp * cw, **common)
    elif kind == "event":
        wt = packing.conv_transposed(bank)
        wct = cint.array_ctype(wt)
        wn = b.array(f"{b.ident}_wt", wt, wct, f"weights of %{name}, [{tw}][C][kh][kw][O]")
        acc_t = b.acc(node)
        acc = b.buffer(f"s_{b.ident}_acc", acc_t, ho * wo * o, per_sample=False)
        b.step(ConvEvent, node, y, w=wn, wt=wct.name, wstride=wt[0].size, acc=acc_t, accbuf=acc,
               binary=xt.dtype.range() == (0, 1), **common)
    else:
        wct = cint.array_ctype(bank)
        wn = b.array(f"{b.ident}_w", bank, wct, f"weights of %{name}, [{tw}][O][C/g][kh][kw]")
        acc_t = b.acc(node, wide_inputs=xt.dtype)
        flat = (sh, sw) == (1, 1)
        pitch = wp if flat else wo
        # with AVX-512 the flat loops run over whole vectors (span rounded up to SPAN_ROUND; the extra
        # sums are never read): GCC's remainder loop after each of the O·C·kh·kw row passes made a
        # 32-channel 16×16 layer 9× slower. With AVX2 the rounded loop measured 2× slower: left as it is.
        span = (ho - 1) * wp + wo
        if flat and b.plan.simd == "avx512":
            span = -(-span // SPAN_ROUND) * SPAN_ROUND
        pad = b.buffer(f"s_{b.ident}_pad", acc_t, c * hp * wp + SPAN_ROUND, per_sample=False)
        acc = b.buffer(f"s_{b.ident}_acc", acc_t, max(ho * pitch, span), per_sample=False)
        b.step(ConvDirect, node, y, w=wn, wt=wct.name, wstride=bank[0].size, acc=acc_t, accbuf=acc, padbuf=pad,
               HP=hp, WP=wp, flat=flat, pitch=pitch, accsize=max(ho * pitch, span), span=span, CG=cg,
               OG=o // a["groups"], **common)


def plan_spike_matmul(b: Builder, node: Node) -> None:
    x, z = b.operand(node, 0), b.operand(node, 1)
    at, bt = (b.g[n].type for n in node.operands)
    ra, ca = at.shape[-2:]
    rb, cb = bt.shape[-2:]
    ta, tb = node.attrs["transpose_a"], node.attrs["transpose_b"]
    m, k = (ca, ra) if ta else (ra, ca)
    n = rb if tb else cb
    y = b.value(node)
    acc_t = b.acc(node)                # int16 when the result fits: 16 lanes per AVX2 add
    accbuf = b.buffer(f"s_{b.ident}_row", acc_t, n, per_sample=False)
    packbuf = b.buffer(f"s_{b.ident}_pack", z.ctype.name, k * n, per_sample=False) if tb else ""
    b.step(SpikeMatmul, node, y, a=x.field, at=x.ctype.name, b=z.field, bt=z.ctype.name,
           lead=size_of(at.shape[:-2]), SA=ra * ca, SB=rb * cb, SY=m * n, M=m, N=n, K=k,
           am=1 if ta else ca, ak=ca if ta else 1, bk=1 if tb else cb, bn=cb if tb else 1,
           brow=n if tb else cb, acc=acc_t, accbuf=accbuf, packbuf=packbuf)


SYNAPSES = {"linear": plan_linear, "conv2d": plan_conv2d, "spike_matmul": plan_spike_matmul}
