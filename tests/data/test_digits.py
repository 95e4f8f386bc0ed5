"""The digits dataset: fixed disjoint split, shapes, exact direct encoding, seeded rate encoding."""
import numpy as np
import pytest
import torch

from snnc.data import digits, split_indices
from snnc.errors import ConfigError


def test_split_is_fixed_disjoint_and_complete():
    train, test = split_indices("train"), split_indices("test")
    assert len(np.intersect1d(train, test)) == 0
    assert np.array_equal(np.union1d(train, test), np.arange(1797))
    assert len(test) == 359
    # independent of the seed argument and of the encoding
    a = digits("test", "direct", T=2, seed=0)
    b = digits("test", "rate", T=2, seed=7)
    assert torch.equal(a.y, b.y)


def test_split_is_stratified():
    counts = torch.bincount(digits("test", T=1).y, minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37


@pytest.mark.parametrize("flatten,shape", [(False, (1, 8, 8)), (True, (64,))])
def test_shapes_and_dtypes(flatten, shape):
    d = digits("train", "direct", T=5, flatten=flatten)
    assert d.x.shape == (5, 1438, *shape) and d.x.dtype == torch.float32
    assert d.y.shape == (1438,) and d.y.dtype == torch.int64
    assert d.meta["input_shape"] == list(shape) and d.meta["n"] == 1438 == len(d)


def test_direct_values_are_exact_multiples_of_one_sixteenth():
    d = digits("test", "direct", T=3)
    assert d.meta["input_scale"] == 1 / 16 and d.meta["input_bits"] == 5
    levels = d.x * 16
    assert torch.equal(levels, levels.round())
    assert levels.min() == 0 and levels.max() == 16
    assert torch.equal(d.x[0], d.x[2])  # the same frame at every timestep


def test_rate_encoding_is_seeded_binary_and_tracks_intensity():
    a = digits("train", "rate", T=8, seed=3)
    b = digits("train", "rate", T=8, seed=3)
    c = digits("train", "rate", T=8, seed=4)
    assert torch.equal(a.x, b.x) and not torch.equal(a.x, c.x)
    assert set(a.x.unique().tolist()) <= {0.0, 1.0}
    direct = digits("train", "direct", T=1).x[0]
    assert a.x.mean(0).sub(direct).abs().mean() < 0.2  # firing probability = pixel / 16
    assert float(a.x[:, direct == 0].max()) == 0.0     # black pixels never fire


def test_reshape_subset_and_batches():
    d = digits("test", T=2).reshape((64,))
    assert d.x.shape == (2, 359, 64)
    sub = d.subset([0, 5, 9])
    assert len(sub) == 3 and torch.equal(sub.x[:, 1], d.x[:, 5])
    sizes = [len(y) for _, y in d.batches(100)]
    assert sizes == [100, 100, 100, 59]


def test_bad_arguments_raise_config_error():
    with pytest.raises(ConfigError, match="split"):
        digits("validation")
    with pytest.raises(ConfigError, match="encoding"):
        digits("train", encoding="latency")
    with pytest.raises(ConfigError, match="T"):
        digits("train", T=0)
    with pytest.raises(ConfigError, match="reshape"):
        digits("train", T=1).reshape((63,))
