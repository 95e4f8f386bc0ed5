"""snnc.models — the reference spiking architectures, built from plain config dicts.

``build(arch, **config) -> nn.Module`` with ``arch`` a key of `ARCHITECTURES`:
"mlp", "cnn" (2 conv + 2 FC, PLIF), "resnet" (SEW ResNet), "transformer"
(spike-driven, QSD style) — small, for digits — and the papers' networks at their real size
(`PRESETS`: "resnet19", "sew_resnet18", "sew_resnet34", "ms_resnet18", "vgg11", "spikformer",
"metaformer", "plif_mnist", "fc_mnist"; see `snnc.models.presets`). Every model takes ``[T, B, *input_shape]`` and
returns its readout ``[T, B, num_classes]``; it has `arch` and `config` with
``build(model.arch, **model.config)`` rebuilding the same structure (so
``load_state_dict`` of the original's state dict works). Config keys: see
`snnc.models.config` and each architecture's config dataclass.
"""
from __future__ import annotations

from torch import nn

from snnc.errors import ConfigError

from .base import SpikingModel
from .cnn import CNNConfig, SpikingCNN, build_cnn
from .config import ModelConfig
from .mlp import MLPConfig, SpikingMLP, build_mlp
from .presets import PRESETS
from .resnet import ResNetConfig, SpikingResNet, build_resnet
from .transformer import SpikingTransformer, TransformerConfig, build_transformer

ARCHITECTURES = {
    "mlp": build_mlp,
    "cnn": build_cnn,
    "resnet": build_resnet,
    "transformer": build_transformer,
}


def build(arch: str, **config) -> nn.Module:
    """Build architecture or preset `arch` from its config keys (unknown arch or key: ConfigError)."""
    if arch in PRESETS:
        return PRESETS[arch].build(**config)
    if arch not in ARCHITECTURES:
        raise ConfigError(f"unknown architecture {arch!r}; choose one of {', '.join([*ARCHITECTURES, *PRESETS])}")
    return ARCHITECTURES[arch](**config)


__all__ = ["build", "ARCHITECTURES", "PRESETS", "SpikingModel", "ModelConfig", "MLPConfig", "CNNConfig", "ResNetConfig",
           "TransformerConfig", "SpikingMLP", "SpikingCNN", "SpikingResNet", "SpikingTransformer"]
