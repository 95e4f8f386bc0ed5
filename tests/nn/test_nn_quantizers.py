"""Quantizers: level sets, TaWQ / mTaWQ equations and approximation bound, gradients, specs."""
import math

import numpy as np
import pytest
import torch

from snnc.errors import ConfigError
from snnc.nn.quant import LSQ, QUANTIZERS, MTaWQ, PTQQuant, TaWQ, TernaryQuant, make_quantizer


def weight(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g) * 0.1).requires_grad_()


def quantize(q, w):
    q.init_from(w.detach())
    return q(w)


# name, quantizer factory, exact level set that must contain every level
CASES = [
    ("tawq", lambda: TaWQ(T_w=4), {-1, 0, 1}),
    ("tawq-hard-lam", lambda: TaWQ(T_w=6, lam=0.8, c_th=0.7, reset="hard", magnitude="learned"), {-1, 0, 1}),
    ("mtawq3", lambda: MTaWQ(T_w=4, bits=3), set(range(-3, 4))),
    ("mtawq4", lambda: MTaWQ(T_w=5, bits=4, magnitude="fixed", use_magnitude=False), set(range(-7, 8))),
    ("ternary", lambda: TernaryQuant(), {-1, 0, 1}),
    ("ternary-learned-pc", lambda: TernaryQuant(0.5, scale="learned", per_channel=True), {-1, 0, 1}),
    ("lsq1", lambda: LSQ(bits=1), {-1, 1}),
    ("lsq2", lambda: LSQ(bits=2), {-2, -1, 0, 1}),
    ("lsq3-sym-pc", lambda: LSQ(bits=3, symmetric=True, per_channel=True), set(range(-3, 4))),
    ("lsq4", lambda: LSQ(bits=4), set(range(-8, 8))),
    ("ptq-ternary", lambda: PTQQuant("ternary"), {-1, 0, 1}),
    ("ptq-kbit4-pc", lambda: PTQQuant("kbit", 4, per_channel=True), set(range(-7, 8))),
    ("ptq-kbit1", lambda: PTQQuant("kbit", 1), {-1, 1}),
]


