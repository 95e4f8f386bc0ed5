"""The papers' networks (snnc.models.PRESETS): parameter counts at the real size against the papers'
numbers, and scaled-down copies (same builders, fewer channels and blocks, small inputs) traced
and compiled to reference, cpu and hls with 0 mismatches on random inputs."""
import json

import pytest
import torch

import snnc
from fehelp import calibrate
from snnc.errors import ConfigError
from snnc.models import PRESETS, build
from targethelp import DIGITS_META, check_targets, digit_like

MiB = 2 ** 20


def n_params(name, **config):
    with torch.device("meta"):          # no memory, no init: counting 133 M parameters costs nothing
        model = build(name, **config)
    return sum(p.numel() for p in model.parameters())


# (preset, config, the paper's parameter count, where the number is from)
PAPER_COUNTS = [
    ("resnet19", {}, 12.63e6, "Zheng et al. 2021 (tdBN) ResNet-19, CIFAR-10; 12.63 M in Spikformer's CIFAR table"),
    ("sew_resnet18", {}, 11.69e6, "Fang et al. 2021 (SEW ResNet), SEW-ResNet-18 on ImageNet = ResNet-18's 11.69 M"),
    ("sew_resnet18", dict(stem="cifar", input_shape=[3, 32, 32], num_classes=10), 11.17e6,
     "the CIFAR ResNet-18 (3×3 stem, no maxpool, 10 classes): 11.17 M as CIFAR tables list it"),
    ("sew_resnet34", {}, 21.79e6, "Fang et al. 2021 (SEW ResNet), ImageNet table: SEW-ResNet-34 21.79 M"),
    ("ms_resnet18", {}, 11.69e6, "Hu et al. 2024 (MS-ResNet, TNNLS), MS-ResNet-18 on ImageNet, 11.69 M"),
    ("vgg11", {}, 133e6, "Simonyan & Zisserman 2015, Table 2: configuration A (VGG-11) 133 M"),
    ("spikformer", {}, 9.32e6, "Zhou et al. 2023 (Spikformer), CIFAR-10 table: Spikformer-4-384 9.32 M"),
    ("metaformer", {}, 15.1e6, "Yao et al. 2024 (Spike-driven Transformer V2), ImageNet: Meta-SpikeFormer 15.1 M"),
    ("metaformer", dict(widths=[48, 96, 192, 384, 480]), 31.3e6, "Yao et al. 2024, ImageNet: 31.3 M"),
    ("metaformer", dict(widths=[64, 128, 256, 512, 640]), 55.4e6, "Yao et al. 2024, ImageNet: 55.4 M"),
    # Wu et al. 2025 (ternary SNN), MNIST table, gives storage: 51 MB of fp32 weights (4 bytes each)
    ("plif_mnist", {}, 51 * MiB / 4, "Wu et al. 2025, SNN-PLIF 2Conv+2FC: 51 MB fp32"),
    ("fc_mnist", {}, 3.5 * MiB / 4, "Wu et al. 2025, SNN-Dropconnect FC: 3.5 MB fp32"),
]


@pytest.mark.parametrize("name, config, paper, source", PAPER_COUNTS,
                         ids=[f"{n}-{i}" for i, (n, *_) in enumerate(PAPER_COUNTS)])
def test_parameter_count_matches_the_paper(name, config, paper, source):
    count = n_params(name, **config)
    print(f"{name} {config}: {count / 1e6:.2f} M vs {paper / 1e6:.2f} M ({source})")
    assert abs(count - paper) <= 0.05 * paper, f"{name}: {count} parameters, the paper {paper:.0f} ({source})"


