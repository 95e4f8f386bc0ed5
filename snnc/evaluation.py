"""Data for a compiled graph, and accuracy of its outputs (shared by `verify` and `report`)."""
from __future__ import annotations

import numpy as np


def dataset_input(compiled, split: str = "test") -> tuple[np.ndarray, np.ndarray]:
    """The digits split encoded as the model was trained (graph attributes `encoding`, `timesteps`),
    shaped `[T, N, *input_shape]`, and its labels."""
    from snnc.data import digits

    attrs = compiled.float_graph.attrs
    T = compiled.timesteps or 4
    data = digits(split, encoding=str(attrs.get("encoding", "direct")), T=T)
    x = data.x.numpy() if hasattr(data.x, "numpy") else np.asarray(data.x)
    x = x.reshape(x.shape[0], x.shape[1], *compiled.float_graph.inputs[0].type.shape)
    y = data.y.numpy() if hasattr(data.y, "numpy") else np.asarray(data.y)
    return x, y


def accuracy(outputs, labels) -> float:
    """Fraction of samples whose argmax of the mean over T equals the label."""
    out = np.asarray(outputs, dtype=np.float64)
    return float((out.mean(axis=0).argmax(axis=-1) == np.asarray(labels)).mean())