@pytest.mark.parametrize("name, make, level_set", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("shape", [(12, 20), (6, 3, 3, 3)])
def test_levels_lie_on_the_level_set(name, make, level_set, shape):
    q = make()
    w = weight(*shape)
    w_int, scale = quantize(q, w)
    assert w_int.shape == (q.T_w, *shape) and scale.shape == (q.T_w, shape[0])
    values = set(torch.unique(w_int).tolist())
    assert values <= level_set, f"{name}: {values} not within {level_set}"
    assert len(values) >= min(3, len(level_set))          # the levels are actually used
    lo, hi = q.levels
    assert lo == min(level_set) and hi == max(level_set)
    assert (scale > 0).all()
    # the effective weight is exactly level x scale: every entry is one of the scaled levels
    eff = w_int * scale.view(q.T_w, shape[0], *([1] * (len(shape) - 1)))
    for t in range(q.T_w):
        for o in range(shape[0]):
            allowed = {float(np.float32(v) * scale[t, o].item()) for v in level_set}
            assert set(eff[t, o].flatten().tolist()) <= allowed


@pytest.mark.parametrize("name, make, level_set", [c for c in CASES if not c[0].startswith("ptq")],
                         ids=[c[0] for c in CASES if not c[0].startswith("ptq")])
def test_gradients_reach_weights_and_quantizer_parameters(name, make, level_set):
    q = make()
    w = weight(16, 24, seed=3)
    w_int, scale = quantize(q, w)
    r = torch.randn(w_int.shape, generator=torch.Generator().manual_seed(1))
    (w_int * scale[..., None] * r).sum().backward()
    assert w.grad is not None and torch.isfinite(w.grad).all() and (w.grad != 0).float().mean() > 0.3
    for pname, p in q.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, f"{name}: no gradient for {pname}"


def tawq_reference(w, s, T, lam, c_th, L, reset):
    """Independent NumPy loop of the TaWQ / mTaWQ equations."""
    i_n = (w / s).astype(np.float32)
    c = np.zeros_like(i_n)
    out = []
    for _ in range(T):
        c_s = np.float32(lam) * c + i_n
        q = np.clip(np.trunc(c_s / np.float32(c_th)), -L, L)
        out.append(q)
        c = c_s - q * np.float32(c_th) if reset == "soft" else np.where(q == 0, c_s, 0)
    return np.stack(out)


@pytest.mark.parametrize("bits, lam, c_th, reset", [(2, 1.0, 1.0, "soft"), (2, 0.9, 0.7, "hard"),
                                                    (3, 0.95, 0.6, "soft"), (4, 1.0, 1.3, "hard")])
def test_tawq_matches_reference_equations(bits, lam, c_th, reset):
    w = weight(30, 40, seed=5)
    q = MTaWQ(T_w=6, bits=bits, lam=lam, c_th=c_th, reset=reset, magnitude="fixed")
    w_int, scale = quantize(q, w)
    s = float(q.s)
    L = 2 ** (bits - 1) - 1
    assert s == pytest.approx(w.detach().abs().mean().item() / L, rel=1e-6)
    np.testing.assert_array_equal(w_int.detach().numpy(), tawq_reference(w.detach().numpy(), np.float32(s), 6, lam,
                                                                         c_th, L, reset))
    # scale[t] = alpha_t * s with alpha initialised to C_th, broadcast over the output channels
    np.testing.assert_array_equal(scale.detach().numpy(), np.broadcast_to((q.alpha * q.s).detach().numpy()[:, None],
                                                                          (6, 30)))


def test_mtawq_with_two_bits_equals_ternary_tawq():
    w = weight(40, 50, seed=7)
    for opts in (dict(), dict(lam=0.85, c_th=0.7), dict(reset="hard", c_th=0.3, magnitude="learned")):
        a = quantize(TaWQ(T_w=8, **opts), w)
        b = quantize(MTaWQ(T_w=8, bits=2, **opts), w)
        assert torch.equal(a.w_int, b.w_int) and torch.equal(a.scale, b.scale)
        # and the ternary rule itself: sign(C_s) where |C_s| >= C_th
        q = TaWQ(T_w=1, **opts)
        w_int, _ = quantize(q, w)
        c_s = (w / q.magnitude_value(w)).detach()
        th = q.c_th
        assert torch.equal(w_int[0], torch.sign(c_s) * (c_s.abs() >= th).float())


def test_tawq_weights_vary_over_time():
    w = weight(64, 64, seed=11)
    w_int, _ = quantize(TaWQ(T_w=4), w)
    changes = (w_int != w_int[:1]).any(0).float().mean().item()
    assert changes > 0.3                     # a third of the synapses change state over 4 steps
    assert not torch.equal(w_int[0], w_int[1])


@pytest.mark.parametrize("T", [2, 4, 8, 16])
@pytest.mark.parametrize("bits", [2, 3])
def test_tawq_time_average_approximates_weight(T, bits):
    """Bound (lam = 1, soft reset, alpha_t = C_th): |mean_t alpha_t s W_q[t] - clip(W, ±s L C_th)| < s C_th / T."""
    w = weight(50, 60, seed=T)
    q = MTaWQ(T_w=T, bits=bits, c_th=0.8)
    w_int, scale = quantize(q, w)
    avg = (w_int * scale[..., None]).mean(0).detach().double()
    s = q.magnitude_value(w).item()
    L = 2 ** (bits - 1) - 1
    target = w.detach().double().clamp(-s * L * 0.8, s * L * 0.8)
    err = (avg - target).abs().max().item()
    assert err < s * 0.8 / T * (1 + 1e-5)
    assert (target.abs() < s * L * 0.8).float().mean() > 0.3     # the bound covers unsaturated weights too


def test_ternary_direct_rule():
    w = weight(20, 30, seed=2)
    w_int, scale = quantize(TernaryQuant(), w)
    a = w.detach().abs()
    delta = 0.7 * a.mean()
    expected = torch.sign(w.detach()) * (a > delta).float()
    assert torch.equal(w_int[0], expected)
    assert scale[0, 0].item() == pytest.approx(a[a > delta].mean().item(), rel=1e-6)
    # per channel: one delta and one alpha per output row
    w_int, scale = quantize(TernaryQuant(per_channel=True), w)
    for o in range(20):
        d = 0.7 * a[o].mean()
        assert torch.equal(w_int[0, o], torch.sign(w.detach()[o]) * (a[o] > d).float())
        assert scale[0, o].item() == pytest.approx(a[o][a[o] > d].mean().item(), rel=1e-6)


@pytest.mark.parametrize("bits", [2, 3, 4])
def test_lsq_step_gradient_is_the_lsq_gradient(bits):
    w = weight(10, 16, seed=bits)
    q = LSQ(bits=bits)
    w_int, scale = quantize(q, w)
    s = q.step.detach()
    r = torch.randn(w.shape, generator=torch.Generator().manual_seed(4))
    (w_int[0] * scale[0][:, None] * r).sum().backward()
    v = w.detach() / s
    q_n, q_p = 2 ** (bits - 1), 2 ** (bits - 1) - 1
    inside = (v >= -q_n) & (v <= q_p)
    d = torch.where(inside, torch.round(v) - v, torch.clamp(v, -q_n, q_p))
    g = 1 / math.sqrt(w.numel() * q_p)
    assert q.step.grad.item() == pytest.approx((r * d).sum().item() * g, rel=1e-4, abs=1e-7)
    assert torch.allclose(w.grad, r * inside.float())          # STE: d(s W_int)/dW = 1 inside the range
    assert q.step.item() == pytest.approx(2 * w.detach().abs().mean().item() / math.sqrt(q_p), rel=1e-5)


def test_make_quantizer_specs_and_errors():
    assert make_quantizer(None) is None
    assert isinstance(make_quantizer("ternary"), TernaryQuant)
    q = make_quantizer({"method": "mtawq", "T_w": 3, "bits": 4, "lam": 0.5})
    assert isinstance(q, MTaWQ) and q.levels == (-7, 7) and q.T_w == 3 and q.time_varying
    inst = LSQ(2)
    assert make_quantizer(inst) is inst
    assert set(QUANTIZERS) == {"tawq", "mtawq", "ternary", "lsq", "ptq"}
    assert all(cls.method == name for name, cls in QUANTIZERS.items())
    with pytest.raises(ConfigError, match="needs T_w"):
        make_quantizer("tawq")
    with pytest.raises(ConfigError, match="unknown quantizer"):
        make_quantizer("binary")
    with pytest.raises(ConfigError, match="unknown option"):
        make_quantizer({"method": "mtawq", "T_w": 4, "lamda": 0.5})
    with pytest.raises(ConfigError):
        make_quantizer(3)
    for bad in (dict(method="lsq", bits=0), dict(method="tawq", T_w=0), dict(method="tawq", T_w=4, reset="x"),
                dict(method="ptq", scheme="ternary", bits=3), dict(method="ternary", scale="max")):
        with pytest.raises(ConfigError):
            make_quantizer(bad)