def test_plif_mnist_ternary_fc_storage_matches_the_paper():
    """Wu et al. 2025: 2Conv + 2FC_q (ternary FC layers, 2 bits a weight; fp32 convs and BN) is 3.7 MB."""
    with torch.device("meta"):
        model = build("plif_mnist")
    fc = sum(m.weight.numel() for m in model.modules() if isinstance(m, snnc.nn.QLinear))
    rest = sum(p.numel() for p in model.parameters()) - fc
    mb = (fc * 2 + rest * 32) / 8 / MiB
    assert abs(mb - 3.7) <= 0.05 * 3.7, mb


def test_every_preset_names_its_paper_and_rebuilds_from_config():
    assert set(PRESETS) == {"resnet19", "sew_resnet18", "sew_resnet34", "ms_resnet18", "vgg11", "spikformer",
                            "metaformer", "plif_mnist", "fc_mnist"}
    for name, preset in PRESETS.items():
        assert "et al." in preset.paper or "Zisserman" in preset.paper
        with torch.device("meta"):
            model = build(name)
            again = build(model.arch, **model.config)
        assert model.arch == name and again.config == model.config and model.paper == preset.paper
        json.dumps(model.config)


# scaled-down copies: the same builders and code paths, a few channels and blocks, small inputs
SMALL = {
    "resnet19": dict(widths=[4, 8, 8], layers=[2, 1, 1], stem_width=4, fc_hidden=[8], input_shape=[3, 8, 8]),
    "sew_resnet18": dict(widths=[4, 8], layers=[2, 1], stem_width=4, input_shape=[3, 16, 16], num_classes=10),
    "sew_resnet18-cifar": dict(widths=[4, 8], layers=[1, 1], stem_width=4, stem="cifar", input_shape=[3, 8, 8],
                               num_classes=10),
    "ms_resnet18": dict(widths=[4, 8], layers=[2, 1], stem_width=4, input_shape=[3, 16, 16], num_classes=10),
    "vgg11": dict(features=[4, "M", 8, "M", 8, 8, "M"], fc_hidden=[16, 16], input_shape=[3, 16, 16],
                  num_classes=10),
    "spikformer": dict(embed_dim=16, depth=1, heads=2, input_shape=[3, 8, 8]),
    "metaformer": dict(widths=[4, 8, 8, 16, 16], blocks=[1, 1, 1, 1, 1], strides=[2, 2, 2, 1, 1], heads=2,
                       layer_scale=0.5, input_shape=[3, 16, 16], num_classes=10),
    "metaformer-qsd": dict(widths=[4, 8, 8, 16, 16], blocks=[1, 0, 1, 1, 0], strides=[2, 2, 2, 1, 1], heads=2,
                           neuron="ielif", D=2, input_shape=[3, 16, 16], num_classes=10),
    "plif_mnist": dict(channels=[4, 8], fc_hidden=16, dropout=0.0),
    "fc_mnist": dict(hidden=[32]),
}


def small(key, quant="ternary", T=2, **extra):
    torch.manual_seed(0)
    model = build(key.split("-")[0], T=T, quant=quant, **{**SMALL[key], **extra})
    model.metadata = dict(DIGITS_META)
    x = torch.from_numpy(digit_like(T, 16, model.config["input_shape"], seed=1))
    return calibrate(model, x)


# Membrane shortcuts (MS-ResNet, the MetaFormer) sum rescaled values block after block (integerize
# aligns each add's operands with 16-bit gains): the states outgrow the default 32 bits in two blocks
WIDE = "fold-batchnorm,fold-temporal-scale,integerize{max_state_bits=64},lower-multispike,dce"


@pytest.mark.parametrize("key", list(SMALL))
def test_scaled_down_preset_is_exact_on_reference_cpu_hls(key, tmp_path):
    model = small(key)
    x = digit_like(2, 3, model.config["input_shape"], seed=2)
    outs = check_targets(model, x, tmp_path, passes=WIDE if key.startswith(("ms_", "metaformer")) else None)
    assert outs["cpu"].shape == (2, 3, 10) and outs["cpu"].std() > 0


@pytest.mark.parametrize("key, quant", [pytest.param("metaformer", "tawq", marks=pytest.mark.slow),
                                        ("resnet19", "lsq")])
