"""The train and test splits of a training run, from whatever the user hands `train(data=…)`:

* a dataset spec string (`snnc.data.spec`: "digits", "npz:PATH", "cifar10:ROOT", "events:PATH" …);
* a pair ``(train, test)`` of `snnc.data.Frames`, or of torch ``Dataset`` / ``DataLoader`` objects whose
  items are ``(x, label)`` with x a frame ``[*shape]`` of values in [0, 1] (images; rounded to 8-bit
  levels, as every image dataset is, so that the compiled model sees what it was trained on) or a
  spike train ``[T, *shape]`` of 0/1 (then the encoding is events).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from snnc.errors import ConfigError, DataError


@dataclass
class Splits:
    source: object            # a spec string, or (train, test) Frames
    encoding: str

    @classmethod
    def of(cls, data, encoding: str | None, config: dict, seed: int) -> "Splits":
        from snnc.data import Frames, default_encoding

        if isinstance(data, str):
            return cls(data, encoding or default_encoding(data))
        if not (isinstance(data, (tuple, list)) and len(data) == 2):
            raise ConfigError("data must be a dataset spec (digits, npz:PATH, cifar10:ROOT …) or a pair "
                              f"(train, test) of snnc.data.Frames or torch Datasets; got {type(data).__name__}")
        T = int(config.get("T") or 4)
        pair = tuple(d if isinstance(d, Frames) else from_torch(d, T, encoding, split)
                     for d, split in zip(data, ("train", "test")))
        return cls(pair, encoding or pair[0].encoding)

    def model_config(self, config: dict) -> dict:
        """`config` with the data's input_shape and num_classes where it gives none (digits: the
        architectures' own defaults are digits')."""
        if self.source == "digits":
            return config
        meta = self._peek().meta
        if "num_classes" in config and int(config["num_classes"]) < int(meta["num_classes"]):
            raise ConfigError(f"the data has {meta['num_classes']} classes but the model is given num_classes="
                              f"{config['num_classes']}")
        out = dict(config)
        out.setdefault("input_shape", meta["input_shape"])
        out.setdefault("num_classes", meta["num_classes"])
        return out

    def split(self, name: str, T: int, input_shape, seed: int | None = None):
        from snnc.data import load

        if isinstance(self.source, str):
            data = load(self.source, name, T=T, encoding=self.encoding, seed=0 if seed is None else seed)
        else:
            data = self.source[0 if name == "train" else 1]
            if data.T != T:
                raise ConfigError(f"the {name} data is encoded for T = {data.T} but the model takes T = {T}")
            if seed is not None:
                data = data.with_seed(seed)
        return data.reshape(input_shape)

    def _peek(self):
        if isinstance(self.source, str):
            from snnc.data import load
            return load(self.source, "test", T=1, encoding=self.encoding)
        return self.source[1]


def from_torch(dataset, T: int, encoding: str | None, split: str):
    """A torch Dataset (or a DataLoader's dataset) as `Frames` (module docstring)."""
    from snnc.data import Frames

    dataset = getattr(dataset, "dataset", dataset)
    if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
        raise ConfigError(f"the {split} data is a {type(dataset).__name__}; give a torch Dataset with "
                          f"__getitem__ and __len__ (or a DataLoader over one)")
    n = len(dataset)
    if n < 1:
        raise DataError(f"the {split} dataset is empty")
    first = torch.as_tensor(dataset[0][0])
    temporal = encoding == "events" or (encoding is None and first.ndim >= 2 and first.shape[0] == T
                                        and bool(((first == 0) | (first == 1)).all()))
    labels = torch.tensor([int(dataset[i][1]) for i in range(n)], dtype=torch.long)

    def get(idx):
        xs = [torch.as_tensor(dataset[int(i)][0]).to(torch.float32) for i in idx]
        x = torch.stack(xs)
        if temporal:
            if not bool(((x == 0) | (x == 1)).all()):
                raise DataError(f"the {split} dataset's spike trains must hold 0/1 values")
            return x
        if not bool(torch.isfinite(x).all()) or (x.numel() and (float(x.min()) < 0 or float(x.max()) > 1)):
            raise DataError(f"the {split} dataset's frames must hold values in [0, 1] (normalize after, "
                            f"in the model, not in the dataset)")
        return torch.round(x * 255).to(torch.uint8)

    shape = list(first.shape[1:] if temporal else first.shape)
    classes = int(labels.max()) + 1
    meta = {"dataset": f"torch:{type(dataset).__name__}", "split": split, "n": n, "num_classes": classes,
            "input_shape": shape, "temporal": temporal, "input_scale": 1.0 if temporal else 1.0 / 255,
            "input_bits": 1 if temporal else 8, "T": T}
    enc = "events" if temporal else (encoding or "direct")
    if not temporal and enc == "rate":
        meta.update(input_scale=1.0, input_bits=1)
    meta["encoding"] = enc
    return Frames(get=get, y=labels, T=T, encoding=enc, levels=1 if temporal else 255, meta=meta)
