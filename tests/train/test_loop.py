"""The training loop: determinism, methods, metadata, argument checks."""
import pytest
import torch

from snnc.errors import ConfigError
from snnc.train import train

SMALL = dict(T=2, hidden=[32], verbose=False)


def _weights(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_same_seed_gives_identical_weights():
    a, ha = train("mlp", "direct", epochs=1, seed=3, quant="tawq", **SMALL)
    b, hb = train("mlp", "direct", epochs=1, seed=3, quant="tawq", **SMALL)
    wa, wb = _weights(a), _weights(b)
    assert wa.keys() == wb.keys()
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert ha[0]["loss"] == hb[0]["loss"]


def test_other_seed_gives_other_weights_and_global_rng_is_untouched():
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    a, _ = train("mlp", "fp", epochs=1, seed=0, **SMALL)
    after = torch.rand(3)
    assert torch.equal(before, after)
    b, _ = train("mlp", "fp", epochs=1, seed=1, **SMALL)
    assert not torch.equal(a.state_dict()["layers.0.weight"], b.state_dict()["layers.0.weight"])
    assert not torch.are_deterministic_algorithms_enabled()


def test_history_and_metadata():
    model, history = train("mlp", "fp", epochs=3, seed=0, **SMALL)
    assert [row["epoch"] for row in history] == [1, 2, 3]
    assert history[-1]["loss"] < history[0]["loss"]
    assert not model.training
    meta = model.metadata
    assert meta["method"] == "fp" and meta["quant"] == "fp" and meta["epochs"] == 3
    assert meta["accuracy"] == history[-1]["test_accuracy"] > 0.5
    assert meta["input_scale"] == 1 / 16 and meta["input_bits"] == 5 and meta["T"] == 2
    assert meta["dataset"] == "digits" and meta["encoding"] == "direct"


def test_indirect_with_given_teacher_and_ptq():
    teacher, _ = train("mlp", "fp", epochs=2, seed=0, **SMALL)
    student, history = train("mlp", "indirect", epochs=2, seed=0, teacher=teacher, **SMALL)
    assert student.config["quant"] == "ternary"
    assert student.metadata["teacher_accuracy"] == teacher.metadata["accuracy"]
    assert history[-1]["loss"] < history[0]["loss"]
    ptq_model, _ = train("mlp", "ptq", epochs=1, seed=0, **SMALL)
    assert ptq_model.config["quant"] == "ptq" and ptq_model.metadata["ptq_method"] == "ternary"


def test_rate_encoding_trains():
    model, history = train("mlp", "fp", epochs=1, seed=0, encoding="rate", **SMALL)
    assert model.metadata["encoding"] == "rate" and 0 <= history[0]["test_accuracy"] <= 1


@pytest.mark.parametrize("kwargs,match", [
    (dict(method="sgd"), "unknown training method"),
    (dict(method="fp", quant="ternary"), "full-precision"),
    (dict(method="direct", quant="fp"), "quantized student"),
    (dict(method="fp", epochs=0), "epochs"),
    (dict(method="fp", kd_weight=2.0), "kd_weight"),
    (dict(method="indirect", teacher=3), "teacher"),
])
def test_bad_arguments(kwargs, match):
    kwargs = {"epochs": 1, **kwargs}
    with pytest.raises(ConfigError, match=match):
        train("mlp", **kwargs, **SMALL)


def test_teacher_must_match_the_student():
    teacher, _ = train("mlp", "fp", epochs=1, seed=0, **SMALL)
    with pytest.raises(ConfigError, match="teacher's T"):
        train("mlp", "indirect", epochs=1, seed=0, teacher=teacher, **{**SMALL, "T": 3})
