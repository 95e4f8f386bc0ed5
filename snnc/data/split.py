"""The fixed train/test split of a dataset that ships without one: stratified, 80/20, for every class
`c` its `n_c` sample indices permuted with `numpy.random.RandomState(SPLIT_SEED)` (the legacy
generator, whose stream NumPy keeps stable) and the first `round(0.2·n_c)` taken for the test split.
It never depends on a training seed, so every run is scored on the same test samples."""
from __future__ import annotations

import numpy as np

from snnc.errors import ConfigError

SPLITS = ("train", "test")
SPLIT_SEED = 20240917
TEST_FRACTION = 0.2


def check_split(split: str) -> None:
    if split not in SPLITS:
        raise ConfigError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")


def stratified(labels: np.ndarray, split: str) -> np.ndarray:
    """Sorted indices of `split` among samples with these labels."""
    check_split(split)
    labels = np.asarray(labels)
    rng = np.random.RandomState(SPLIT_SEED)
    test = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        n_test = int(round(TEST_FRACTION * len(members)))
        test.append(members[rng.permutation(len(members))[:n_test]])
    test_idx = np.sort(np.concatenate(test)) if test else np.zeros(0, np.int64)
    return test_idx if split == "test" else np.setdiff1d(np.arange(len(labels)), test_idx)
