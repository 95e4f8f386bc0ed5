"""Lowering of the per-timestep (stateless) modules and of `SeqWrap`.

* ``SeqWrap(m)``: ``y[t] = m(x[t])`` — `m` is lowered with the time axis removed
  (its site has ``lead = 1``: it sees ``[T·B, ...]``); an ``nn.Sequential`` inside
  is lowered child by child.
* ``BatchNorm1d/2d`` (eval mode, running statistics) → ``batchnorm`` over axis 0
  of the per-timestep shape: ``y = (x − mean) / sqrt(var + eps) · weight + bias``
  (``weight = 1``, ``bias = 0`` without affine).
* ``MaxPool2d`` → ``maxpool2d``; ``AvgPool2d`` → ``avgpool2d`` (padding counted,
  ``count_include_pad=True``); no dilation, no ceil_mode, no divisor_override.
* ``Flatten(start, end)`` → ``flatten`` (to the last axis) or ``reshape``; it must not
  merge the time or batch axes.
* ``Dropout`` / ``MCDropout`` / ``Identity`` → nothing (the graph is the inference
  network: dropout and DropConnect are off).
"""
from __future__ import annotations

import math

import numpy as np
from torch import nn

from snnc.nn import MCDropout, SeqWrap

from .emit import Emitter
from .registry import Site, lower_module, lowers, unsupported


def _pair(v) -> tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, int) else (int(v[0]), int(v[1]))


def _per_timestep(module, site: Site, what: str) -> None:
    if site.lead != 1:
        raise unsupported(module, site, f"{what} works on one timestep; wrap it in snnc.nn.SeqWrap so that it "
                                        f"is applied to every timestep of the time-major [T, B, ...] tensor")


@lowers(SeqWrap)
def lower_seqwrap(em: Emitter, module: SeqWrap, site: Site, x: str) -> str:
    inner = module.module
    if isinstance(inner, nn.Sequential):
        for i, child in enumerate(inner):
            x = lower_module(em, child, Site(f"{site.path}.module.{i}", f"{site.name}.{i}", lead=1), x)
        return x
    return lower_module(em, inner, Site(f"{site.path}.module", site.name, lead=1), x)


@lowers(nn.Dropout, MCDropout, nn.Identity)
def lower_nothing(em: Emitter, module, site: Site, x: str) -> str:
    return x


@lowers(nn.BatchNorm1d, nn.BatchNorm2d)
def lower_batchnorm(em: Emitter, module, site: Site, x: str) -> str:
    _per_timestep(module, site, "batch normalization")
    if not module.track_running_stats or module.running_mean is None:
        raise unsupported(module, site, "track_running_stats=False normalizes with batch statistics at "
                                        "inference; build it with track_running_stats=True")
    c = module.num_features
    shape = em.shape(x)
    if not shape or shape[0] != c:
        raise unsupported(module, site, f"it has {c} channels but its input has per-timestep shape {list(shape)}")

    def arr(t, fill):
        return np.full(c, fill, np.float32) if t is None else t.detach().cpu().numpy().astype(np.float32)

    params = {"mean": arr(module.running_mean, 0.0), "var": arr(module.running_var, 1.0),
              "weight": arr(module.weight, 1.0), "bias": arr(module.bias, 0.0)}
    x = em.as_float(x, site.name)
    return em.add("batchnorm", [x], site.name, attrs={"eps": float(module.eps), "axis": 0}, params=params,
                  module=site.path)


def _pool_attrs(module, site: Site) -> dict:
    if getattr(module, "ceil_mode", False):
        raise unsupported(module, site, "ceil_mode=True is not supported; use ceil_mode=False")
    kernel = _pair(module.kernel_size)
    stride = kernel if module.stride is None else _pair(module.stride)
    return {"kernel": kernel, "stride": stride, "padding": _pair(module.padding)}


@lowers(nn.MaxPool2d)
def lower_maxpool(em: Emitter, module: nn.MaxPool2d, site: Site, x: str) -> str:
    _per_timestep(module, site, "2-D pooling")
    if _pair(module.dilation) != (1, 1) or module.return_indices:
        raise unsupported(module, site, "dilation and return_indices are not supported")
    return em.add("maxpool2d", [x], site.name, attrs=_pool_attrs(module, site), module=site.path)


@lowers(nn.AvgPool2d)
def lower_avgpool(em: Emitter, module: nn.AvgPool2d, site: Site, x: str) -> str:
    _per_timestep(module, site, "2-D pooling")
    if not module.count_include_pad and any(_pair(module.padding)):
        raise unsupported(module, site, "count_include_pad=False with padding is not supported; "
                                        "use count_include_pad=True or no padding")
    if module.divisor_override is not None:
        raise unsupported(module, site, "divisor_override is not supported")
    return em.add("avgpool2d", [x], site.name, attrs=_pool_attrs(module, site), module=site.path)


@lowers(nn.Flatten)
def lower_flatten(em: Emitter, module: nn.Flatten, site: Site, x: str) -> str:
    shape = em.shape(x)
    rank = site.lead + len(shape)
    start, end = module.start_dim % rank, module.end_dim % rank
    if start < site.lead:
        raise unsupported(module, site, f"Flatten(start_dim={module.start_dim}) would merge the "
                                        f"{'time and batch' if site.lead == 2 else 'batch'} axes; use "
                                        f"start_dim={site.lead} or wrap it in snnc.nn.SeqWrap")
    return flatten_value(em, x, start - site.lead, end - site.lead, site)


def flatten_value(em: Emitter, x: str, start: int, end: int, site: Site) -> str:
    """Merge per-timestep axes start..end (inclusive) of `x`: `flatten` when end is the last axis,
    else `reshape`; nothing when there is nothing to merge."""
    shape = em.shape(x)
    if end <= start:
        return x
    if end == len(shape) - 1:
        return em.add("flatten", [x], site.name, attrs={"start": start}, module=site.path)
    new = shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:]
    return em.add("reshape", [x], site.name, attrs={"shape": new}, module=site.path)
