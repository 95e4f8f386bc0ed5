"""Training of spiking networks on digits: full precision, quantization-aware
(TaWQ, mTaWQ, ternary, LSQ), ternarization-aware distillation, attention
distillation, post-training quantization, and predictive uncertainty.

* `train(arch, method=…, epochs=…, seed=…, **config) -> (model, history)` —
  `snnc.train.loop`; the losses are in `snnc.train.losses`.
* `uncertainty(model, data, passes=…) -> float` — mean normalized predictive
  entropy over Monte-Carlo passes (`snnc.train.predictive`).
* `snnc.train.cli` — the `snnc train` subcommand; `python -m snnc.train` runs
  it alone (e.g. under `torchrun --nproc_per_node=2 -m snnc.train …`).

Attributes are imported lazily so that the CLI can build its parser without
importing torch.
"""
from importlib import import_module

from .methods import DEFAULT_QUANT, METHODS

_LAZY = {
    "train": ("snnc.train.loop", "train"),
    "uncertainty": ("snnc.train.predictive", "uncertainty"),
}

__all__ = ["DEFAULT_QUANT", "METHODS", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'snnc.train' has no attribute {name!r}")
