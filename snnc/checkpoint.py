"""Self-describing, safe checkpoints and their evaluation on digits.

A checkpoint is one `torch.save` file holding a plain dict::

    {"format": "snnc-checkpoint", "version": 1,
     "arch": str,            # a key of snnc.models.ARCHITECTURES or PRESETS
     "config": dict,         # build(arch, **config) rebuilds the module
     "state_dict": {name: tensor},
     "checksum": "sha256:…", # over the state dict: names, dtypes, shapes, bytes
     "metadata": dict}       # method, seed, epochs, accuracy, dataset, encoding, T,
                             # input_shape, input_scale, input_bits …

It is read back with `torch.load(path, weights_only=True)` and nothing else:
the restricted unpickler accepts only tensors and plain containers, so a
checkpoint never executes code. Everything that can go wrong with a file (it is
missing, truncated, corrupted, holds arbitrary pickled objects, names an
unknown architecture, or carries weights that do not fit) raises
`snnc.errors.CheckpointError` with a one-line message.

A checkpoint is untrusted input: every field is type-checked, the config is
bounded by its dataclass (`snnc.models.config`), the model is first built on
PyTorch's ``meta`` device (no memory) so that the state dict's names and shapes
are compared with what the config describes, and the parameter count is held to
a budget (`MAX_PARAMS`, overridable: ``load(path, max_params=…)``, the CLI's
``--max-params``) before any real tensor is allocated. Weights must be finite.
"""
from __future__ import annotations

import hashlib
import math
import os
import pickle
import re
import warnings
import zipfile
from pathlib import Path

import numpy as np
import torch

from snnc.errors import CheckpointError, ConfigError
from snnc.evaluation import predict

FORMAT = "snnc-checkpoint"
VERSION = 1
_KEYS = ("format", "version", "arch", "config", "state_dict", "checksum", "metadata")
MAX_PARAMS = 1 << 28          # parameters and buffers of one model (elements), unless max_params=…


def save(model: torch.nn.Module, path, metadata: dict | None = None) -> Path:
    """Write `model` (which has `.arch` and `.config`) to `path`; return the path.

    `metadata` (default: the model's own `.metadata`, if any) must hold plain
    data (str, int, float, bool, None, lists, tuples, dicts); NumPy scalars
    and arrays are converted. The file is written atomically.
    """
    arch, config = getattr(model, "arch", None), getattr(model, "config", None)
    if not isinstance(arch, str) or not isinstance(config, dict):
        raise CheckpointError(
            f"cannot save a {type(model).__name__}: it has no `.arch` name and `.config` dict; "
            "build it with snnc.models.build(arch, **config)"
        )
    if metadata is None:
        metadata = getattr(model, "metadata", None) or {}
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "arch": arch,
        "config": _plain(config, "config"),
        "state_dict": state,
        "checksum": checksum(state),
        "metadata": _plain(dict(metadata), "metadata"),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)
    return path


