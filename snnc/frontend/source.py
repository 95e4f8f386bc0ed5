"""`load_source(source, example=None)`: whatever the user hands the compiler → an IR graph.

* an ``snnc.ir.Graph`` — returned as it is;
* an ``nn.Module`` — traced; without `example`, on zeros ``[T, 1, *input_shape]``
  with T and input_shape from its ``metadata`` or ``config``;
* a checkpoint path (``.pt`` / ``.pth``) — loaded safely with `snnc.checkpoint.load`
  (its metadata types the input), then traced; the graph's ``source`` is the file name;
* a ``.snnir`` path (with its ``.npz``) — read with `snnc.ir.load`;
* a ``.nir`` path (NIR from any framework) — imported with `nir_import.read`. This is
  the one place that dispatches on the ``.nir`` suffix.

A missing file is a `CheckpointError`, an unknown suffix or object an
`UnsupportedError`; both name the path and the accepted kinds.
"""
from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from snnc.errors import CheckpointError, ConfigError, UnsupportedError
from snnc.ir import Graph

from .trace import trace

CHECKPOINT_SUFFIXES = (".pt", ".pth")
IR_SUFFIXES = (".snnir", ".nir")
KINDS = "an nn.Module, an snnc checkpoint (.pt), an IR file (.snnir or .nir) or an snnc.ir.Graph"


def load_source(source, example=None, max_params: int | None = None) -> Graph:
    """The IR graph of `source` (see the module docstring); `max_params` bounds a checkpoint's size
    (`snnc.checkpoint.load`)."""
    if isinstance(source, Graph):
        return source
    if isinstance(source, nn.Module):
        return trace(source, default_example(source) if example is None else example)
    if not isinstance(source, (str, os.PathLike)):
        raise UnsupportedError(f"cannot compile a {type(source).__name__}; give {KINDS}")
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix not in CHECKPOINT_SUFFIXES + IR_SUFFIXES:
        raise UnsupportedError(f"{path}: unknown file type {suffix or '(no suffix)'!r}; give {KINDS}")
    if not path.is_file():
        raise CheckpointError(f"model file not found: {path}" + ("" if path.parent.is_dir() else
                              f" (the folder {path.parent} does not exist either)"))
    if suffix == ".nir":
        from .nir_import import read
        return read(path)
    if suffix == ".snnir":
        from snnc.ir import load
        return load(path)
    from snnc.checkpoint import load as load_checkpoint
    model = load_checkpoint(path, max_params=max_params)
    graph = trace(model, default_example(model) if example is None else example)
    graph.attrs["source"] = path.name
    return graph


def default_example(model: nn.Module) -> torch.Tensor:
    """Zeros ``[T, 1, *input_shape]`` with T and input_shape from the model's metadata or config."""
    info: dict = {}
    for holder in (getattr(model, "config", None), getattr(model, "metadata", None)):
        if isinstance(holder, dict):
            info.update({k: holder[k] for k in ("T", "input_shape") if holder.get(k) is not None})
    if "T" not in info or "input_shape" not in info:
        raise ConfigError(f"cannot make an example input for {type(model).__name__}: it records no T and "
                          f"input_shape (in .config or .metadata); pass example=<tensor [T, B, *input_shape]>")
    try:
        shape = [int(info["T"]), 1, *(int(d) for d in info["input_shape"])]
    except (TypeError, ValueError):
        raise ConfigError(f"the model records T={info['T']!r}, input_shape={info['input_shape']!r}; expected "
                          f"integers") from None
    return torch.zeros(shape)
