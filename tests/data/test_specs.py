"""Dataset specs: each format written here as small files in its standard layout, loaded, and trained on
for a couple of steps; wrong paths, formats and shapes are one clear error naming the file."""
import gzip
import pickle

import numpy as np
import pytest
import torch

from snnc.data import load, parse
from snnc.errors import DataError
from snnc.train import train

RNG = np.random.default_rng(0)
TINY = dict(epochs=1, batch_size=16, verbose=False, T=2)


def images(n, shape=(1, 8, 8), classes=3):
    return RNG.integers(0, 256, size=(n, *shape), dtype=np.uint8), np.arange(n) % classes


def write_npz(path, n=40, **extra):
    x, y = images(n)
    np.savez(path, x=x, y=y, **extra)
    return x, y


def write_folder(root, n=30, size=(6, 5), mode="L"):
    from PIL import Image
    for i in range(n):
        d = root / f"class_{i % 3}"
        d.mkdir(parents=True, exist_ok=True)
        shape = size[::-1] if mode == "L" else (size[1], size[0], 3)
        Image.fromarray(RNG.integers(0, 256, size=shape, dtype=np.uint8), mode).save(d / f"{i}.png")


def write_cifar_bin(root, n=20):
    d = root / "cifar-10-batches-bin"
    d.mkdir(parents=True)
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        rec = np.concatenate([np.arange(n, dtype=np.uint8)[:, None] % 10,
                              RNG.integers(0, 256, (n, 3072), dtype=np.uint8)], axis=1)
        (d / name).write_bytes(rec.tobytes())


def write_cifar_py(root, n=20):
    d = root / "cifar-100-python"
    d.mkdir(parents=True)
    for name in ("train", "test"):
        batch = {b"data": RNG.integers(0, 256, (n, 3072), dtype=np.uint8), b"fine_labels": list(range(n)),
                 b"coarse_labels": [0] * n}
        (d / name).write_bytes(pickle.dumps(batch, protocol=2))


