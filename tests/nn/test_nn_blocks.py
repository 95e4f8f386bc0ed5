"""SeqWrap, Monte-Carlo dropout / DropConnect switching, spike-driven self-attention."""
import pytest
import torch
from torch import nn

from snnc.errors import ConfigError
from snnc.nn import (IELIF, MCDropout, QLinear, SeqWrap, SpikeDrivenSelfAttention, attention_maps, mc_mode,
                     record_attention)


def test_seqwrap_is_per_timestep():
    torch.manual_seed(0)
    pool = SeqWrap(nn.MaxPool2d(2))
    x = torch.rand(3, 2, 4, 8, 8)
    y = pool(x)
    assert y.shape == (3, 2, 4, 4, 4)
    for t in range(3):
        assert torch.equal(y[t], nn.MaxPool2d(2)(x[t]))
    assert SeqWrap(nn.Flatten())(x).shape == (3, 2, 256)
    with pytest.raises(ConfigError):
        pool(torch.rand(2, 4))


def test_mc_mode_switches_dropout_and_dropconnect_at_eval():
    torch.manual_seed(0)
    model = nn.Sequential(QLinear(16, 32, dropconnect=0.3), MCDropout(0.3), QLinear(32, 4), nn.Dropout(0.3))
    x = torch.rand(2, 8, 16)
    model.eval()
    assert torch.equal(model(x), model(x))
    assert mc_mode(model, True) is model
    assert model[0].mc and model[1].mc and model[3].training
    assert not torch.equal(model(x), model(x))
    mc_mode(model, False)
    assert not model[0].mc and not model[1].mc and not model[3].training
    assert torch.equal(model(x), model(x))
    # only the MC flag: dropout alone, no DropConnect
    only_dropout = nn.Sequential(QLinear(16, 4), MCDropout(0.5)).eval()
    mc_mode(only_dropout, True)
    assert not torch.equal(only_dropout(x), only_dropout(x))


def tokens(x):
    """[T, B, C, H, W] channel-first -> per head token matrices [T, B, h, N, d]."""
    T, B, C, H, W = x.shape
    return x.reshape(T, B, 2, C // 2, H * W).transpose(-2, -1)


def test_attention_equals_the_token_major_formula():
    torch.manual_seed(0)
    attn = SpikeDrivenSelfAttention(8, heads=2, D=4, scale=0.25).eval()
    x = torch.randn(3, 2, 8, 4, 4) * 4
    record_attention(attn)
    with torch.no_grad():
        y = attn(x)
        q = tokens(attn.q_spike(attn.q_bn(attn.q_conv(x))))
        k = tokens(attn.k_spike(attn.k_bn(attn.k_conv(x))))
        v = tokens(attn.v_spike(attn.v_bn(attn.v_conv(x))))
        a = k.transpose(-2, -1) @ v                            # K^T V per head  [T, B, h, d, d]
        o = (q @ a) * 0.25                                     # Q (K^T V) scale  [T, B, h, N, d]
        s = IELIF(4)(o).transpose(-2, -1).reshape(x.shape)
        expected = attn.proj_bn(attn.proj_conv(s))
    assert set(torch.unique(q).tolist()) <= {0, 1, 2, 3, 4} and q.max() > 1    # multi-bit integer spikes
    assert torch.equal(attn.attn_map, a)
    assert torch.equal(y, expected)
    assert attn.ir_params() == {"heads": 2, "scale": 0.25, "D": 4}


def test_attention_map_is_recorded_with_gradient_for_distillation():
    torch.manual_seed(0)
    attn = SpikeDrivenSelfAttention(8, heads=2, quant={"method": "lsq", "bits": 2})
    x = torch.randn(2, 3, 8, 2, 2)
    with pytest.raises(ConfigError, match="record_attention"):
        attn(x)
        attention_maps(attn)
    blocks = record_attention(attn, True)
    assert blocks == [attn]
    attn(x)
    (m,) = attention_maps(attn)
    assert m.shape == (2, 3, 2, 4, 4)
    m.float().pow(2).sum().backward()
    assert attn.k_conv.weight.grad is not None and attn.k_conv.weight.grad.abs().sum() > 0
    record_attention(attn, False)
    assert attn.attn_map is None
    with pytest.raises(ConfigError):
        attention_maps(nn.Linear(2, 2))


def test_attention_rejects_bad_shapes():
    with pytest.raises(ConfigError):
        SpikeDrivenSelfAttention(6, heads=4)
    with pytest.raises(ConfigError):
        SpikeDrivenSelfAttention(8)(torch.rand(2, 3, 6, 2, 2))
