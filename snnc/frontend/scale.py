"""Lowering of `LayerScale` and `Voting` (equations in `snnc.nn.scale`).

* ``LayerScale``: ``scale(x, γ)`` with γ as a static per-channel broadcast parameter
  ``(1, C, 1, …)`` of the per-timestep shape ``[C, …]`` (fold-scale / integerize fold it).
* ``Voting(k)`` on ``[…, n·k]``: ``reshape [1, M, n·k]`` (M = the other axes) →
  ``avgpool2d kernel (1, k)`` → ``reshape`` back to ``[…, n]``; integerize turns the
  average into a sum pool with 1/k folded into the output's scale.
"""
from __future__ import annotations

import math

import numpy as np

from snnc.nn import LayerScale, Voting

from .emit import Emitter
from .registry import Site, lowers, unsupported


@lowers(LayerScale)
def lower_layer_scale(em: Emitter, module: LayerScale, site: Site, x: str) -> str:
    shape = em.shape(x)
    if site.lead != 2 or not shape or shape[0] != module.channels:
        raise unsupported(module, site, f"expects a time-major [T, B, {module.channels}, ...] input (not in "
                                        f"SeqWrap), got per-timestep shape {list(shape)}")
    gamma = module.gamma.detach().cpu().numpy().astype(np.float32)
    return em.add("scale", [x], site.name, params={"scale": gamma.reshape(1, -1, *([1] * (len(shape) - 1)))},
                  module=site.path)


@lowers(Voting)
def lower_voting(em: Emitter, module: Voting, site: Site, x: str) -> str:
    shape = em.shape(x)
    if not shape or shape[-1] % module.k:
        raise unsupported(module, site, f"its input's last axis ({list(shape)}) is not a multiple of k={module.k}")
    rows = math.prod(shape[:-1])
    y = em.add("reshape", [x], site.name + ".rows", attrs={"shape": (1, rows, shape[-1])}, module=site.path)
    y = em.add("avgpool2d", [y], site.name, attrs={"kernel": (1, module.k), "stride": (1, module.k),
                                                   "padding": (0, 0)}, module=site.path)
    return em.add("reshape", [y], site.name + ".out", attrs={"shape": shape[:-1] + (shape[-1] // module.k,)},
                  module=site.path)
