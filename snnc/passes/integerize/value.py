"""Scaled integer values and the integer rescale (gain + shift) that aligns them.

Every value v of the float graph is carried in the integer graph as raw
integers r (the result of one integer node) with

    real(v) ≈ r · σ + β          σ, β: TB arrays (per timestep / channel / element, see tb.py)

and a bound `err` on |r·σ + β − v_float| that holds as long as every spike
upstream agrees with the float graph. Exact values (spikes, integer inputs,
integer sums of them) have σ = 1, β = 0, err = 0.

When a consumer needs another σ (a common σ for `add`, one σ per output, a
fixed-point 2^-f for `multispike_int`, a positive σ for a neuron), an integer
`scale` op re-expresses r at the target σ' (one multiply per element and
timestep):

    r' = (r · g) >> s,        g = round(σ/σ' · 2^s)          (affine: + round((β + c)/σ'))

with s the smallest shift giving `gain_bits` significant bits of the smallest
nonzero ratio σ/σ' (s = 0 and g exact when every ratio is an integer). The
floor of ``>>`` errs by −(1 − 2^-s)/2 units of σ' on average; c = σ'·(1 − 2^-s)/2
is added to β to centre it, so the rescale adds at most σ'/2 (+ σ'/2 when β is
folded into the integers) plus |g/2^s − σ/σ'|·|r|·σ' to `err`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from snnc.ir import Graph
from snnc.ir.types import maxabs, signed_bits

from . import tb


@dataclass
class Val:
    node: str                       # integer-graph node holding the raw integers
    sigma: np.ndarray               # TB array: real ≈ raw · sigma + beta
    beta: np.ndarray | None = None  # TB array or None (zero)
    err: float = 0.0                # bound on the real error while upstream spikes agree
    shape: tuple = field(default=())

    @property
    def exact(self) -> bool:
        return self.beta is None and self.err == 0.0 and bool(np.all(self.sigma == 1.0))


def int_param(a) -> np.ndarray:
    """Integer array in the narrowest of int8/16/32/64 that holds it."""
    a = np.asarray(a)
    a = np.rint(a).astype(np.int64) if a.dtype.kind == "f" else a.astype(np.int64)
    lo, hi = (int(a.min()), int(a.max())) if a.size else (0, 0)
    for dt in (np.int8, np.int16, np.int32):
        info = np.iinfo(dt)
        if info.min <= lo and hi <= info.max:
            return a.astype(dt)
    return a


def gain(ratio: np.ndarray, gain_bits: int) -> tuple[np.ndarray, int]:
    """(g, s) with g/2^s ≈ ratio: exact when every ratio is an integer, else `gain_bits`
    significant bits for the smallest nonzero |ratio|; trailing zero bits shared by all
    gains are removed from s."""
    nz = np.abs(ratio[ratio != 0])
    if nz.size == 0 or np.all(ratio == np.rint(ratio)):
        return np.rint(ratio).astype(np.int64), 0
    s = max(0, math.ceil(gain_bits - 1 - math.log2(float(nz.min()))))
    g = np.rint(ratio * 2.0 ** s).astype(np.int64)
    while s > 0 and np.all(g % 2 == 0):
        g //= 2
        s -= 1
    return g, s


class Builder:
    """The integer graph being built, the options, and T."""

    def __init__(self, source: Graph, options, T: int):
        self.src = source
        self.opt = options
        self.T = T
        attrs = dict(source.attrs)
        if any(n.type.dtype.is_float for n in source):
            attrs["timesteps"] = T              # the T the widths are proven for
        self.g = Graph(source.name, attrs)

    # ---------------------------------------------------------------- emitting
    def keep_param(self, key: str, array: np.ndarray) -> str:
        """Reuse an unchanged source parameter under its own key."""
        if key not in self.g.params:
            self.g.params[key] = array
            return key
        if self.g.params[key] is array:
            return key
        return self.g.add_param(key, array)

    def emit(self, op: str, operands, attrs=None, params=None, name=None, meta=None, type=None):
        node = self.g.add(op, operands, attrs=attrs or {}, params=params or {}, name=name, type=type)
        if meta:
            node.meta.setdefault("integerize", {}).update(meta)
        return node

    def aux_name(self, base: str) -> str:
        """A fresh name for an inserted node, taken neither in the new graph nor in the source."""
        name, i = base, 1
        while name in self.g.nodes or name in self.src.nodes:
            name, i = f"{base}_{i}", i + 1
        return name

    def raw_maxabs(self, v: Val) -> int:
        return maxabs(self.g[v.node].type.dtype)

    def real_maxabs(self, v: Val) -> float:
        """Bound on |real| of a value from its raw type range, σ and β."""
        return self.raw_maxabs(v) * maxabs(v.sigma) + maxabs(v.beta)

    # ---------------------------------------------------------------- rescaling
    def excess_bits(self, bound: float) -> int:
        """How many bits a value bounded by |x| ≤ bound is wider than max_value_bits."""
        b = math.ceil(bound)
        return max(0, signed_bits(-b, b) - self.opt.max_value_bits)

    def rescaled_bound(self, v: Val, target: np.ndarray, fold_beta: bool = False) -> float:
        """Bound on |raw'| after rescaling v to σ' = target."""
        sigma, tgt = tb.align(self.T, v.sigma, target)
        bound = self.raw_maxabs(v) * float(np.max(np.abs(sigma) / tgt)) + 1.0
        if fold_beta and v.beta is not None:
            bound += maxabs(v.beta) / float(np.min(tgt)) + 1.0
        return bound

    def coarser(self, v: Val, k: int, name: str, why: str) -> Val:
        """v rescaled to a σ 2^k times coarser (fewer bits), recorded as an approximation."""
        out = self.rescale(v, v.sigma * 2.0 ** k, name, why=why, cap=False)
        if out.node != v.node:
            self.g[out.node].meta["integerize"].setdefault("approx", []).append(
                f"{k} low bits dropped to keep values within max_value_bits={self.opt.max_value_bits}")
        return out

    def rescale(self, v: Val, target: np.ndarray, name: str, fold_beta: bool = False, why: str = "",
                cap: bool = True) -> Val:
        """v re-expressed at σ' = target (positive TB array); with `fold_beta`, β is added
        into the integers (affine) and the result has β = 0. With `cap`, a target that would make
        the result wider than max_value_bits is made 2^k coarser (recorded)."""
        T = self.T
        capped = self.excess_bits(self.rescaled_bound(v, target, fold_beta)) if cap else 0
        target = target * 2.0 ** capped
        sigma, target = tb.align(T, v.sigma, target)
        sigma = np.broadcast_to(sigma, np.broadcast_shapes(sigma.shape, target.shape))
        ratio = sigma / target
        g, s = gain(ratio, self.opt.gain_bits)
        gain_err = float(np.max(np.abs(g / 2.0 ** s - ratio) * target))
        g = tb.simplify(g.astype(np.float64))
        comp = None if s == 0 else tb.simplify(target * (0.5 * (1.0 - 2.0 ** -s)))
        beta = tb.add(T, v.beta, comp)
        fold = fold_beta and beta is not None
        err = v.err + gain_err * self.raw_maxabs(v) + (0.5 * maxabs(target) if s else 0.0)
        if np.all(g == 1) and s == 0 and not fold:
            return Val(v.node, tb.simplify(target), beta, err, v.shape)
        params = {"scale": int_param(g)}
        if fold:
            b, tt = tb.align(T, beta, target)
            bint = np.rint(b / tt)
            params["bias"] = int_param(tb.simplify(bint))
            err += 0.5 * maxabs(target)
            beta = None
        approx = [f"{capped} low bits dropped to keep values within max_value_bits="
                  f"{self.opt.max_value_bits}"] if capped else []
        node = self.emit("affine" if fold else "scale", [v.node], attrs={"shift": s}, params=params,
                         name=self.aux_name(name),
                         meta={"rescale": why, "shift": s, "gain_error": gain_err, "approx": approx})
        return Val(node.name, tb.simplify(target), beta, err, v.shape)

    def conform(self, v: Val, name: str, uniform=(), static=False, fold_beta=False, refine=0, why="") -> Val:
        """v with σ > 0, constant over the value axes `uniform` (and over time if `static`),
        and β = 0 if `fold_beta`; v itself when it already is. When a rescale is needed its
        target is min|σ| / 2^refine (finer than any input unit, so folding β loses little)."""
        a = np.abs(v.sigma)
        a = np.where(a == 0, np.inf, a)
        target = tb.reduce_min(a, tuple(uniform), time=static)
        target = np.where(np.isinf(target), 1.0, target)
        if uniform or static:
            target = tb.simplify(target)
        else:
            target = np.where(v.sigma == 0, 1.0, np.abs(v.sigma))
        sig, tgt = tb.align(self.T, v.sigma, target)
        if np.array_equal(np.broadcast_to(sig, np.broadcast_shapes(sig.shape, tgt.shape)),
                          np.broadcast_to(tgt, np.broadcast_shapes(sig.shape, tgt.shape))) \
                and not (fold_beta and v.beta is not None):
            return v
        return self.rescale(v, target / 2.0 ** refine, name, fold_beta=fold_beta, why=why)

    def conform_to(self, v: Val, target: np.ndarray, name: str, why: str = "") -> Val:
        """v at σ = target exactly (a positive TB array); v itself when its σ already equals it."""
        sig, tgt = tb.align(self.T, v.sigma, target)
        shape = np.broadcast_shapes(sig.shape, tgt.shape)
        if np.array_equal(np.broadcast_to(sig, shape), np.broadcast_to(tgt, shape)):
            return Val(v.node, tb.simplify(target), v.beta, v.err, v.shape)
        return self.rescale(v, target, name, why=why, cap=False)

    def common_fixed(self, vals: list[Val], name: str) -> list[Val]:
        """Operands of an add retagged to one fixed-point type when any is fixed<k,f> (add needs one
        fraction width): the others pass through an identity li_int (leak 0: v = I) typed fixed<·, f>."""
        types = [self.g[v.node].type.dtype for v in vals]
        fracs = {t.frac for t in types if t.kind == "fixed"}
        if not fracs or (len(fracs) == 1 and all(t.kind == "fixed" for t in types)):
            return vals
        frac = max(fracs)
        out = []
        for i, (v, t) in enumerate(zip(vals, types)):
            if t.kind == "fixed" and t.frac == frac:
                out.append(v)
                continue
            lo, hi = t.range()
            bits = max(max((-lo - 1).bit_length(), hi.bit_length()) + 1, frac + 1, 2)
            node = self.emit("li_int", [v.node], attrs={"state_bits": bits, "frac_bits": frac},
                             params={"leak": np.zeros((1,) + (1,) * len(v.shape), np.int8)},
                             name=self.aux_name(f"{name}.{i}.fixed"),
                             meta={"rescale": f"identity cast to fixed<{bits},{frac}> for an add"})
            out.append(Val(node.name, v.sigma, v.beta, v.err, v.shape))
        return out
