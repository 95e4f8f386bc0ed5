"""scikit-learn's bundled digits as time-major spike-network input.

Raw data: 1797 images of 8×8 pixels with integer intensities `p ∈ {0 … 16}`
and labels `0 … 9` (`sklearn.datasets.load_digits`, shipped with
scikit-learn, nothing is downloaded).

Split: fixed, stratified, 80/20. For every class `c` the indices of its `n_c`
samples are permuted with `numpy.random.RandomState(SPLIT_SEED)` (the legacy
generator, whose stream NumPy keeps stable) and the first `round(0.2·n_c)`
go to the test split. The split never depends on the training seed, so every
model, benchmark and checkpoint is scored on the same 360 test images.

Encodings (`t = 0 … T-1`):

* ``direct``: `x[t] = p / 16`, the same frame at every timestep. The values are
  exact multiples of 1/16 in [0, 1]: the compiler types the input as
  `uint<5>` with scale `1/16` (`input_bits = 5`, `input_scale = 1/16`).
* ``rate``: `x[t] ~ Bernoulli(p / 16)`, independent over t and pixels, drawn
  from a `torch.Generator` seeded with `seed` (and the split), so the same
  arguments always give the same spikes. The input is binary (`input_bits = 1`,
  `input_scale = 1`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch

from snnc.errors import ConfigError

from .frames import Batched
from .split import SPLITS, stratified

ENCODINGS = ("direct", "rate")
NUM_CLASSES = 10
IMAGE_SHAPE = (1, 8, 8)
PIXEL_MAX = 16


@lru_cache(maxsize=1)
def _raw() -> tuple[np.ndarray, np.ndarray]:
    """Images as uint8 `[1797, 8, 8]` in 0 … 16 and labels int64 `[1797]`."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = np.asarray(bunch.images, dtype=np.uint8)
    labels = np.asarray(bunch.target, dtype=np.int64)
    return images, labels


@lru_cache(maxsize=2)
def split_indices(split: str) -> np.ndarray:
    """Sorted indices (into the 1797 raw samples) of the fixed `split` (`snnc.data.split.stratified`)."""
    _check_choice("split", split, SPLITS)
    return stratified(_raw()[1], split)


@dataclass(frozen=True)
class Digits(Batched):
    """One encoded split: `x [T, N, *shape]` float32, `y [N]` int64, `meta`."""

    x: torch.Tensor
    y: torch.Tensor
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.y.shape[0])

    @property
    def T(self) -> int:
        return int(self.x.shape[0])

    def reshape(self, shape) -> "Digits":
        """The same samples with each frame reshaped to `shape` (e.g. `(64,)`)."""
        shape = tuple(int(s) for s in shape)
        if int(np.prod(shape)) != int(np.prod(self.x.shape[2:])):
            raise ConfigError(
                f"cannot reshape digits frames of shape {tuple(self.x.shape[2:])} to {shape}; "
                f"the model's input_shape must hold {int(np.prod(self.x.shape[2:]))} values"
            )
        meta = dict(self.meta, input_shape=list(shape))
        return Digits(self.x.reshape(self.T, len(self), *shape), self.y, meta)

    def batch(self, index) -> tuple[torch.Tensor, torch.Tensor]:
        """``(x [T, b, *shape], y [b])`` of the samples at `index`."""
        return self.x[:, index], self.y[index]

    def subset(self, index) -> "Digits":
        """The samples at `index` (a slice, list or index tensor), same metadata."""
        index = torch.as_tensor(index, dtype=torch.long) if not isinstance(index, slice) else index
        y = self.y[index]
        return Digits(self.x[:, index], y, dict(self.meta, n=int(y.shape[0])))


def digits(split: str = "train", encoding: str = "direct", T: int = 4, seed: int = 0,
           flatten: bool = False) -> Digits:
    """Encode the fixed `split` of the digits for `T` timesteps.

    Returns a `Digits` with `x [T, N, 1, 8, 8]` (or `[T, N, 64]` when `flatten`),
    float32, `y [N]` int64 and `meta` = {dataset, split, encoding, T, seed, n,
    num_classes, input_shape, input_scale, input_bits}. `seed` only affects the
    rate encoding's spikes, never the split.
    """
    _check_choice("split", split, SPLITS)
    _check_choice("encoding", encoding, ENCODINGS)
    if not isinstance(T, (int, np.integer)) or T < 1:
        raise ConfigError(f"T must be a positive integer number of timesteps, got {T!r}")
    T = int(T)
    images, labels = _raw()
    idx = split_indices(split)
    pixels = torch.from_numpy(images[idx].astype(np.float32))
    prob = (pixels / PIXEL_MAX).reshape(len(idx), *IMAGE_SHAPE)
    if encoding == "direct":
        x = prob.unsqueeze(0).expand(T, *prob.shape).contiguous()
        input_scale, input_bits = 1.0 / PIXEL_MAX, 5
    else:
        gen = torch.Generator().manual_seed(int(seed) * 2 + SPLITS.index(split))
        u = torch.rand((T, *prob.shape), generator=gen)
        x = (u < prob.unsqueeze(0)).to(torch.float32)
        input_scale, input_bits = 1.0, 1
    shape = (int(np.prod(IMAGE_SHAPE)),) if flatten else IMAGE_SHAPE
    x = x.reshape(T, len(idx), *shape)
    meta = {
        "dataset": "digits",
        "split": split,
        "encoding": encoding,
        "T": T,
        "seed": int(seed),
        "n": len(idx),
        "num_classes": NUM_CLASSES,
        "input_shape": list(shape),
        "input_scale": input_scale,
        "input_bits": input_bits,
    }
    return Digits(x, torch.from_numpy(labels[idx].copy()), meta)


def _check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ConfigError(f"unknown {name} {value!r}; choose one of {', '.join(choices)}")
