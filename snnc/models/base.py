"""`SpikingModel`: what every architecture shares (arch name, config, prediction)."""
from __future__ import annotations

import torch
from torch import nn

from .config import ModelConfig


class SpikingModel(nn.Module):
    """A spiking classifier: input ``[T, B, *input_shape]`` → readout output ``[T, B, num_classes]``.

    `arch` is its name in `snnc.models.ARCHITECTURES` and `config` a plain dict such that
    ``snnc.models.build(model.arch, **model.config)`` rebuilds the same structure.
    The prediction is ``argmax_c mean_t out[t, :, c]``.
    """

    arch = ""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.config = cfg.to_dict()

    @torch.no_grad()
    def predict(self, x: torch.Tensor) -> torch.Tensor:
        """Class predictions ``[B]``: argmax of the mean over T of the output."""
        from snnc.evaluation import predict
        return predict(self(x))
