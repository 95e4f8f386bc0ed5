"""TaWQ's official preset against the authors' equations, re-stated here in NumPy (fresh code, no
snnc helper), and through compilation: the per-(timestep, channel) scale reaches every target exactly."""
import numpy as np
import pytest
import torch

from snnc.errors import ConfigError
from snnc.nn.quant import make_quantizer


def restated(w: np.ndarray, T: int):
    """I = (W − mean)/std; C ← C + (I − C)/2; W_q = (sign(C − ¼) + sign(C + ¼))/2; C ← (1 − |W_q|)·C;
    scale = 1 / mean over inputs of |W_q| per (t, output channel)."""
    i = (w - w.mean()) / w.std(ddof=1)          # torch.std is the unbiased estimate
    c = np.zeros_like(i)
    out, scales = [], []
    for _ in range(T):
        c = c + (i - c) / 2
        q = (np.sign(c - 0.25) + np.sign(c + 0.25)) / 2
        out.append(q)
        m = np.abs(q).reshape(q.shape[0], -1).mean(1)
        scales.append(np.where(m > 0, 1 / np.where(m > 0, m, 1), 0))
        c = (1 - np.abs(q)) * c
    return np.stack(out), np.stack(scales)


@pytest.mark.parametrize("shape", [(7, 5), (4, 3, 3, 3)])
@pytest.mark.parametrize("seed", range(5))
def test_levels_and_scales_equal_the_restated_equations(shape, seed):
    w = torch.from_numpy(np.random.default_rng(seed).normal(0, 0.1, shape).astype(np.float64))
    q = make_quantizer({"method": "tawq", "preset": "official", "T_w": 6}).double()
    got = q(w)
    want_levels, want_scales = restated(w.numpy(), 6)
    assert np.array_equal(got.w_int.detach().numpy(), want_levels)
    np.testing.assert_allclose(got.scale.numpy(), want_scales, rtol=1e-12)
    assert set(np.unique(want_levels)) <= {-1.0, 0.0, 1.0}


def test_gradient_is_the_sigmoid_surrogate():
    w = torch.tensor([[0.3, -0.2, 0.05, 0.0]], dtype=torch.float64, requires_grad=True)
    q = make_quantizer({"method": "tawq", "preset": "official", "T_w": 1}).double()
    q(w).w_int.sum().backward()
    i = ((w - w.mean()) / w.std()).detach()
    c = i / 2
    sig = lambda x: 1 / (1 + torch.exp(-4 * x))                             # noqa: E731
    dq_dc = sum(4 * sig(c + d) * (1 - sig(c + d)) for d in (-0.25, 0.25))   # ½·Σ 2α σ(1 − σ)
    # chain rule through the standardization, by autograd on the re-stated expression
    w2 = w.detach().clone().requires_grad_(True)
    ((w2 - w2.mean()) / w2.std() / 2 * dq_dc).sum().backward()
    assert torch.allclose(w.grad, w2.grad)


def test_preset_keeps_first_and_last_layer_full_precision_and_compiles_exactly():
    import snnc
    from snnc.models import build
    model = build("mlp", quant="tawq", quant_opts={"preset": "official"}, T=3, hidden=[12, 10])
    kinds = [type(m.quantizer).__name__ if getattr(m, "quantizer", None) is not None else None
             for m in model.modules() if hasattr(model, "config") and type(m).__name__ == "QLinear"]
    assert kinds[0] is None and kinds[-1] is None and "TaWQOfficial" in kinds
    model.eval()
    x = (torch.rand(3, 4, 64) < 0.3).float()
    ref = snnc.compile(model, target="reference", input_type="spike")
    for target in ("cpu", "hls"):
        c = snnc.compile(model, target=target, input_type="spike")
        assert np.array_equal(c.run(x), ref.run(x)), target


def test_bad_preset_options_are_clear():
    with pytest.raises(ConfigError, match="no preset 'paper'"):
        make_quantizer({"method": "tawq", "preset": "paper", "T_w": 2})
    with pytest.raises(ConfigError, match="unknown option"):
        make_quantizer({"method": "tawq", "preset": "official", "T_w": 2, "lam": 0.5})
    with pytest.raises(ConfigError, match="tau must be"):
        make_quantizer({"method": "tawq", "preset": "official", "T_w": 2, "tau": 0.5})


def test_official_cnn_float_graph_equals_torch_and_targets_are_exact(tmp_path):
    from targethelp import check_targets

    from snnc.models import build
    model = build("cnn", quant="tawq", quant_opts={"preset": "official"}, T=3).eval()
    model.metadata = {"encoding": "rate", "input_bits": 1, "input_scale": 1.0, "T": 3}
    x = (np.random.default_rng(3).random((3, 2, 1, 8, 8)) < 0.4).astype(np.float32)
    check_targets(model, x, tmp_path)


@pytest.mark.slow
def test_official_preset_keeps_the_weight_states_near_maximum_entropy_on_digits():
    from snnc.train import train
    model, _ = train("mlp", "direct", epochs=3, seed=0, quant="tawq", quant_opts={"preset": "official"}, T=4,
                     hidden=[128, 128], verbose=False)
    (layer,) = [m for m in model.modules() if getattr(m, "quantizer", None) is not None]
    levels = layer.quantizer(layer.weight.detach()).w_int.numpy()
    _, counts = np.unique(levels, return_counts=True)
    p = counts / counts.sum()
    entropy = float(-(p * np.log2(p)).sum())
    print(f"official TaWQ weight-state entropy after 3 epochs: {entropy:.3f} bits; accuracy "
          f"{model.metadata['accuracy']:.4f}")
    assert entropy >= 1.5 and model.metadata["accuracy"] > 0.8
