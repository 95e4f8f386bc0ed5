"""Surrogate gradients: exact step forward, documented bump backward, unit area."""
import math

import pytest
import torch

from snnc.errors import ConfigError
from snnc.nn.surrogate import Surrogate, get_surrogate


@pytest.mark.parametrize("name", ["atan", "sigmoid", "triangle"])
def test_step_forward_and_bump_backward(name):
    sg = get_surrogate(name)
    h = torch.tensor([0.0, 0.5, 1.0, 1.5, 3.0], requires_grad=True)
    s = sg.spike(h, 1.0, "ge")
    assert s.tolist() == [0, 0, 1, 1, 1]
    assert sg.spike(h, 1.0, "gt").tolist() == [0, 0, 0, 1, 1]
    s.sum().backward()
    assert torch.allclose(h.grad, sg.grad(h.detach() - 1.0))
    assert h.grad[2] == h.grad.max()                      # the bump peaks at the threshold


def test_formulas():
    x = torch.tensor([0.0, 0.3, -0.7])
    a = 2.0
    assert torch.allclose(Surrogate("atan", a).grad(x), (a / 2) / (1 + (math.pi / 2 * a * x) ** 2))
    sig = torch.sigmoid(4.0 * x)
    assert torch.allclose(Surrogate("sigmoid", 4.0).grad(x), 4.0 * sig * (1 - sig))
    assert torch.allclose(Surrogate("triangle", 1.0).grad(x), torch.tensor([1.0, 0.7, 0.3]))


@pytest.mark.parametrize("name, alpha", [("atan", 2.0), ("sigmoid", 4.0), ("triangle", 0.5), ("atan", 5.0)])
def test_unit_area(name, alpha):
    x = torch.linspace(-200, 200, 2_000_001, dtype=torch.float64)
    area = torch.trapezoid(Surrogate(name, alpha).grad(x), x).item()
    assert abs(area - 1.0) < 0.01


def test_specs():
    assert get_surrogate(None) == Surrogate("atan", 2.0)
    assert get_surrogate(("sigmoid", 3.0)) == Surrogate("sigmoid", 3.0)
    assert get_surrogate("triangle", 0.25).alpha == 0.25
    with pytest.raises(ConfigError, match="unknown surrogate"):
        get_surrogate("relu")
    with pytest.raises(ConfigError):
        Surrogate("atan", 0.0)
