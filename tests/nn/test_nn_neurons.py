"""Neuron equations against hand-computed values and an independent float32 reference."""
import numpy as np
import pytest
import torch

from snnc.errors import ConfigError
from snnc.nn import IELIF, IF, LIF, PLIF, CubaLIF


def seq(values):
    """A [T, 1, 1] input from a list of per-timestep currents."""
    return torch.tensor(values, dtype=torch.float32).view(-1, 1, 1)


def spikes(neuron, values):
    return neuron(seq(values)).view(-1).tolist()


I = [0.5, 0.75, 0.75, 1.0, 0.0]   # dyadic values: every step below is exact in float32


@pytest.mark.parametrize("kwargs, expected", [
    # h: .5 | .25+.75=1.0 (fire, v=0) | .75 | .375+1=1.375 (fire, v=.375) | .1875
    (dict(reset="subtract", compare="ge"), [0, 1, 0, 1, 0]),
    # h: .5 | 1.0 (no fire at >) | .5+.75=1.25 (v=.25) | .125+1=1.125 (v=.125) | .0625
    (dict(reset="subtract", compare="gt"), [0, 0, 1, 1, 0]),
    # zero reset to 0: as subtract here (h - 1 = 0 at t=1; t=3 resets to 0 instead of .375)
    (dict(reset="zero", compare="ge"), [0, 1, 0, 1, 0]),
    # zero reset to v_reset=.5: h: .5 | 1.0 (v=.5) | .25+.75=1.0 (v=.5) | .25+1=1.25 (v=.5) | .25
    (dict(reset="zero", v_reset=0.5), [0, 1, 1, 1, 0]),
    # no reset: h: .5 | 1.0 | 1.25 | 1.625 | .8125
    (dict(reset="none"), [0, 1, 1, 1, 0]),
])
def test_lif_hand_computed(kwargs, expected):
    assert spikes(LIF(beta=0.5, threshold=1.0, **kwargs), I) == expected


def test_if_is_lif_with_beta_one():
    # v: .5 | 1.0 fire -> 0 | .25 | 1.0 fire -> 0 | .5
    assert spikes(IF(threshold=1.0), [0.5, 0.5, 0.25, 0.75, 0.5]) == [0, 1, 0, 1, 0]
    x = torch.rand(6, 3, 5) * 0.8
    assert torch.equal(IF(threshold=0.7, reset="zero")(x), LIF(1.0, threshold=0.7, reset="zero")(x))
    assert IF().ir_params()["beta"] == 1.0 and IF.ir_op == "if"


def test_cuba_hand_computed():
    # alpha = beta = .5, threshold 1.25, I = [1, 1, 0, 0]
    # i: 1, 1.5, .75, .375;  h: 1 | .5+1.5=2 (fire, v=.75) | .375+.75=1.125 | .5625+.375=.9375
    assert spikes(CubaLIF(alpha=0.5, beta=0.5, threshold=1.25), [1, 1, 0, 0]) == [0, 1, 0, 0]
    # compare gt at an exact tie: threshold 2.0, h[1] = 2.0 -> fires only with ge
    assert spikes(CubaLIF(0.5, 0.5, threshold=2.0, compare="ge"), [1, 1, 0, 0]) == [0, 1, 0, 0]
    assert spikes(CubaLIF(0.5, 0.5, threshold=2.0, compare="gt"), [1, 1, 0, 0]) == [0, 0, 0, 0]


def test_ielif_hand_computed_and_gradient():
    x = torch.tensor([-1.0, 0.0, 0.49, 0.5, 1.5, 2.5, 3.7, 4.4, 9.0], requires_grad=True)
    s = IELIF(D=4)(x.view(-1, 1, 1)).view(-1)
    assert s.tolist() == [0, 0, 0, 1, 2, 3, 4, 4, 4]          # round half up, clip to 0..D, not / D
    s.sum().backward()
    assert x.grad.tolist() == [0, 1, 1, 1, 1, 1, 1, 0, 0]      # straight-through inside [0, D]
    assert IELIF(3).ir_params() == {"D": 3}


def reference(x, beta, threshold, reset, v_reset, compare, alpha=None):
    """Independent float32 NumPy loop of the documented equations (returns spikes)."""
    x = x.numpy().astype(np.float32)
    beta, th, vr = np.float32(beta), np.float32(threshold), np.float32(v_reset)
    v = np.zeros_like(x[0])
    i = np.zeros_like(x[0])
    out = []
    for x_t in x:
        if alpha is not None:
            i = np.float32(alpha) * i + x_t
            x_t = i
        h = beta * v + x_t
        s = (h >= th) if compare == "ge" else (h > th)
        v = {"zero": np.where(s, vr, h), "subtract": h - s.astype(np.float32) * th, "none": h}[reset]
        out.append(s.astype(np.float32))
    return np.stack(out)


