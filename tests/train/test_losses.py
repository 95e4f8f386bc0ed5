"""Distillation losses, attention distillation, the uncertainty metric and its regularizer."""
import math

import pytest
import torch

from snnc import models
from snnc.data import digits
from snnc.errors import ConfigError
from snnc.nn import attention_maps, record_attention
from snnc.train import losses, train, uncertainty


def test_normalized_entropy_bounds():
    uniform = torch.full((2, 10), 0.1)
    one_hot = torch.eye(10)[:3]
    assert torch.allclose(losses.normalized_entropy(uniform), torch.ones(2))
    assert torch.equal(losses.normalized_entropy(one_hot), torch.zeros(3))


def test_kd_loss_is_zero_for_equal_outputs_and_positive_otherwise():
    out = torch.randn(4, 8, 10)
    assert float(losses.kd_loss(out, out.clone(), 4.0)) == pytest.approx(0.0, abs=1e-6)
    assert float(losses.kd_loss(out, torch.randn(4, 8, 10), 4.0)) > 0
    with pytest.raises(ConfigError):
        losses.kd_loss(out, out, 0.0)


def _minimize(loss_fn, params, steps=25, lr=1e-2):
    opt = torch.optim.Adam(params, lr=lr)
    values = []
    for _ in range(steps):
        loss = loss_fn()
        opt.zero_grad()
        loss.backward()
        opt.step()
        values.append(float(loss.detach()))
    return values


def test_kd_loss_reduces_when_a_ternary_student_follows_its_teacher():
    torch.manual_seed(0)
    data = digits("train", T=2).reshape([64]).subset(slice(0, 128))
    teacher = models.build("mlp", T=2, hidden=[32]).eval()
    student = models.build("mlp", T=2, hidden=[32], quant="ternary")
    with torch.no_grad():
        target = teacher(data.x)
    values = _minimize(lambda: losses.kd_loss(student(data.x), target, 4.0), student.parameters())
    assert values[-1] < 0.5 * values[0]


def test_attention_loss_reduces():
    torch.manual_seed(0)
    x = digits("train", T=2).subset(slice(0, 32)).x
    config = dict(T=2, embed_dim=8, heads=2)
    teacher = models.build("transformer", **config)  # train mode: BatchNorm uses batch statistics
    student = models.build("transformer", quant="lsq", quant_opts={"bits": 2}, **config)
    record_attention(teacher)
    record_attention(student)
    with torch.no_grad():
        teacher(x)
    target = attention_maps(teacher)
    assert target[0].shape[:2] == (2, 32) and target[0].abs().sum() > 0

    def loss():
        student(x)
        return losses.attention_loss(attention_maps(student), target)

    values = _minimize(loss, student.parameters(), steps=20, lr=3e-2)
    assert values[0] > 0 and values[-1] < 0.8 * values[0]
    assert float(losses.attention_loss(target, target)) == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ConfigError, match="same number"):
        losses.attention_loss(target, [])


def test_attention_method_trains_a_transformer():
    config = dict(T=2, embed_dim=8, heads=2, verbose=False)
    teacher, _ = train("transformer", "fp", epochs=1, seed=0, **config)
    student, history = train("transformer", "attention", epochs=1, seed=0, teacher=teacher,
                             quant_opts={"bits": 2}, **config)
    assert student.config["quant"] == "lsq" and math.isfinite(history[0]["loss"])
    assert all(b.attn_map is None for b in record_attention(student, False))
    with pytest.raises(ConfigError, match="attention"):
        train("mlp", "attention", epochs=1, seed=0, teacher=models.build("mlp", T=2), T=2, verbose=False)


def test_uncertainty_is_in_unit_interval_and_reproducible():
    torch.manual_seed(0)
    model = models.build("mlp", T=2, hidden=[32], dropout=0.3, dropconnect=0.2)
    data = digits("test", T=2).reshape([64])
    u = uncertainty(model, data, passes=5, seed=1)
    assert 0.0 <= u <= 1.0
    assert u == uncertainty(model, data, passes=5, seed=1)
    assert model.training  # mode restored
    single = uncertainty(model, data, passes=1, seed=2)
    assert single != u  # MC passes differ: dropout is sampled at eval time
    with pytest.raises(ConfigError):
        uncertainty(model, data, passes=0)


def test_uncertainty_regularizer_has_gradient_and_lowers_uncertainty():
    model = models.build("mlp", T=2, hidden=[32])
    out = model(digits("test", T=2).reshape([64]).x[:, :16])
    penalty = losses.uncertainty_penalty(out)
    penalty.backward()
    assert 0 < float(penalty.detach()) <= 1
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())

    common = dict(epochs=3, seed=0, T=2, hidden=[32], dropout=0.2, quant="ternary", verbose=False)
    plain, _ = train("mlp", "direct", **common)
    regularized, _ = train("mlp", "direct", uncertainty_weight=1.0, **common)
    assert regularized.metadata["uncertainty_weight"] == 1.0
    assert uncertainty(regularized, passes=5) < uncertainty(plain, passes=5)
