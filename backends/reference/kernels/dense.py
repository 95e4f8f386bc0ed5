"""Dense synaptic kernels: linear and spike_matmul."""
from __future__ import annotations

import numpy as np

from snnc.ir.types import maxabs

from .. import intmath
from .common import F32, float_operand, is_float_result, is_int_array, per_bank, scale_bias
from .registry import kernel


def _rows_matmul(x: np.ndarray, w_t: np.ndarray, mm) -> np.ndarray:
    """``x [..., in] @ w_t [in, out]`` as one 2-D product over all leading dims."""
    y = mm(x.reshape(-1, x.shape[-1]), w_t)
    return y.reshape(x.shape[:-1] + (w_t.shape[-1],))


def _int_linear(x: np.ndarray, bank: np.ndarray, extra: int = 0) -> np.ndarray:
    """Exact Σ_i W[t][o, i] · x[t][..., i]; partial sums are bounded by max|x| · max_o Σ_i |W[o, i]|."""
    w = bank.astype(np.int64)
    bound = maxabs(x) * int(np.abs(w).sum(axis=-1).max(initial=0)) + extra
    return per_bank(x, w, lambda xs, W: _rows_matmul(xs, W.T, lambda a, b: intmath.matmul(a, b, bound)))


@kernel("linear")
def linear(ctx, node, x):
    """y[t] = (x[t] @ W[t]ᵀ) * scale[t] + bias[t],  W[t] = weight[t % T_w].

    Float result: x and W in float32, one float32 product, then the scale multiply,
    then the bias add. When x and W are both integer the product is exact (then
    rounded once to float32). Integer result: exact integer sums plus the integer bias.
    """
    w = ctx.graph.param(node, "weight")
    bank = w if w.ndim == 3 else w[None]
    if is_float_result(node):
        if is_int_array(x) and w.dtype.kind in "iu":
            y = _int_linear(x, bank)
        else:
            y = per_bank(float_operand(x), bank.astype(F32), lambda xs, W: _rows_matmul(xs, W.T, np.matmul))
        return scale_bias(ctx, node, y)
    bias = ctx.graph.param(node, "bias")
    y = _int_linear(x, bank, maxabs(bias))
    if bias is not None:
        y = y + ctx.tparam(node, "bias", np.int64)
    return y


@kernel("spike_matmul")
def spike_matmul(ctx, node, a, b):
    """y[t] = scale · (op_a(a[t]) @ op_b(b[t])), op = swap of the last two dims when transposed.

    Integer operands: exact integer product (then, for a float result, rounded to
    float32 and multiplied by float32(scale)). Otherwise a float32 product.
    """
    if node.attrs["transpose_a"]:
        a = np.swapaxes(a, -1, -2)
    if node.attrs["transpose_b"]:
        b = np.swapaxes(b, -1, -2)
    scale = F32(node.attrs["scale"])
    if is_int_array(a) and is_int_array(b):
        y = intmath.matmul(a, b, a.shape[-1] * maxabs(a) * maxabs(b))
        return y.astype(F32) * scale if is_float_result(node) else y
    return np.matmul(float_operand(a), float_operand(b)) * scale
