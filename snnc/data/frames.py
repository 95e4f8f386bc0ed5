"""`Frames`: one split of a dataset, encoded for T timesteps batch by batch.

A split holds N samples and their labels. Static samples (images) are frames ``[*shape]`` of
integer levels 0 … L with a real step (`input_scale` = 1/L), encoded per batch as

* ``direct``: the same frame ``x[t] = level · step`` at every step (the compiler types the input
  as ``uint<input_bits>`` with that scale);
* ``rate``: ``x[t] ~ Bernoulli(level / L)``, independent over t and pixels, drawn from a generator
  seeded by the split's seed and the batch's first index (the same call gives the same spikes).

Temporal samples (events, spike trains) are already ``[T, *shape]`` 0/1 frames (``events``).
Samples come from a `get(index) -> [b, *shape]` (or ``[b, T, *shape]``) callable, so a large
dataset is read or binned only for the batch at hand.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Iterator

import numpy as np
import torch

from snnc.errors import ConfigError

ENCODINGS = ("direct", "rate", "events")


class Batched:
    """`batches` for a split that has `batch(index)` and a length."""

    def batches(self, batch_size: int, order: torch.Tensor | None = None
                ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Yield `(x [T, b, *shape], y [b])` in `order` (default: as stored)."""
        if batch_size < 1:
            raise ConfigError(f"batch_size must be ≥ 1, got {batch_size}")
        order = torch.arange(len(self)) if order is None else order
        for start in range(0, len(order), batch_size):
            yield self.batch(order[start:start + batch_size])


@dataclass(frozen=True)
class Frames(Batched):
    get: Callable[[np.ndarray], torch.Tensor]    # sample indices → uint8/float frames [b, *shape] or [b, T, *shape]
    y: torch.Tensor                               # [N] int64
    T: int
    encoding: str
    levels: int                                   # L: frame values are 0 … L (1 for spikes)
    meta: dict = field(default_factory=dict)
    shape: tuple[int, ...] | None = None          # per-step shape the model takes (None: as stored)
    seed: int = 0

    def __post_init__(self):
        if self.encoding not in ENCODINGS:
            raise ConfigError(f"unknown encoding {self.encoding!r}; choose one of {', '.join(ENCODINGS)}")
        temporal = self.meta.get("temporal", False)
        if temporal != (self.encoding == "events"):
            want = "events" if temporal else "direct or rate"
            raise ConfigError(f"the {self.meta.get('dataset', 'dataset')} data is "
                              f"{'a spike train per sample' if temporal else 'one frame per sample'}: "
                              f"use encoding {want}, not {self.encoding!r}")

    def __len__(self) -> int:
        return int(self.y.shape[0])

    def batch(self, index) -> tuple[torch.Tensor, torch.Tensor]:
        """``(x [T, b, *shape] float32, y [b])`` of the samples at `index`."""
        idx = np.asarray(torch.as_tensor(index, dtype=torch.long).reshape(-1))
        raw = torch.as_tensor(self.get(idx))
        b = len(idx)
        if self.encoding == "events":
            if raw.shape[1] != self.T:
                raise ConfigError(f"the event frames have {raw.shape[1]} steps but the model takes T = {self.T}")
            x = raw.to(torch.float32).transpose(0, 1)
        else:
            value = raw.to(torch.float32) / self.levels
            if self.encoding == "direct":
                x = value.unsqueeze(0).expand(self.T, *value.shape)
            else:
                start = int(idx[0]) if b else 0
                gen = torch.Generator().manual_seed(int(self.seed) * 1_000_003 + start)
                x = (torch.rand((self.T, *value.shape), generator=gen) < value.unsqueeze(0)).to(torch.float32)
        shape = self.shape or tuple(x.shape[2:])
        return x.reshape(self.T, b, *shape), self.y[torch.as_tensor(idx, dtype=torch.long)]

    @property
    def x(self) -> torch.Tensor:
        """Every sample encoded, ``[T, N, *shape]`` (for evaluation on a split that fits in memory)."""
        return torch.cat([x for x, _ in self.batches(1024)], dim=1)

    def reshape(self, shape) -> "Frames":
        shape = tuple(int(s) for s in shape)
        have = int(np.prod(self.meta["input_shape"]))
        if int(np.prod(shape)) != have:
            raise ConfigError(f"cannot reshape {self.meta.get('dataset')} frames of shape "
                              f"{tuple(self.meta['input_shape'])} to {shape}; the model's input_shape must hold "
                              f"{have} values")
        return replace(self, shape=shape, meta=dict(self.meta, input_shape=list(shape)))

    def with_seed(self, seed: int) -> "Frames":
        """The same split with another seed (fresh rate spikes)."""
        return replace(self, seed=int(seed))

    def subset(self, index) -> "Frames":
        idx = np.asarray(torch.as_tensor(index, dtype=torch.long).reshape(-1))
        get = self.get
        return replace(self, get=lambda i: get(idx[i]), y=self.y[torch.as_tensor(idx)],
                       meta=dict(self.meta, n=len(idx)))


def from_arrays(frames: np.ndarray, labels: np.ndarray, *, T: int, encoding: str, levels: int, meta: dict,
                seed: int = 0) -> Frames:
    """A split held in memory: `frames` [N, *shape] (or [N, T, *shape]) of levels 0 … `levels`."""
    frames = np.ascontiguousarray(frames)
    data = torch.from_numpy(frames if frames.flags.writeable else frames.copy())
    return Frames(get=lambda idx: data[torch.as_tensor(idx, dtype=torch.long)],
                  y=torch.from_numpy(np.asarray(labels, dtype=np.int64)), T=int(T), encoding=encoding,
                  levels=int(levels), meta=meta, seed=seed)
