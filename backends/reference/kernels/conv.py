"""conv2d: PyTorch-convention 2-D cross-correlation, vectorised as im2col and a matrix product."""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from snnc.ir.types import maxabs

from .. import intmath
from .common import F32, float_operand, is_float_result, is_int_array, per_bank, scale_bias
from .registry import kernel


CHUNK_ELEMENTS = 1 << 22      # im2col block size (elements) — bounds the memory of one block


def correlate(x: np.ndarray, w: np.ndarray, stride, padding, dilation, groups: int, dtype) -> np.ndarray:
    """y[n, o, i, j] = Σ_{c, u, v} w[o, c, u, v] · xp[n, g·C/G + c, i·sh + u·dh, j·sw + v·dw]

    for o in group g = o // (O/G), with xp the zero-padded input. x: [N, C, H, W],
    w: [O, C/G, kh, kw]; computed in `dtype` (float32, or an exact integer
    representation from `intmath`). im2col: the windows of a block of samples are
    gathered into rows [G, rows, C/G·kh·kw] (a strided view, then one copy) and
    multiplied by the weights [G, C/G·kh·kw, O/G] in one batched matrix product.
    """
    N, C, H, W = x.shape
    O, Cg, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw), G = stride, padding, dilation, groups
    Ho = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    Wo = (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    Og, K = O // G, Cg * kh * kw
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype)
    xp[:, :, ph:ph + H, pw:pw + W] = x
    win = sliding_window_view(xp, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))
    win = win[:, :, ::sh, ::sw, ::dh, ::dw][:, :, :Ho, :Wo]          # [N, C, Ho, Wo, kh, kw]
    wg = w.astype(dtype).reshape(G, Og, K).transpose(0, 2, 1)         # [G, K, Og]
    out = np.empty((N, G, Og, Ho, Wo), dtype)
    step = max(1, CHUNK_ELEMENTS // (Ho * Wo * C * kh * kw))
    for n0 in range(0, N, step):
        blk = win[n0:n0 + step]
        m = blk.shape[0]
        cols = blk.reshape(m, G, Cg, Ho, Wo, kh, kw).transpose(1, 0, 3, 4, 2, 5, 6).reshape(G, m * Ho * Wo, K)
        y = np.matmul(cols, wg)                                        # [G, m·Ho·Wo, Og]
        out[n0:n0 + m] = y.reshape(G, m, Ho, Wo, Og).transpose(1, 0, 4, 2, 3)
    return out.reshape(N, O, Ho, Wo)


@kernel("conv2d")
def conv2d(ctx, node, x):
    """y[t] = (W[t] ⋆ x[t]) * scale[t] + bias[t],  W[t] = weight[t % T_w]  (see `correlate`).

    Float result: float32 correlation, then scale, then bias; exact when x and W are
    both integer (then rounded once to float32). Integer result: exact sums plus bias.
    """
    a = node.attrs
    w = ctx.graph.param(node, "weight")
    bank = w if w.ndim == 5 else w[None]
    B = ctx.B

    def conv(xs, W, dtype):
        y = correlate(xs.reshape((-1,) + xs.shape[2:]), W, a["stride"], a["padding"], a["dilation"],
                      a["groups"], dtype)
        return y.reshape((xs.shape[0], B) + y.shape[1:])

    if is_float_result(node) and not (is_int_array(x) and w.dtype.kind in "iu"):
        y = per_bank(float_operand(x), bank.astype(F32), lambda xs, W: conv(xs, W, F32))
        return scale_bias(ctx, node, y)
    wi = bank.astype(np.int64)
    bias = None if is_float_result(node) else ctx.graph.param(node, "bias")
    bound = (maxabs(x) * int(np.abs(wi).reshape(wi.shape[:2] + (-1,)).sum(axis=-1).max(initial=0))
             + maxabs(bias))
    dtype = intmath.accum_dtype(bound)
    y = intmath.from_accum(per_bank(x, wi, lambda xs, W: conv(xs, W, dtype)))
    if is_float_result(node):
        return scale_bias(ctx, node, y)
    if bias is not None:
        y = y + ctx.tparam(node, "bias", np.int64)
    return y