def idx_bytes(a):
    return bytes([0, 0, 8, a.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in a.shape) + a.tobytes()


def write_mnist(root, n=30, gz=True):
    d = root / "MNIST" / "raw"
    d.mkdir(parents=True)
    for prefix in ("train", "t10k"):
        x = RNG.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        y = (np.arange(n) % 10).astype(np.uint8)
        for name, a in ((f"{prefix}-images-idx3-ubyte", x), (f"{prefix}-labels-idx1-ubyte", y)):
            if gz:
                with gzip.open(d / (name + ".gz"), "wb") as f:
                    f.write(idx_bytes(a))
            else:
                (d / name).write_bytes(idx_bytes(a))


def write_events(root, n=12, size=(10, 12)):
    for split in ("train", "test"):
        for i in range(n):
            d = root / split / f"c{i % 2}"
            d.mkdir(parents=True, exist_ok=True)
            m = int(RNG.integers(20, 60))
            np.savez(d / f"{i}.npz", t=np.sort(RNG.integers(0, 10_000, m)), x=RNG.integers(0, size[1], m),
                     y=RNG.integers(0, size[0], m), p=RNG.integers(0, 2, m))


def write_shd(root, n=12):
    import h5py
    for split in ("train", "test"):
        with h5py.File(root / f"shd_{split}.h5", "w") as f:
            vf, vi = h5py.vlen_dtype(np.float64), h5py.vlen_dtype(np.int64)
            times = f.create_dataset("spikes/times", (n,), dtype=vf)
            units = f.create_dataset("spikes/units", (n,), dtype=vi)
            for i in range(n):
                m = int(RNG.integers(5, 40))
                times[i] = np.sort(RNG.uniform(0, 1.2, m))
                units[i] = RNG.integers(0, 700, m)
            f["labels"] = np.arange(n) % 20


def test_npz_direct_keeps_the_levels_and_splits_once(tmp_path):
    x, y = write_npz(tmp_path / "d.npz")
    train_ = load(f"npz:{tmp_path / 'd.npz'}", "train", T=3)
    test = load(f"npz:{tmp_path / 'd.npz'}", "test", T=3)
    assert len(train_) + len(test) == 40 and len(test) == 9            # 3 classes: round(0.2·14) + 2·round(0.2·13)
    xb, yb = train_.batch(np.arange(4))
    assert xb.shape == (3, 4, 1, 8, 8) and torch.equal(xb[0], xb[2])
    assert torch.equal(torch.round(xb[0] * 255).to(torch.uint8), torch.from_numpy(x[np.setdiff1d(
        np.arange(40), _test_idx(y))][:4]))
    assert train_.meta["input_scale"] == 1 / 255 and train_.meta["input_bits"] == 8


def _test_idx(y):
    from snnc.data.split import stratified
    return stratified(y, "test")


def test_rate_spikes_are_deterministic_and_binary(tmp_path):
    write_npz(tmp_path / "d.npz")
    a = load(f"npz:{tmp_path / 'd.npz'}", "train", T=4, encoding="rate", seed=1)
    x1, _ = a.batch(np.arange(8))
    x2, _ = a.batch(np.arange(8))
    assert torch.equal(x1, x2) and set(x1.unique().tolist()) <= {0.0, 1.0}
    assert not torch.equal(x1, a.with_seed(2).batch(np.arange(8))[0])


@pytest.mark.parametrize("kind", ["npz", "folder", "cifar10", "cifar100", "mnist", "events", "shd"])
def test_each_spec_trains_two_steps(tmp_path, kind):
    writers = {"npz": lambda: write_npz(tmp_path / "d.npz"), "folder": lambda: write_folder(tmp_path / "f"),
               "cifar10": lambda: write_cifar_bin(tmp_path), "cifar100": lambda: write_cifar_py(tmp_path),
               "mnist": lambda: write_mnist(tmp_path), "events": lambda: write_events(tmp_path / "ev"),
               "shd": lambda: write_shd(tmp_path)}
    spec = {"npz": f"npz:{tmp_path / 'd.npz'}", "folder": f"folder:{tmp_path / 'f'}"}.get(
        kind, f"events:{tmp_path / 'ev'}" if kind == "events" else f"{kind}:{tmp_path}")
    writers[kind]()
    model, history = train("mlp", "fp", data=spec, hidden=[16], **TINY)
    meta = model.metadata
    assert meta["dataset"].startswith(kind) and len(history) == 1 and np.isfinite(history[0]["loss"])
    expect = {"npz": [1, 8, 8], "folder": [1, 5, 6], "cifar10": [3, 32, 32], "cifar100": [3, 32, 32],
              "mnist": [1, 28, 28], "events": [2, 10, 12], "shd": [700]}[kind]
    assert list(model.config["input_shape"]) == expect and meta["input_shape"] == expect
    assert meta["encoding"] == ("events" if kind in ("events", "shd") else "direct")
    assert meta["num_classes"] == model.config["num_classes"]


def test_event_binning_counts_every_event_once():
    from snnc.data.events import bin_events
    ev = {"t": np.arange(10), "x": np.arange(10) % 4, "y": np.zeros(10, int), "p": np.ones(10, int)}
    frames = bin_events(ev, 3, (1, 4))                     # slices of 4, 3, 3 events
    assert frames.shape == (3, 2, 1, 4) and frames[:, 0].sum() == 0
    assert frames[0, 1, 0].tolist() == [1, 1, 1, 1] and frames[1, 1, 0].tolist() == [1, 1, 1, 0]


def test_torch_datasets_train_too():
    class Squares(torch.utils.data.Dataset):
        def __len__(self):
            return 24

        def __getitem__(self, i):
            return torch.full((1, 4, 4), (i % 4) / 4), i % 2

    model, _ = train("mlp", "fp", data=(Squares(), torch.utils.data.DataLoader(Squares())), hidden=[8], **TINY)
    assert list(model.config["input_shape"]) == [1, 4, 4] and model.metadata["dataset"] == "torch:Squares"


@pytest.mark.parametrize("make, spec, message", [
    (lambda p: None, "npz:{p}/missing.npz", "missing.npz does not exist"),
    (lambda p: np.savez(p / "a.npz", images=np.zeros((2, 3))), "npz:{p}/a.npz", "needs x"),
    (lambda p: np.savez(p / "a.npz", x=np.zeros((4, 3)), y=np.zeros(3, int)), "npz:{p}/a.npz", "labels for the N = 4"),
    (lambda p: np.savez(p / "a.npz", x=np.full((4, 3), 2.5), y=np.zeros(4, int)), "npz:{p}/a.npz", "outside"),
    (lambda p: (p / "a.npz").write_bytes(b"not a zip"), "npz:{p}/a.npz", "cannot read"),
    (lambda p: None, "cifar10:{p}", "no cifar10 files"),
    (lambda p: None, "mnist:{p}", "no mnist IDX files"),
    (lambda p: None, "imagenet:{p}", "unknown dataset"),
    (lambda p: None, "npz:", "needs a path"),
    (lambda p: None, "shd:{p}", "shd_train.h5 does not exist"),
])
def test_bad_data_is_one_clear_error(tmp_path, make, spec, message):
    make(tmp_path)
    with pytest.raises(DataError, match=message) as e:
        load(spec.format(p=tmp_path), "train", T=2)
    assert "\n" not in str(e.value)


def test_a_malicious_cifar_pickle_is_not_executed(tmp_path):
    d = tmp_path / "cifar-10-batches-py"
    d.mkdir()

    class Evil:
        def __reduce__(self):
            return (open, (str(tmp_path / "pwned"), "w"))

    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (d / name).write_bytes(pickle.dumps({b"data": Evil(), b"labels": [0]}))
    with pytest.raises(DataError, match="not a CIFAR Python batch"):
        load(f"cifar10:{tmp_path}", "train", T=1)
    assert not (tmp_path / "pwned").exists()


def test_bad_idx_header_and_mixed_image_sizes(tmp_path):
    write_mnist(tmp_path, gz=False)
    f = tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte"
    f.write_bytes(f.read_bytes()[:-5])
    with pytest.raises(DataError, match="the header says"):
        load(f"mnist:{tmp_path}", "train", T=1)
    write_folder(tmp_path / "f", n=6)
    write_folder(tmp_path / "f" / "class_0", n=0)
    from PIL import Image
    Image.fromarray(np.zeros((9, 9), np.uint8)).save(tmp_path / "f" / "class_1" / "odd.png")
    with pytest.raises(DataError, match="odd.png is 9×9"):
        load(f"folder:{tmp_path / 'f'}", "train", T=1)


def test_parse():
    assert parse("digits") == ("digits", None) and parse("CIFAR10:/x")[0] == "cifar10"
    with pytest.raises(DataError, match="embedded"):
        parse("digits:/x")