def test_scaled_down_preset_with_other_quantizers(key, quant, tmp_path):
    model = small(key, quant=quant, quant_opts={"bits": 2} if quant == "lsq" else {})
    outs = check_targets(model, digit_like(2, 2, model.config["input_shape"], seed=3), tmp_path,
                         targets=("reference", "cpu"), passes=WIDE if key == "metaformer" else None)
    assert outs["cpu"].std() > 0


@pytest.mark.parametrize("key", ["sew_resnet18", "spikformer", "plif_mnist"])
def test_scaled_down_preset_trains_and_saves(key, tmp_path):
    torch.manual_seed(0)
    model = build(key, T=2, quant="tawq", **SMALL[key]).train()
    x = torch.from_numpy(digit_like(2, 4, model.config["input_shape"], seed=4))
    model(x).mean(0).logsumexp(-1).sum().backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)
    path = snnc.save(model.eval(), tmp_path / "m.pt", metadata=dict(DIGITS_META))
    loaded = snnc.load(path)
    assert loaded.arch == key and torch.equal(loaded(x), model(x))


@pytest.mark.slow
@pytest.mark.parametrize("name, shape", [("resnet19", [3, 32, 32]), ("spikformer", [3, 32, 32])])
def test_real_size_forward(name, shape):
    """One real-size forward pass, batch 1, T = 1: the paper's network runs and gives its logits."""
    torch.manual_seed(0)
    model = build(name, T=1, quant="ternary").eval()
    with torch.no_grad():
        out = model(torch.rand(1, 1, *shape))
    assert out.shape == (1, 1, 10) and torch.isfinite(out).all()


@pytest.mark.parametrize("name, bad", [
    ("resnet19", {"block": "dense"}), ("resnet19", {"layers": [1, 1]}), ("sew_resnet18", {"input_shape": [64]}),
    ("vgg11", {"features": [4, "X"]}), ("vgg11", {"input_shape": [3, 16, 16]}), ("spikformer", {"embed_dim": 20}),
    ("metaformer", {"kinds": ["conv"]}), ("metaformer", {"sep_kernel": 4}), ("plif_mnist", {"voting": 0}),
    ("fc_mnist", {"hiden": [3]}),
])
def test_bad_preset_configs_raise_config_error(name, bad):
    with pytest.raises(ConfigError):
        build(name, **bad)


def test_preset_structures():
    """What each paper's block is made of: depthwise / grouped convs, RepConv, layer scale, SSA's LIFs."""
    from snnc.nn import IELIF, LIF, LayerScale, QConv2d, SpikeDrivenSelfAttention, Voting
    m = build("metaformer", **SMALL["metaformer"])
    convs = [c for c in m.modules() if isinstance(c, QConv2d)]
    assert any(c.groups == c.in_channels == c.out_channels > 1 and c.kernel_size == (7, 7) for c in convs)  # SepConv
    attn = [a for a in m.modules() if isinstance(a, SpikeDrivenSelfAttention)]
    assert attn and all(isinstance(a.q_conv, torch.nn.Sequential) and a.q_conv[2].groups == a.dim for a in attn)
    assert sum(isinstance(x, LayerScale) for x in m.modules()) == 2 * sum(SMALL["metaformer"]["blocks"])
    qsd = build("metaformer", **SMALL["metaformer-qsd"])
    assert all(isinstance(a.q_spike, IELIF) for a in qsd.modules() if isinstance(a, SpikeDrivenSelfAttention))
    s = build("spikformer", **SMALL["spikformer"])
    a = next(x for x in s.modules() if isinstance(x, SpikeDrivenSelfAttention))
    assert isinstance(a.q_spike, LIF) and a.attn_spike.threshold == 0.5 and a.scale == 0.125
    with torch.device("meta"):
        assert isinstance(build("plif_mnist").layers[-1], Voting)
