"""snnc — a compiler for quantized spiking neural networks.

Public API (imported lazily so that `import snnc.ir` and `snnc --help` do not
pay for importing torch):

* `snnc.save(model, path)` / `snnc.load(path)` — self-describing checkpoints,
  loaded with `torch.load(weights_only=True)` only.
* `snnc.evaluate(model_or_path, split="test")` — accuracy on digits.
* `snnc.trace(model, example)` — a torch.fx trace into the IR (`snnc.ir.Graph`).
* `snnc.compile(source, target="reference", out_dir=None, **options)` — an object
  with `run(x)`, `input_shape`, `timesteps`, the graph and its artifacts.
"""
from importlib import import_module

from .version import VERSION as __version__

_LAZY = {
    "save": ("snnc.checkpoint", "save"),
    "load": ("snnc.checkpoint", "load"),
    "evaluate": ("snnc.checkpoint", "evaluate"),
    "trace": ("snnc.frontend", "trace"),
    "compile": ("snnc.compiler", "compile"),
    "build": ("snnc.models", "build"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'snnc' has no attribute {name!r}")
