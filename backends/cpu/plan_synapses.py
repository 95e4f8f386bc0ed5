"""Plan steps of the synaptic ops: linear, conv2d (kernel chosen per layer, `kernels.py`) and
spike_matmul. Accumulators are as narrow as the node's result type allows (every partial sum
of an integer product lies within it: each term's range contains 0)."""
from __future__ import annotations

import numpy as np

from . import cint, kernels, packing
from .cint import CType, maxabs, size_of
from .naming import comment

EVENT_TILE_BYTES = 1024       # accumulators of one output tile of the event kernel (16 AVX-512 registers)
ACC_BYTES = {"int8_t": 1, "int16_t": 2, "int32_t": 4, "int64_t": 8}


class SynapseSteps:
    def _acc(self, node, small_ok: bool = True, wide_inputs=None) -> str:
        """Accumulator type: holds the result (and so every partial sum: each term's range
        contains 0) — and, with `wide_inputs`, every input value as well."""
        lo, hi = node.type.dtype.range()
        bound = maxabs(lo, hi)
        if wide_inputs is not None:
            bound = max(bound, maxabs(*wide_inputs.range()))
        if small_ok and bound <= 127:
            return "int8_t"
        if small_ok and bound <= 32767:
            return "int16_t"
        ct = cint.compute_type(bound)
        if ct is None or ct == "snnc_i128":
            self.fail(node, f"its type {node.type.dtype} is wider than 64 bits")
        return ct

    def _bank(self, node, static_rank: int) -> np.ndarray:
        w = self.int_param(node, "weight")
        return w if w.ndim == static_rank + 1 else w[None]

    def op_linear(self, node):
        if "scale" in node.params:
            self.fail(node, "it has a float scale; fold it (fold-temporal-scale, integerize) first")
        x = self.operand(node)
        xt = self.g[node.operands[0]].type
        bank = self._bank(node, 2)
        tw, m, k = bank.shape
        lead = size_of(xt.shape[:-1])
        y = self.value(node)
        self.buffer(y.field, y.ctype.name, y.size)
        bias = self.bparam(node, "bias", node.type.shape)
        kind = kernels.choose_linear(bank, xt.dtype, k, self.o.kernels)
        common = dict(x=x.field, xt=x.ctype.name, y=y.field, yt=y.ctype.name, lead=lead, K=k, M=m, tw=tw,
                      bias=bias, kernel=kind)
        if kind == "bitplane":
            P, N = packing.bitplanes(bank)
            groups, kw = P.shape[1], P.shape[2]
            nbits = kernels.input_planes(xt.dtype)
            pn = self.array(f"{self.ident}_pos", P, cint.UINT64, f"+1 bit planes of %{comment(node.name)}")
            nn = self.array(f"{self.ident}_neg", N, cint.UINT64, f"-1 bit planes of %{comment(node.name)}")
            xb = self.buffer(f"s_{self.ident}_bits", "uint64_t", lead * nbits * kw)
            acc = self.buffer(f"s_{self.ident}_acc", "int64_t", lead * nbits * groups * 8)
            self.step(node, "linear_bitplane", P=pn, N=nn, pstride=groups * kw * 8, groups=groups, kw=kw,
                      mpad=groups * 8, nbits=nbits, xbits=xb, accbuf=acc, **common)
        else:
            wt = packing.transposed(bank)
            wct = cint.array_ctype(wt)
            wn = self.array(f"{self.ident}_wt", wt, wct, f"weights of %{comment(node.name)}, [{tw}][{k}][{m}]")
            acc_t = self._acc(node)
            idx = self.buffer(f"s_{self.ident}_idx", "int32_t", k, per_sample=False)
            self.step(node, "linear_event", w=wn, wt=wct.name, wstride=k * m, acc=acc_t, idxbuf=idx,
                      tile=min(m, EVENT_TILE_BYTES // ACC_BYTES[acc_t]),
                      binary=xt.dtype.range() == (0, 1), active=_active_fn(x.ctype), **common)

    def op_conv2d(self, node):
        if "scale" in node.params:
            self.fail(node, "it has a float scale; fold it (fold-temporal-scale, integerize) first")
        x = self.operand(node)
        xt = self.g[node.operands[0]].type
        bank = self._bank(node, 4)
        tw, o, cg, kh, kw = bank.shape
        c, h, w = xt.shape
        _, ho, wo = node.type.shape
        a = node.attrs
        y = self.value(node)
        self.buffer(y.field, y.ctype.name, y.size)
        bias = self.bparam(node, "bias", node.type.shape)
        kind = kernels.choose_conv(bank, xt.dtype, c, a["groups"], self.o.kernels)
        common = dict(x=x.field, xt=x.ctype.name, y=y.field, yt=y.ctype.name, C=c, H=h, W=w, O=o, HO=ho, WO=wo,
                      KH=kh, KW=kw, SH=a["stride"][0], SW=a["stride"][1], PH=a["padding"][0],
                      PW=a["padding"][1], DH=a["dilation"][0], DW=a["dilation"][1], tw=tw, bias=bias, kernel=kind,
                      HWO=ho * wo, CHW=c * h * w, OHWO=o * ho * wo)
        if kind == "bitplane":
            P, N = packing.conv_bitplanes_by_output(bank)
            kwords = P.shape[2]
            nbits = kernels.input_planes(xt.dtype)
            cw = -(-c // 64)
            hp, wp = h + 2 * a["padding"][0], w + 2 * a["padding"][1]
            hwo8 = -(-(ho * wo) // 8) * 8                  # positions, padded to whole vectors
            ldx = nbits * hwo8
            pn = self.array(f"{self.ident}_pos", P, cint.UINT64, f"+1 bit planes of %{comment(node.name)}, [T_w][O][words]")
            nn = self.array(f"{self.ident}_neg", N, cint.UINT64, f"-1 bit planes of %{comment(node.name)}, [T_w][O][words]")
            pad = self.buffer(f"s_{self.ident}_pad", "uint64_t", nbits * hp * wp * cw, per_sample=False)
            col = self.buffer(f"s_{self.ident}_col", "uint64_t", kwords * ldx, per_sample=False)
            acc = self.buffer(f"s_{self.ident}_acc", "int64_t", o * ldx, per_sample=False)
            self.step(node, "conv_bitplane", P=pn, N=nn, pstride=o * kwords, kwords=kwords, nbits=nbits, CW=cw,
                      HP=hp, WP=wp, HWO8=hwo8, ldx=ldx, padbuf=pad, colbuf=col, accbuf=acc,
                      padwords=nbits * hp * wp * cw, **common)
        elif kind == "event":
            wt = packing.conv_transposed(bank)
            wct = cint.array_ctype(wt)
            wn = self.array(f"{self.ident}_wt", wt, wct, f"weights of %{comment(node.name)}, [{tw}][C][kh][kw][O]")
            acc_t = self._acc(node)
            acc = self.buffer(f"s_{self.ident}_acc", acc_t, ho * wo * o, per_sample=False)
            self.step(node, "conv_event", w=wn, wt=wct.name, wstride=wt[0].size, acc=acc_t, accbuf=acc,
                      binary=xt.dtype.range() == (0, 1), **common)
        else:
            wct = cint.array_ctype(bank)
            wn = self.array(f"{self.ident}_w", bank, wct, f"weights of %{comment(node.name)}, [{tw}][O][C/g][kh][kw]")
            acc_t = self._acc(node, wide_inputs=xt.dtype)
            hp, wp = h + 2 * a["padding"][0], w + 2 * a["padding"][1]
            flat = a["stride"] == (1, 1)
            pitch = wp if flat else wo
            pad = self.buffer(f"s_{self.ident}_pad", acc_t, c * hp * wp, per_sample=False)
            acc = self.buffer(f"s_{self.ident}_acc", acc_t, ho * pitch, per_sample=False)
            self.step(node, "conv_direct", w=wn, wt=wct.name, wstride=bank[0].size, acc=acc_t, accbuf=acc,
                      padbuf=pad, HP=hp, WP=wp, flat=flat, pitch=pitch, accsize=ho * pitch,
                      span=(ho - 1) * wp + wo, CG=cg, OG=o // a["groups"], **common)

    def op_spike_matmul(self, node):
        a, b = self.operand(node, 0), self.operand(node, 1)
        at, bt = (self.g[n].type for n in node.operands)
        ra, ca = at.shape[-2:]
        rb, cb = bt.shape[-2:]
        ta, tb = node.attrs["transpose_a"], node.attrs["transpose_b"]
        m, k = (ca, ra) if ta else (ra, ca)
        n = rb if tb else cb
        y = self.value(node)
        self.buffer(y.field, y.ctype.name, y.size)
        self.step(node, "spike_matmul", a=a.field, at=a.ctype.name, b=b.field, bt=b.ctype.name, y=y.field,
                  yt=y.ctype.name, lead=size_of(at.shape[:-2]), SA=ra * ca, SB=rb * cb, SY=m * n, M=m, N=n, K=k,
                  am=1 if ta else ca, ak=ca if ta else 1, bk=1 if tb else cb, bn=cb if tb else 1,
                  acc=self._acc(node, False))


def _active_fn(ct: CType) -> str:
    return {"uint8_t": "snnc_active_u8", "int8_t": "snnc_active_i8", "uint16_t": "snnc_active_u16",
            "int16_t": "snnc_active_i16", "uint32_t": "snnc_active_u32", "int32_t": "snnc_active_i32",
            "int64_t": "snnc_active_i64"}[ct.name]
