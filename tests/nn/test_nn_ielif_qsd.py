"""IE-LIF's qsd convention (QSD-Transformer's Multispike / Multispike_att) and the attention block
with convention="qsd": the PyTorch forward, and exactness through trace and reference/cpu/hls."""
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from snnc.errors import ConfigError
from snnc.models import build
from snnc.nn import IELIF, SpikeDrivenSelfAttention

sys.path.insert(0, str(Path(__file__).parent.parent / "backends"))
sys.path.insert(0, str(Path(__file__).parent.parent / "models"))
sys.path.insert(0, str(Path(__file__).parent.parent / "frontend"))


def test_qsd_convention_is_the_papers_formula():
    x = torch.tensor([-0.3, 0.0, 0.1, 0.125, 0.3, 0.62, 1.0, 2.0]).reshape(8, 1)
    s = IELIF(4, "qsd")(x).flatten().tolist()
    # floor(clip(4x, 0, 4) + 1/2) / 4
    assert s == [0.0, 0.0, 0.0, 0.25, 0.25, 0.5, 1.0, 1.0]
    att = IELIF(4, "qsd", divisor=2)(x).flatten().tolist()
    assert att == [0.0, 0.0, 0.0, 0.5, 0.5, 1.0, 2.0, 2.0]
    assert IELIF(4)(x * 4).flatten().tolist() == [v * 4 for v in s]      # snnc = qsd · D on D·x
    g = torch.tensor([0.1, 0.5, 1.5], requires_grad=True)
    IELIF(4, "qsd")(g.reshape(3, 1)).sum().backward()
    assert g.grad.tolist() == [4 * 0.25, 4 * 0.25, 0.0]                 # straight-through inside [0, 1]


def test_qsd_attention_defaults_and_bad_options():
    a = SpikeDrivenSelfAttention(8, heads=2, convention="qsd")
    assert a.scale == 0.25 and a.q_spike.divisor == 4 and a.attn_spike.divisor == 2
    assert SpikeDrivenSelfAttention(8, heads=2).scale == 0.125 and SpikeDrivenSelfAttention(8).q_spike.divisor == 1
    with pytest.raises(ConfigError, match="convention"):
        IELIF(4, "spikingjelly")
    with pytest.raises(ConfigError, match="divisor"):
        IELIF(4, divisor=2)
    with pytest.raises(ConfigError, match="convention"):
        SpikeDrivenSelfAttention(8, convention="x")


def qsd_transformer():
    from targethelp import DIGITS_META

    torch.manual_seed(0)
    m = build("transformer", T=2, quant="lsq", quant_opts={"bits": 2}, embed_dim=8, heads=2)
    for block in [b for b in m.modules() if hasattr(b, "attn") and isinstance(b.attn, SpikeDrivenSelfAttention)]:
        old = block.attn
        block.attn = SpikeDrivenSelfAttention(old.dim, old.heads, old.D, quant={"method": "lsq", "bits": 2},
                                              convention="qsd")
    for name, mod in list(m.named_modules()):
        for child_name, child in list(mod.named_children()):
            if isinstance(child, IELIF) and child.convention == "snnc":
                setattr(mod, child_name, IELIF(child.D, "qsd"))
    m.metadata = dict(DIGITS_META)
    return m.eval()


@pytest.mark.slow
def test_qsd_model_traces_and_is_exact_on_reference_cpu_hls(tmp_path):
    from fehelp import calibrate
    from targethelp import check_targets, digit_like

    from snnc.frontend import trace

    m = qsd_transformer()
    x = digit_like(2, 8, m.config["input_shape"], seed=1)
    calibrate(m, torch.from_numpy(x))
    graph = trace(m, x[:, :1])
    ops = [n.op for n in graph]
    assert "multispike" in ops and "scale" in ops
    with torch.no_grad():
        torch_out = m(torch.from_numpy(x)).numpy()
    outs = check_targets(m, x[:, :3], tmp_path)         # float graph = PyTorch, then integers equal
    assert outs["cpu"].std() > 0
    assert np.isfinite(torch_out).all()
