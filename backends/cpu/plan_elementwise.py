"""Plan steps of the pooling and elementwise ops: sumpool2d, maxpool2d, add, scale, affine,
threshold, multispike_int."""
from __future__ import annotations

from . import cint
from .cint import maxabs


class ElementwiseSteps:
    def _pool(self, node, kind):
        x = self.operand(node)
        c, h, w = self.g[node.operands[0]].type.shape
        _, ho, wo = node.type.shape
        a = node.attrs
        y = self.value(node)
        self.buffer(y.field, y.ctype.name, y.size)
        self.step(node, "pool", pool=kind, x=x.field, xt=x.ctype.name, y=y.field, yt=y.ctype.name, C=c, H=h, W=w,
                  HO=ho, WO=wo, HW=h * w, HWO=ho * wo, KH=a["kernel"][0], KW=a["kernel"][1],
                  SH=a["stride"][0], SW=a["stride"][1], PH=a["padding"][0], PW=a["padding"][1],
                  acc=self._acc(node, False) if kind == "sum" else x.ctype.name, init=cint.c_int(x.ctype.lo))

    def op_sumpool2d(self, node):
        self._pool(node, "sum")

    def op_maxpool2d(self, node):
        self._pool(node, "max")

    def op_add(self, node):
        xs = [self.values[o] for o in node.operands]
        y = self.value(node)
        self.buffer(y.field, y.ctype.name, y.size)
        self.step(node, "add", xs=[{"field": v.field, "ctype": v.ctype.name} for v in xs], y=y.field,
                  yt=y.ctype.name, size=y.size, acc=self._acc(node, False))

    def _gain(self, node, with_bias: bool):
        x = self.operand(node)
        xt = self.g[node.operands[0]].type
        shape = xt.shape
        scale = self.bparam(node, "scale", shape)
        bias = self.bparam(node, "bias", shape) if with_bias else None
        bound = maxabs(*xt.dtype.range()) * scale["maxabs"] + (bias["maxabs"] if bias else 0)
        wide = cint.compute_type(max(bound, maxabs(*node.type.dtype.range())))
        if wide is None:
            self.fail(node, "its products need more than 127 bits")
        y = self.value(node)
        self.buffer(y.field, y.ctype.name, y.size)
        self.step(node, "gain", x=x.field, xt=x.ctype.name, y=y.field, yt=y.ctype.name, size=y.size,
                  scale=scale, bias=bias, shift=node.attrs["shift"], W=wide)

    def op_scale(self, node):
        self._gain(node, False)

    def op_affine(self, node):
        self._gain(node, True)

    def op_threshold(self, node):
        x = self.operand(node)
        th = self.bparam(node, "threshold", self.g[node.operands[0]].type.shape)
        y = self.value(node)
        self.buffer(y.field, y.ctype.name, y.size)
        self.step(node, "threshold", x=x.field, xt=x.ctype.name, y=y.field, size=y.size, th=th,
                  cmp=">=" if node.attrs["compare"] == "ge" else ">")

    def op_multispike_int(self, node):
        x = self.operand(node)
        f = node.attrs["frac_bits"]
        half = (1 << (f - 1)) if f > 0 else 0
        wide = cint.compute_type(maxabs(*self.g[node.operands[0]].type.dtype.range()) + half)
        if wide is None or f > 126:
            self.fail(node, "its input is wider than 126 bits")
        y = self.value(node)
        self.buffer(y.field, y.ctype.name, y.size)
        self.step(node, "multispike", x=x.field, xt=x.ctype.name, y=y.field, yt=y.ctype.name, size=y.size,
                  F=f, half_shift=f - 1 if f > 0 else None, D=cint.c_int(min(node.attrs["D"], cint.INT64_MAX)), W=wide)
