"""The papers' networks at their real size, as `snnc.models.build` names.

``build("resnet19", num_classes=10, input_shape=[3, 32, 32], T=4, quant="tawq")``. Each preset
is a builder (see its module) with the paper's configuration as defaults; any config key
overrides them (smaller ``widths`` / ``layers`` / inputs give a scaled-down copy that runs
the same code). The parameter counts, against the papers' numbers, are in the README and
asserted in tests/models/test_presets.py.
"""
from __future__ import annotations

from .base import Preset, PresetModel
from .mnist import FCNet, FCNetConfig, PLIFNet, PLIFNetConfig
from .resnets import DeepResNetConfig, DeepSpikingResNet
from .transformers import MetaFormerConfig, SpikformerConfig, Spikformer, SpikingMetaFormer
from .vgg import SpikingVGG, VGGConfig

IMAGENET = dict(input_shape=[3, 224, 224], num_classes=1000, stem="imagenet")

_LIST = [
    Preset("resnet19", DeepSpikingResNet, DeepResNetConfig,
           dict(block="tdbn", layers=[3, 3, 2], widths=[128, 256, 512], stem_width=128, fc_hidden=[256]),
           "Zheng et al. 2021, Going Deeper With Directly-Trained Larger SNNs (tdBN), AAAI; ResNet-19 on "
           "CIFAR-10, 12.63 M parameters as listed in the CIFAR comparison table of Zhou et al. 2023 (Spikformer)"),
    Preset("sew_resnet18", DeepSpikingResNet, DeepResNetConfig, dict(block="sew", layers=[2, 2, 2, 2], **IMAGENET),
           "Fang et al. 2021, Deep Residual Learning in Spiking Neural Networks, NeurIPS; SEW-ResNet-18 "
           "(ImageNet, 11.69 M as ResNet-18); stem=\"cifar\" for the 3×3 CIFAR stem"),
    Preset("sew_resnet34", DeepSpikingResNet, DeepResNetConfig, dict(block="sew", layers=[3, 4, 6, 3], **IMAGENET),
           "Fang et al. 2021, NeurIPS, ImageNet table: SEW-ResNet-34, 21.79 M"),
    Preset("ms_resnet18", DeepSpikingResNet, DeepResNetConfig, dict(block="ms", layers=[2, 2, 2, 2], **IMAGENET),
           "Hu et al. 2024, Advancing Spiking Neural Networks Toward Deep Residual Learning, TNNLS; "
           "MS-ResNet-18, 11.69 M (ImageNet)"),
    Preset("vgg11", SpikingVGG, VGGConfig, {},
           "Simonyan & Zisserman 2015, Very Deep Convolutional Networks, ICLR, Table 2: configuration A "
           "(VGG-11), 133 M parameters at 224×224 with the 4096-4096 classifier"),
    Preset("spikformer", Spikformer, SpikformerConfig, {},
           "Zhou et al. 2023, Spikformer: When Spiking Neural Network Meets Transformer, ICLR, CIFAR table: "
           "Spikformer-4-384 on CIFAR-10, 9.32 M"),
    Preset("metaformer", SpikingMetaFormer, MetaFormerConfig, {},
           "Yao et al. 2024, Spike-driven Transformer V2 (Meta-SpikeFormer), ICLR, ImageNet table: 15.1 M "
           "(widths 32-64-128-256-360; 31.3 M and 55.4 M with wider stages); the architecture "
           "QSD-Transformer (Qiu et al. 2025) quantizes"),
    Preset("plif_mnist", PLIFNet, PLIFNetConfig, {},
           "Fang et al. 2021, Incorporating Learnable Membrane Time Constant (PLIF), ICCV: the MNIST 2Conv+2FC "
           "net with FC-100 and voting; Wu et al. 2025 (ternary SNN), MNIST results table: 51 MB of fp32 weights"),
    Preset("fc_mnist", FCNet, FCNetConfig, {},
           "Wu et al. 2025, Ternary Quantization of SNNs, Frontiers of Computer Science, MNIST results table: the FC "
           "net (SNN-Dropconnect / SNN-Dropout), 3.5 MB fp32, 0.22 MB ternary"),
]
PRESETS: dict[str, Preset] = {p.name: p for p in _LIST}

__all__ = ["PRESETS", "Preset", "PresetModel", "DeepSpikingResNet", "DeepResNetConfig", "SpikingVGG", "VGGConfig",
           "Spikformer", "SpikformerConfig", "SpikingMetaFormer", "MetaFormerConfig", "PLIFNet", "PLIFNetConfig",
           "FCNet", "FCNetConfig"]