@pytest.mark.parametrize("reset", ["subtract", "zero", "none"])
@pytest.mark.parametrize("compare", ["ge", "gt"])
def test_lif_and_cuba_match_float32_reference(reset, compare):
    torch.manual_seed(0)
    x = torch.randn(16, 4, 33) * 0.7
    lif = LIF(beta=0.9, threshold=0.3, reset=reset, v_reset=0.1, compare=compare)
    np.testing.assert_array_equal(lif(x).numpy(), reference(x, 0.9, 0.3, reset, 0.1, compare))
    cuba = CubaLIF(alpha=0.7, beta=0.85, threshold=0.6, reset=reset, v_reset=-0.2, compare=compare)
    np.testing.assert_array_equal(cuba(x).numpy(), reference(x, 0.85, 0.6, reset, -0.2, compare, alpha=0.7))


def test_plif_scalar_and_per_channel():
    torch.manual_seed(1)
    x = torch.rand(8, 2, 3, 4, 4)
    plif = PLIF(init_beta=0.5)
    assert torch.equal(plif(x), LIF(beta=0.5)(x))   # sigmoid(logit(.5)) = .5 exactly
    pc = PLIF(init_beta=0.5, per_channel=True, channels=3)
    with torch.no_grad():
        pc.w.copy_(torch.tensor([-2.0, 0.0, 2.0]))
    y = pc(x)
    betas = pc.ir_params()["beta"]
    assert isinstance(betas, np.ndarray) and betas.shape == (3,) and betas.dtype == np.float32
    for c in range(3):
        expected = reference(x[:, :, c], betas[c], 1.0, "subtract", 0.0, "ge")
        np.testing.assert_array_equal(y[:, :, c].detach().numpy(), expected)
    y.sum().backward()
    assert pc.w.grad is not None and pc.w.grad.abs().sum() > 0
    with pytest.raises(ConfigError, match="channels"):
        PLIF(per_channel=True)
    with pytest.raises(ConfigError, match="4 channels"):
        PLIF(per_channel=True, channels=4)(x)


def test_ir_params_are_plain_and_float32_rounded():
    p = LIF(beta=0.9, threshold=0.3, reset="zero", v_reset=0.1, compare="gt").ir_params()
    assert p == {"beta": float(np.float32(0.9)), "threshold": float(np.float32(0.3)), "reset": "zero",
                 "compare": "gt", "v_reset": float(np.float32(0.1))}
    assert all(isinstance(p[k], float) for k in ("beta", "threshold", "v_reset"))
    c = CubaLIF(alpha=0.25, beta=0.5).ir_params()
    assert c["alpha"] == 0.25 and c["beta"] == 0.5 and c["reset"] == "subtract"
    assert isinstance(PLIF(0.25).ir_params()["beta"], float)
    ops = [n.ir_op for n in (LIF(), IF(), PLIF(), CubaLIF(), IELIF())]
    assert ops == ["lif", "if", "plif", "cuba_lif", "multispike"]


@pytest.mark.parametrize("make", [lambda: LIF(), lambda: IF(), lambda: PLIF(), lambda: CubaLIF(),
                                  lambda: LIF(reset="zero", surrogate="sigmoid"),
                                  lambda: LIF(surrogate=("triangle", 0.5), detach_reset=True)])
def test_surrogate_gradient_reaches_input(make):
    x = (torch.rand(6, 3, 10) * 1.5).requires_grad_()
    make()(x).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_state_starts_at_zero_every_call():
    lif = LIF(beta=0.9)
    x = torch.rand(5, 2, 7)
    assert torch.equal(lif(x), lif(x))


@pytest.mark.parametrize("bad", [dict(reset="soft"), dict(compare="le"), dict(beta=1.5), dict(threshold=0.0),
                                 dict(surrogate="relu")])
def test_bad_options_raise_config_error(bad):
    with pytest.raises(ConfigError):
        LIF(**bad)


def test_input_must_be_time_major():
    with pytest.raises(ConfigError, match="time-major"):
        LIF()(torch.rand(5))
    with pytest.raises(ConfigError):
        IELIF(0)