def read(path) -> dict:
    """The checked payload dict of the checkpoint at `path`, without building a model."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(
            f"checkpoint not found: {path}; give the path of a file written by snnc.save "
            "(examples/checkpoints/ has ready-made ones)"
        )
    with warnings.catch_warnings(record=True) as caught:     # torch's warnings become part of the message
        warnings.simplefilter("always")
        try:
            payload = torch.load(path, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as exc:
            unsafe = [ln.strip() for ln in str(exc).splitlines() if "GLOBAL" in ln]
            if unsafe:
                raise CheckpointError(
                    f"refused to load {path}: it pickles Python objects that could run code "
                    f"({unsafe[0]}); only files written by snnc.save are accepted"
                ) from None
            protocol = next((m.group(1) for w in caught
                             if (m := re.search(r"pickle protocol (\d+)", str(w.message)))), None)
            why = (f" (it was pickled with protocol {protocol}, which torch.load(weights_only=True) does not "
                   "read)") if protocol else ""
            raise CheckpointError(
                f"cannot read {path}: it is not a torch checkpoint or it is corrupted{why}; "
                "re-create it with snnc.save"
            ) from None
        except (RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile, KeyError, TypeError,
                IndexError, AttributeError, RecursionError, MemoryError) as exc:
            raise CheckpointError(
                f"cannot read {path}: the file is truncated or corrupted ({_first_line(exc)}); "
                "re-create it with snnc.save"
            ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(
            f"{path} is not an snnc checkpoint (no format={FORMAT!r} entry); "
            "re-save the model with snnc.save(model, path)"
        )
    if payload.get("version") != VERSION:
        raise CheckpointError(
            f"{path} has checkpoint version {payload.get('version')!r}, this snnc reads version "
            f"{VERSION}; use the snnc release that wrote it or re-save the model"
        )
    missing = [k for k in _KEYS if k not in payload]
    kinds = {"arch": str, "config": dict, "state_dict": dict, "checksum": str, "metadata": dict}
    malformed = [k for k, kind in kinds.items() if k in payload and not isinstance(payload[k], kind)]
    malformed += [f"{k} keys" for k in ("config", "state_dict", "metadata")
                  if isinstance(payload.get(k), dict) and any(not isinstance(key, str) for key in payload[k])]
    if missing or malformed:
        what = [f"missing {k}" for k in missing] + [
            f"{k} is a {type(payload[k]).__name__}, not a {kinds[k].__name__}" if k in kinds else f"{k} are not strings"
            for k in malformed]
        raise CheckpointError(
            f"{path} is an incomplete or malformed snnc checkpoint ({'; '.join(what)}); re-create it with snnc.save"
        )
    if payload["checksum"] != checksum(payload["state_dict"]):
        raise CheckpointError(
            f"{path} is corrupted: its weights do not match the checksum written with them; "
            "re-create it with snnc.save"
        )
    return payload


def checksum(state_dict: dict) -> str:
    """`sha256:<hex>` over the names, dtypes, shapes and bytes of `state_dict`'s tensors."""
    digest = hashlib.sha256()
    for name in sorted(state_dict):
        tensor = state_dict[name]
        if not isinstance(tensor, torch.Tensor):
            raise CheckpointError(f"state dict entry {name!r} is a {type(tensor).__name__}, not a tensor")
        tensor = tensor.detach().cpu().contiguous()
        digest.update(f"{name}|{tensor.dtype}|{tuple(tensor.shape)}|".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return "sha256:" + digest.hexdigest()


def load(path, *, max_params: int | None = None) -> torch.nn.Module:
    """Rebuild the model saved at `path`, in eval mode, with `.metadata` attached.

    The model is built only after its config was checked and its state dict compared with the
    config on the meta device; `max_params` (default `MAX_PARAMS`) bounds its size."""
    payload = read(path)
    from snnc import models

    arch = payload["arch"]
    if arch not in models.ARCHITECTURES and arch not in models.PRESETS:
        raise CheckpointError(
            f"{path} names the unknown architecture {arch[:80]!r}; known: "
            f"{', '.join(sorted([*models.ARCHITECTURES, *models.PRESETS]))} (was it written by a newer snnc?)"
        )
    budget = MAX_PARAMS if max_params is None else max_params
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise ConfigError(f"max_params={max_params!r}: give a positive number of parameters")
    state = payload["state_dict"]
    _check_size(path, sum(t.numel() for t in state.values()), budget, "its state dict holds")
    with torch.device("meta"):
        skeleton = _build(path, arch, payload["config"])
    _check_size(path, sum(t.numel() for t in skeleton.state_dict().values()), budget, "its config describes")
    _check_shapes(path, arch, skeleton.state_dict(), state)
    for name, t in state.items():
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise CheckpointError(f"{path}: weight {name!r} holds NaN or infinity; fix the training run that "
                                  "wrote it (every weight must be a finite number)")
    model = _build(path, arch, payload["config"])
    try:
        model.load_state_dict(payload["state_dict"], strict=True)
    except RuntimeError as exc:
        raise CheckpointError(
            f"{path}: the weights do not fit the {arch!r} model its config describes "
            f"({_state_dict_mismatch(exc)}); re-save the model with snnc.save"
        ) from None
    model.eval()
    model.metadata = dict(payload["metadata"])
    return model


def _build(path, arch: str, config: dict) -> torch.nn.Module:
    from snnc import models

    try:
        return models.build(arch, **config)
    except (TypeError, ValueError, KeyError, ConfigError, OverflowError, RuntimeError, AttributeError,
            NotImplementedError, RecursionError) as exc:
        raise CheckpointError(
            f"{path}: cannot rebuild {arch!r} from its config ({_first_line(exc)}); "
            "the checkpoint was written by an incompatible snnc or edited"
        ) from None


def _check_size(path, n: int, budget: int, what: str) -> None:
    if n > budget:
        raise CheckpointError(f"{path}: {what} {n} parameters, more than the budget of {budget}; "
                              "raise it with max_params=… (snnc compile --max-params …) if the model is real")


def _check_shapes(path, arch: str, want: dict, got: dict) -> None:
    """The state dict's names and shapes against the model its config describes (on the meta device)."""
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    wrong = [k for k in want if k in got and tuple(want[k].shape) != tuple(got[k].shape)]
    if missing or extra or wrong:
        parts = ([f"missing {', '.join(missing[:3])}"] if missing else []) + \
                ([f"unexpected {', '.join(extra[:3])}"] if extra else []) + \
                [f"{k}: the config describes {list(want[k].shape)}, the weights are {list(got[k].shape)}"
                 for k in wrong[:2]]
        raise CheckpointError(f"{path}: the weights do not fit the {arch!r} model its config describes "
                              f"({'; '.join(parts)}); re-save the model with snnc.save")


def evaluate(model_or_path, split: str = "test", *, encoding: str | None = None, T: int | None = None,
             seed: int | None = None, batch_size: int = 256) -> dict:
    """Accuracy of a model on the digits `split` it was trained for.

    `model_or_path` is a checkpoint path, an `nn.Module` (built by
    `snnc.models.build`), or any object with `run(x)` that maps a NumPy
    `x [T, B, *input_shape]` to scores `[T, B, C]` (a compiled model). The
    encoding, `T`, seed and input shape come from the object's `.metadata`,
    then its `.config`; the keyword arguments override them. The prediction is
    `argmax_c mean_t out[t, b, c]`. Returns {accuracy, correct, n, split,
    dataset, encoding, T}.
    """
    from snnc.data import digits

    subject = load(model_or_path) if isinstance(model_or_path, (str, os.PathLike)) else model_or_path
    if not isinstance(subject, torch.nn.Module) and not callable(getattr(subject, "run", None)):
        raise ConfigError(
            f"evaluate: cannot run a {type(subject).__name__}; give a checkpoint path, "
            "an nn.Module or an object with run(x)"
        )
    info = _data_info(subject)
    encoding = encoding or info.get("encoding", "direct")
    T = int(T or info.get("T") or 0)
    if T < 1:
        raise ConfigError("evaluate: the model does not record its number of timesteps; pass T=…")
    seed = int(info.get("data_seed", 0) if seed is None else seed)
    data = digits(split, encoding=encoding, T=T, seed=seed)
    if info.get("input_shape"):
        data = data.reshape(info["input_shape"])
    correct = 0
    for x, y in data.batches(batch_size):
        scores = forward_scores(subject, x)
        correct += int((predict(scores) == y).sum())
    return {
        "accuracy": correct / len(data),
        "correct": correct,
        "n": len(data),
        "split": split,
        "dataset": "digits",
        "encoding": encoding,
        "T": T,
    }


def forward_scores(subject, x: torch.Tensor) -> torch.Tensor:
    """Scores `[T, B, C]` of a torch module (no grad) or of an object with `run`."""
    if isinstance(subject, torch.nn.Module):
        was_training = subject.training
        subject.eval()
        try:
            with torch.no_grad():
                return subject(x).float()
        finally:
            subject.train(was_training)
    if callable(getattr(subject, "run", None)):
        out = np.asarray(subject.run(x.numpy()))
        if out.ndim != 3:
            raise ConfigError(
                f"evaluate: {type(subject).__name__}.run returned shape {out.shape}; expected [T, B, C]"
            )
        return torch.from_numpy(out.astype(np.float32))
    raise ConfigError(
        f"evaluate: cannot run a {type(subject).__name__}; give a checkpoint path, "
        "an nn.Module or an object with run(x)"
    )


def _data_info(subject) -> dict:
    info = {}
    config = getattr(subject, "config", None)
    if isinstance(config, dict):
        info.update({k: config[k] for k in ("T", "input_shape") if k in config})
    metadata = getattr(subject, "metadata", None)
    if isinstance(metadata, dict):
        info.update({k: v for k, v in metadata.items() if v is not None})
    return info


def _plain(obj, where: str):
    """`obj` as plain data that `torch.load(weights_only=True)` accepts."""
    if obj is None:
        return None
    for kind in (bool, int, str):  # subclasses (torch's TorchVersion, IntEnum …) become the plain type
        if isinstance(obj, kind):
            return kind(obj)
    if isinstance(obj, float):
        return float(obj) if math.isfinite(obj) else str(obj)
    if isinstance(obj, np.generic):
        return _plain(obj.item(), where)
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist(), where)
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu().clone()
    if isinstance(obj, (list, tuple)):
        items = [_plain(v, where) for v in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if not isinstance(k, (str, int)):
                raise CheckpointError(f"cannot save {where}: key {k!r} is not a string; use plain data")
            out[_plain(k, where)] = _plain(v, where)
        return out
    raise CheckpointError(
        f"cannot save {where}: {type(obj).__name__} value {obj!r} is not plain data "
        "(str, number, bool, None, list, tuple, dict)"
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _state_dict_mismatch(exc: RuntimeError) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    detail = "; ".join(lines[1:4]) if len(lines) > 1 else _first_line(exc)
    return detail[:300]
