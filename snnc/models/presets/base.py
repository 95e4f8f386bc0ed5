"""What every preset shares: its registry entry and the model base that names it."""
from __future__ import annotations

from dataclasses import dataclass, field

from snnc.errors import ConfigError

from ..base import SpikingModel
from ..config import ModelConfig, make_config


@dataclass(frozen=True)
class Preset:
    """A paper's network: `model(cfg, name)` built from `config` filled with `defaults`."""

    name: str
    model: type
    config: type
    defaults: dict = field(default_factory=dict)
    paper: str = ""

    def build(self, **config) -> SpikingModel:
        return self.model(make_config(self.config, self.name, {**self.defaults, **config}), self.name)


class PresetModel(SpikingModel):
    """A SpikingModel whose `arch` is its preset's name (``build(model.arch, **model.config)`` rebuilds it)."""

    def __init__(self, cfg: ModelConfig, name: str):
        super().__init__(cfg)
        self.arch = name

    @property
    def paper(self) -> str:
        """The paper (and its table) this preset reproduces, with the parameter count it reports."""
        from . import PRESETS
        return PRESETS[self.arch].paper


def image_shape(cfg: ModelConfig, what: str) -> tuple[int, int, int]:
    if len(cfg.input_shape) != 3:
        raise ConfigError(f"{what} needs input_shape [C, H, W] (e.g. [3, 32, 32]), got {cfg.input_shape}")
    return tuple(cfg.input_shape)


def conv_out(size: int, k: int, s: int, p: int) -> int:
    return (size + 2 * p - k) // s + 1
