"""Lowering of `SpikeDrivenSelfAttention` (equations in `snnc.nn.attention`).

Per timestep, x ``[C, H, W]`` with C = heads·d and N = H·W tokens:

    q = multispike(batchnorm(conv2d_q(x)))  → reshape [heads, d, N]    (k, v alike)
    A = spike_matmul(k, v, transpose_b=true)                 [heads, d, d]  = K'·V'ᵀ
    O = spike_matmul(A, q, transpose_a=true, scale=scale)    [heads, d, N]  = (A'ᵀ·Q')·scale
    y = batchnorm(conv2d_proj(reshape(multispike(O), [C, H, W])))

The products are of integer spike counts, hence exact, as in PyTorch; the
scale multiply comes after the product in both. A convolution given as an ``nn.Sequential``
(e.g. a RepConv branch) is lowered child by child.
"""
from __future__ import annotations

from torch import nn

from snnc.nn import SpikeDrivenSelfAttention

from .emit import Emitter
from .registry import Site, lower_module, lowers, unsupported


@lowers(SpikeDrivenSelfAttention)
def lower_attention(em: Emitter, module: SpikeDrivenSelfAttention, site: Site, x: str) -> str:
    if site.lead != 2:
        raise unsupported(module, site, "the attention block runs on time-major [T, B, C, H, W]; do not wrap it "
                                        "in SeqWrap")
    shape = em.shape(x)
    if len(shape) != 3 or shape[0] != module.dim:
        raise unsupported(module, site, f"expects per-timestep [{module.dim}, H, W], got {list(shape)}")
    c, h, w = shape
    heads = module.heads
    split = (heads, c // heads, h * w)

    def branch(prefix: str) -> str:
        y = x
        for part in ("conv", "bn", "spike"):
            attr = f"{prefix}_{part}"
            y = _lower(em, getattr(module, attr), site.child(attr), y)
        return em.add("reshape", [y], f"{site.name}.{prefix}_heads", attrs={"shape": split}, module=site.path)

    q, k, v = branch("q"), branch("k"), branch("v")
    attn = em.add("spike_matmul", [k, v], f"{site.name}.attn_map", attrs={"transpose_b": True},
                  module=site.path)
    out = em.add("spike_matmul", [attn, q], f"{site.name}.attn_out",
                 attrs={"transpose_a": True, "scale": module.scale}, module=site.path)
    out = lower_module(em, module.attn_spike, site.child("attn_spike"), out)
    out = em.add("reshape", [out], f"{site.name}.attn_merge", attrs={"shape": shape}, module=site.path)
    out = _lower(em, module.proj_conv, site.child("proj_conv"), out)
    return lower_module(em, module.proj_bn, site.child("proj_bn"), out)


def _lower(em: Emitter, module, site: Site, x: str) -> str:
    if isinstance(module, nn.Sequential):
        for i, child in enumerate(module):
            x = lower_module(em, child, site.child(str(i)), x)
        return x
    return lower_module(em, module, site, x)
