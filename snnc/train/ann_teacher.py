"""The ANN teacher of QSD-Transformer's attention distillation: the student's own
architecture with every spiking neuron replaced by a clipped ReLU.

`ann_teacher(model)` returns a deep copy of `model` in which

* an IE-LIF ``floor(clip(g·x, 0, D) + ½)/d`` (g, 1/d = its `ir_gains()`) becomes
  ``clip(g·x, 0, D)/d`` — the same range, no rounding;
* any other spiking neuron (LIF, IF, PLIF, CUBA-LIF; spike 0/1) becomes ``clip(x, 0, 1)``
  (stateless, per timestep).

Everything else (weights, BN, the attention blocks and their `record_attention` maps) is kept,
so the teacher's attention maps ``A = Kᵀ·V`` have the student's shapes and
`snnc.train.losses.attention_loss` aligns them: with per-sample L2-normalized maps,
``L_attn = Σ_l mean_b ‖Â_l^S[b] − Â_l^T[b]‖²``. The teacher is trained first (in full
precision) or given; the student then learns with this term added to its task loss.
"""
from __future__ import annotations

import copy

import torch
from torch import nn

from snnc.nn.neurons import IELIF, SpikingNeuron


class ClippedReLU(nn.Module):
    """``clip(gain·x, 0, top) · out_gain``: a spiking neuron's analog (ANN) counterpart."""

    def __init__(self, top: float = 1.0, gain: float = 1.0, out_gain: float = 1.0):
        super().__init__()
        self.top, self.gain, self.out_gain = float(top), float(gain), float(out_gain)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.clamp(x * self.gain, 0.0, self.top) * self.out_gain

    def extra_repr(self) -> str:
        return f"top={self.top}, gain={self.gain}, out_gain={self.out_gain}"


def analog_of(neuron: nn.Module) -> ClippedReLU:
    if isinstance(neuron, IELIF):
        gain, out_gain = neuron.ir_gains()
        return ClippedReLU(neuron.D, gain, out_gain)
    return ClippedReLU(1.0)


def ann_teacher(model: nn.Module) -> nn.Module:
    """A copy of `model` with every spiking neuron replaced by its clipped-ReLU analog."""
    teacher = copy.deepcopy(model)
    for parent in list(teacher.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, (IELIF, SpikingNeuron)):
                setattr(parent, name, analog_of(child))
    teacher.is_ann_teacher = True
    return teacher


def spiking_neurons(model: nn.Module) -> list[nn.Module]:
    return [m for m in model.modules() if isinstance(m, (IELIF, SpikingNeuron))]
