"""Loss terms of the training methods.

All model outputs are time-major scores `out [T, B, C]`; the logits of a
sample are their mean over time, `z = (1/T) Σ_t out[t]`, and the prediction is
`argmax_c z_c`.

* task loss: `L_task = CE(z, y)`.
* soft-label distillation (the indirect method's ternarization-aware KD):
  `L_kd = τ² · KL(softmax(z_teacher/τ) ‖ softmax(z_student/τ))`, averaged over
  the batch; `τ` is the temperature.
* fine-grained attention distillation (QSD-Transformer): for each attention
  block `l` with maps `A_l` of student and teacher, each sample's map is
  flattened and divided by its L2 norm (so spike-count scale does not matter),
  `L_attn = Σ_l mean_b ‖Â_l^S[b] − Â_l^T[b]‖²`.
* uncertainty: the normalized predictive entropy
  `u(p) = H(p) / log C = −Σ_c p_c log p_c / log C ∈ [0, 1]`; the regularizer
  adds `w · mean_b u(softmax(z_b))` to the loss.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from snnc.errors import ConfigError


def logits(out: torch.Tensor) -> torch.Tensor:
    """Mean over time of `out [T, B, C]`: the logits `[B, C]`."""
    if out.dim() != 3:
        raise ConfigError(f"expected model output [T, B, C], got shape {tuple(out.shape)}")
    return out.mean(0)


def task_loss(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """`CE(mean_t out, y)`."""
    return F.cross_entropy(logits(out), y)


def kd_loss(student_out: torch.Tensor, teacher_out: torch.Tensor, temperature: float = 4.0) -> torch.Tensor:
    """`τ² · KL(softmax(z_T/τ) ‖ softmax(z_S/τ))`, batch mean; the teacher gets no gradient."""
    if temperature <= 0:
        raise ConfigError(f"distillation temperature must be > 0, got {temperature}")
    t = float(temperature)
    log_p_student = F.log_softmax(logits(student_out) / t, dim=-1)
    log_p_teacher = F.log_softmax(logits(teacher_out).detach() / t, dim=-1)
    return F.kl_div(log_p_student, log_p_teacher, reduction="batchmean", log_target=True) * t * t


def attention_loss(student_maps, teacher_maps, batch_dim: int = 1) -> torch.Tensor:
    """`Σ_l mean_b ‖Â_l^S[b] − Â_l^T[b]‖²` with per-sample L2-normalized maps."""
    student_maps, teacher_maps = list(student_maps), list(teacher_maps)
    if not student_maps or len(student_maps) != len(teacher_maps):
        raise ConfigError(
            f"attention distillation needs the same number of attention maps in student and teacher "
            f"(got {len(student_maps)} and {len(teacher_maps)}); use a transformer for both"
        )
    total = student_maps[0].new_zeros(())
    for s, t in zip(student_maps, teacher_maps):
        if s.shape != t.shape:
            raise ConfigError(
                f"attention maps differ in shape: student {tuple(s.shape)}, teacher {tuple(t.shape)}; "
                "the teacher must have the student's architecture and sizes"
            )
        s = _normalized_per_sample(s, batch_dim)
        t = _normalized_per_sample(t.detach(), batch_dim)
        total = total + (s - t).pow(2).sum(1).mean()
    return total


def normalized_entropy(p: torch.Tensor) -> torch.Tensor:
    """`H(p) / log C` per row of probabilities `p [B, C]`, in [0, 1]."""
    c = p.shape[-1]
    h = -(p * torch.log(p.clamp_min(1e-12))).sum(-1)
    return h / math.log(c)


def uncertainty_penalty(out: torch.Tensor) -> torch.Tensor:
    """`mean_b H(softmax(z_b)) / log C`: the uncertainty regularizer (differentiable)."""
    return normalized_entropy(F.softmax(logits(out), dim=-1)).mean()


def _normalized_per_sample(a: torch.Tensor, batch_dim: int) -> torch.Tensor:
    flat = a.float().movedim(batch_dim, 0).reshape(a.shape[batch_dim], -1)
    return flat / flat.norm(dim=1, keepdim=True).clamp_min(1e-8)
