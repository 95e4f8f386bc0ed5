"""Lowering of SpikingJelly (`spikingjelly.activation_based`) modules; imported only when a model
holds one (`registry.FOREIGN`).

Neurons (multi-step, ``step_mode='m'``, fed ``[T, B, ...]``; state v starts at v_reset, or 0
with soft reset; spike when h ≥ v_threshold):

* ``IFNode``:              h = v + x
* ``LIFNode``:             h = v + (x − (v − v_r))/τ   (decay_input=True)
                           h = v − (v − v_r)/τ + x     (decay_input=False)
* ``ParametricLIFNode``:   as LIFNode with 1/τ = sigmoid(w)

then ``v = v_reset`` (hard) or ``v = h − θ`` (soft, v_reset=None). With g the input gain
(1/τ when the input decays, else 1) and the state written u = (v − v_r)/g (v_r = 0 for soft
reset), every one is the IR's ``h = β·u + x`` with β = 1 − 1/τ (1 for IF), threshold
(θ − v_r)/g, compare ``ge``, reset ``zero`` (hard) or ``subtract`` (soft): the same spikes
from the same input. detach_reset only changes gradients.

Stateless layers (Linear, Conv2d, BatchNorm2d, MaxPool2d, AvgPool2d, Flatten) are lowered as
their torch.nn base class applied to every timestep; Dropout is nothing at inference.
``SeqToANNContainer`` applies its children to every timestep; ``MultiStepContainer`` runs
single-step children over time. ``functional.reset_net`` is not part of the forward.
"""
from __future__ import annotations

import math

import numpy as np
from spikingjelly.activation_based import layer, neuron
from torch import nn

from ..emit import Emitter, broadcast
from ..registry import MODULES, Site, lower_module, lowers, unsupported

NEURONS = (neuron.IFNode, neuron.LIFNode, neuron.ParametricLIFNode)
_CONTAINED: set[str] = set()     # paths of single-step neurons that a MultiStepContainer runs over time
STATELESS = {layer.Linear: nn.Linear, layer.Conv2d: nn.Conv2d, layer.BatchNorm2d: nn.BatchNorm2d,
             layer.MaxPool2d: nn.MaxPool2d, layer.AvgPool2d: nn.AvgPool2d, layer.Flatten: nn.Flatten}


def _f32(v) -> float:
    return float(np.float32(v))


def neuron_constants(module) -> tuple[str, float, float, str]:
    """(IR op, beta, threshold, reset) of a SpikingJelly neuron (module docstring)."""
    th, vr = float(module.v_threshold), module.v_reset
    if isinstance(module, neuron.IFNode):
        op, beta, gain = "if", 1.0, 1.0
    elif isinstance(module, neuron.ParametricLIFNode):
        inv_tau = float(module.w.detach().float().sigmoid().item())
        op, beta, gain = "plif", 1.0 - inv_tau, inv_tau if module.decay_input else 1.0
    else:
        inv_tau = 1.0 / float(module.tau)
        op, beta, gain = "lif", 1.0 - inv_tau, inv_tau if module.decay_input else 1.0
    shift = 0.0 if vr is None else float(vr)
    return op, beta, (th - shift) / gain, "subtract" if vr is None else "zero"


@lowers(*NEURONS)
def lower_neuron(em: Emitter, module, site: Site, x: str) -> str:
    over_time = module.step_mode == "m" or site.path in _CONTAINED
    if site.lead != 2 or not over_time:
        raise unsupported(module, site, f"step_mode={module.step_mode!r} neuron seen on "
                                        f"{'[T, B, ...]' if site.lead == 2 else 'one timestep'}; use "
                                        f"step_mode='m' (functional.set_step_mode(net, 'm')) on the "
                                        f"time-major input, or wrap it in layer.MultiStepContainer")
    op, beta, th, reset = neuron_constants(module)
    if not (math.isfinite(th) and th > 0):
        raise unsupported(module, site, f"its threshold relative to v_reset is {th}; snnc needs "
                                        f"v_threshold > v_reset")
    x = em.as_float(x, site.name)
    shape = em.shape(x)
    params = {"threshold": broadcast(_f32(th), shape, "threshold")}
    if op != "if":
        params["beta"] = broadcast(_f32(beta), shape, "beta")
    return em.add(op, [x], site.name, attrs={"reset": reset, "compare": "ge", "v_reset": 0.0}, params=params,
                  module=site.path)




@lowers(*STATELESS)
def lower_stateless(em: Emitter, module, site: Site, x: str) -> str:
    base = STATELESS[type(module)]
    lead = 1 if (site.lead == 2 and getattr(module, "step_mode", "s") == "m") else site.lead
    if base is nn.Linear:
        lead = site.lead           # a linear layer acts on the last axis at any lead
    return MODULES[base](em, module, Site(site.path, site.name, lead=lead), x)


@lowers(layer.Dropout, layer.Dropout2d)
def lower_dropout(em: Emitter, module, site: Site, x: str) -> str:
    return x


@lowers(layer.SeqToANNContainer)
def lower_seq_to_ann(em: Emitter, module, site: Site, x: str) -> str:
    if site.lead != 2:
        raise unsupported(module, site, "SeqToANNContainer merges [T, B] itself: call it on [T, B, ...]")
    for i, child in enumerate(module):
        x = lower_module(em, child, Site(f"{site.path}.{i}", f"{site.name}.{i}", lead=1), x)
    return x


@lowers(layer.MultiStepContainer)
def lower_multistep(em: Emitter, module, site: Site, x: str) -> str:
    if site.lead != 2:
        raise unsupported(module, site, "MultiStepContainer runs over time: call it on [T, B, ...]")
    for i, child in enumerate(module):
        path = f"{site.path}.{i}"
        if isinstance(child, NEURONS):
            _CONTAINED.add(path)
            x = lower_module(em, child, Site(path, f"{site.name}.{i}", lead=2), x)
        else:
            x = lower_module(em, child, Site(path, f"{site.name}.{i}", lead=1), x)
    return x

