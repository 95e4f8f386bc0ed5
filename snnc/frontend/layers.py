"""Lowering of the synaptic layers: QLinear / QConv2d (via `deployable()`) and nn.Linear / nn.Conv2d.

A quantized layer computes ``y[t] = (x[t] ⊛ W_int[t % T_w]) · scale[t % T_w] + bias``
(product, then scale, then bias — see `snnc.nn.quant.deployable`), which is the
IR's ``linear`` / ``conv2d`` with

* ``weight``: the int8 levels, ``[out, in]`` / ``[out, in, kh, kw]`` when static
  (T_w = 1), else the bank ``[T_w, out, in]`` / ``[T_w, out, in, kh, kw]``;
* ``scale``: float32 broadcast parameter ``(T_w, 1, …, out)`` (linear; the value
  is ``[..., out]``) or ``(T_w, out, 1, 1)`` (conv);
* ``bias``: ``(1, 1, …, out)`` / ``(1, out, 1, 1)``.

Full-precision layers ("fp" QLinear / QConv2d, nn.Linear, nn.Conv2d) have a float32
weight, a bias and no scale: PyTorch does no scale multiply for them either.
"""
from __future__ import annotations

import numpy as np
from torch import nn

from snnc.nn import QConv2d, QLinear

from .emit import Emitter
from .registry import Site, lowers, unsupported


def _tensor(t) -> np.ndarray:
    """A float32 NumPy copy of a parameter tensor (never a view of the model's memory)."""
    return t.detach().cpu().numpy().astype(np.float32, copy=True)


def _linear_params(weight, scale, bias, rank: int) -> dict:
    """Broadcast shapes for a value ``[..., out]`` of per-timestep rank `rank`."""
    out = weight.shape[-2]
    params = {"weight": weight}
    if scale is not None:
        params["scale"] = scale.reshape((scale.shape[0],) + (1,) * (rank - 1) + (out,))
    if bias is not None:
        params["bias"] = bias.reshape((1,) * rank + (out,))
    return params


def _conv_params(weight, scale, bias) -> dict:
    out = weight.shape[-4]
    params = {"weight": weight}
    if scale is not None:
        params["scale"] = scale.reshape(scale.shape[0], out, 1, 1)
    if bias is not None:
        params["bias"] = bias.reshape(1, out, 1, 1)
    return params


def _deployable(layer, site: Site):
    """(weight levels or float weight, scale [T_w, out] or None, bias [out] or None)."""
    if site.lead != 2 and layer.T_w > 1:
        raise unsupported(layer, site, "time-varying weights need the time axis; do not wrap the layer in SeqWrap")
    d = layer.deployable()
    weight = d.weight[0] if d.T_w == 1 else d.weight
    scale = None if d.method == "fp" else d.scale
    return weight, scale, d.bias


def _conv_attrs(module, site: Site) -> dict:
    padding = module.padding
    if isinstance(padding, str):
        if padding != "valid":
            raise unsupported(module, site, f"padding={padding!r} is not supported; give the padding in "
                                            f"pixels (PyTorch pads 'same' asymmetrically for even kernels)")
        padding = (0, 0)
    return {"stride": tuple(module.stride), "padding": tuple(padding),
            "dilation": tuple(getattr(module, "dilation", (1, 1))), "groups": int(getattr(module, "groups", 1))}


@lowers(QLinear)
def lower_qlinear(em: Emitter, module: QLinear, site: Site, x: str) -> str:
    weight, scale, bias = _deployable(module, site)
    params = _linear_params(weight, scale, bias, len(em.shape(x)))
    return em.add("linear", [x], site.name, params=params, module=site.path)


@lowers(QConv2d)
def lower_qconv2d(em: Emitter, module: QConv2d, site: Site, x: str) -> str:
    weight, scale, bias = _deployable(module, site)
    return em.add("conv2d", [x], site.name, attrs=_conv_attrs(module, site),
                  params=_conv_params(weight, scale, bias), module=site.path)


@lowers(nn.Linear)
def lower_linear(em: Emitter, module: nn.Linear, site: Site, x: str) -> str:
    bias = None if module.bias is None else _tensor(module.bias)
    params = _linear_params(_tensor(module.weight), None, bias, len(em.shape(x)))
    return em.add("linear", [x], site.name, params=params, module=site.path)


@lowers(nn.Conv2d)
def lower_conv2d(em: Emitter, module: nn.Conv2d, site: Site, x: str) -> str:
    if site.lead != 1:
        raise unsupported(module, site, "a torch.nn.Conv2d sees one timestep [B, C, H, W]; wrap it in "
                                        "snnc.nn.SeqWrap or use snnc.nn.QConv2d")
    if module.padding_mode != "zeros":
        raise unsupported(module, site, f"padding_mode={module.padding_mode!r}: only zero padding is supported")
    bias = None if module.bias is None else _tensor(module.bias)
    return em.add("conv2d", [x], site.name, attrs=_conv_attrs(module, site),
                  params=_conv_params(_tensor(module.weight), None, bias), module=site.path)
