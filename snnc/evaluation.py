"""Data for a compiled graph, and accuracy of its outputs (shared by `verify` and `report`)."""
from __future__ import annotations

import numpy as np


def dataset_input(compiled, split: str = "test", spec: str = "digits") -> tuple[np.ndarray, np.ndarray]:
    """The `split` of the dataset `spec` (`snnc.data.spec`: digits, npz:PATH, cifar10:ROOT …) encoded as
    the model was trained (graph attributes `encoding`, `timesteps`), shaped `[T, N, *input_shape]`,
    and its labels."""
    from snnc.data import load

    attrs = compiled.float_graph.attrs
    T = require_timesteps(compiled)
    encoding = attrs.get("encoding")
    data = load(spec, split, T=T, encoding=str(encoding) if encoding in ("direct", "rate", "events") else None)
    shape = tuple(compiled.float_graph.inputs[0].type.shape)
    data = data.reshape(shape)
    x = data.x.numpy() if hasattr(data.x, "numpy") else np.asarray(data.x)
    y = data.y.numpy() if hasattr(data.y, "numpy") else np.asarray(data.y)
    return x.reshape(x.shape[0], x.shape[1], *shape), y


def predict(outputs):
    """Class predictions ``[B]`` of time-major outputs ``[T, B, C]``: argmax over C of the mean over T.

    Works on NumPy arrays and torch tensors alike (the one place this rule is written)."""
    if hasattr(outputs, "detach"):
        return outputs.mean(0).argmax(-1)
    return np.asarray(outputs, dtype=np.float64).mean(axis=0).argmax(axis=-1)


def accuracy(outputs, labels) -> float:
    """Fraction of samples whose prediction (`predict`) equals the label."""
    return float((predict(outputs) == np.asarray(labels)).mean())


def random_input(node, T: int, B: int, seed: int = 0) -> np.ndarray:
    """Real-valued random data of the input's kind: 0/1 spikes, multiples of the scale, or floats."""
    rng = np.random.default_rng(seed)
    shape = (T, B, *node.type.shape)
    dt = node.type.dtype
    if dt.kind == "spike":
        return (rng.random(shape) < 0.3).astype(np.float32)
    if dt.is_integer:
        lo, hi = dt.range()
        return (rng.integers(lo, hi + 1, size=shape) * node.attrs.get("scale", 1.0)).astype(np.float32)
    return rng.random(shape).astype(np.float32)


def require_timesteps(compiled) -> int:
    """The compiled model's number of timesteps, or a ConfigError naming the flag that gives it."""
    from snnc.errors import ConfigError

    if compiled.timesteps is None:
        raise ConfigError("the model does not record its number of timesteps: compile it again with "
                          "-T/--timesteps T")
    return compiled.timesteps
