"""The training loop shared by every method.

Data: the digits train split, encoded for the model's `T` (`snnc.data`);
frames are reshaped to the model's `input_shape`. Optimizer: Adam with a
cosine learning-rate decay to 0 over all steps; one step per (global) batch.
The loss of a batch, with `z = mean_t out[t]` the logits (`snnc.train.losses`):

    fp, direct : L = CE(z, y)                                    (+ regularizer)
    indirect   : L = (1 − a)·CE(z, y) + a·L_kd(z, z_teacher; τ)  (+ regularizer)
    attention  : L = (1 − a)·CE(z, y) + a·L_kd + b·L_attn        (+ regularizer)
    regularizer: + w · mean_b H(softmax(z_b)) / log C            (w = uncertainty_weight)

`fp` trains with full-precision weights; `direct` is quantization-aware
training with the chosen quantizer (`quant`: tawq, mtawq, ternary, lsq);
`indirect` is ternarization-aware distillation from a full-precision teacher
SNN of the same architecture (the student starts from the teacher's weights,
its quantizers re-initialized from them, unless `init_from_teacher=False`);
`attention` adds fine-grained alignment of the student's attention maps with
the teacher's (transformer); `ptq` trains in full precision and then
quantizes without retraining (`snnc.nn.quant.ptq`). A teacher that is not
given is first trained with method `fp` (same seed and options).

Determinism: everything runs under `torch.random.fork_rng` seeded with
`seed` and `torch.use_deterministic_algorithms(True)` (both restored after),
and the batch order comes from a generator seeded with `seed`, so two runs
with the same arguments give identical weights. Under torchrun every rank
starts from the same seed and trains on its share of each global batch
(`snnc.train.distributed`).
"""
from __future__ import annotations

import contextlib
import math
import sys
import time
from pathlib import Path

import torch

from snnc.errors import ConfigError
from snnc.evaluation import predict
from snnc.nn import attention_maps, record_attention

from . import distributed as dd
from . import losses
from .data import Splits
from .device import Placement
from .methods import DEFAULT_QUANT, METHODS
from .progress import Progress
from .runlog import RunLog

DEFAULTS = {
    "lr": 3e-3, "batch_size": 64, "weight_decay": 0.0, "encoding": "direct",
    "kd_temperature": 4.0, "kd_weight": 0.5, "attention_weight": 1.0, "uncertainty_weight": 0.0,
    "ptq_method": "ternary", "ptq_bits": 2,
}


def train(arch: str, method: str = "fp", epochs: int = 10, seed: int = 0, *, teacher=None,
          lr: float = DEFAULTS["lr"], batch_size: int = DEFAULTS["batch_size"],
          weight_decay: float = DEFAULTS["weight_decay"], encoding: str | None = None,
          kd_temperature: float = DEFAULTS["kd_temperature"], kd_weight: float = DEFAULTS["kd_weight"],
          attention_weight: float = DEFAULTS["attention_weight"],
          uncertainty_weight: float = DEFAULTS["uncertainty_weight"], teacher_epochs: int | None = None,
          ptq_method: str = DEFAULTS["ptq_method"], ptq_bits: int = DEFAULTS["ptq_bits"],
          init_from_teacher: bool = True, verbose: bool = True, stream=None, distributed: bool | None = None,
          data="digits", device: str = "cpu", precision: str = "fp32", run_dir=None, resume: bool = False,
          **config):
    """Train `snnc.models.build(arch, **config)` on digits; return `(model, history)`.

    `method` is one of METHODS (see the module docstring); `config` goes to
    the model builder (`T`, `quant`, `quant_opts`, neuron options, `dropout`,
    `dropconnect`, sizes …); `quant` defaults to DEFAULT_QUANT[method].
    `teacher` (indirect / attention) is an `nn.Module`, a checkpoint path, "ann" to train
    QSD's ANN teacher first (the same architecture with clipped ReLUs, `snnc.train.ann_teacher`), or
    None to train a full-precision SNN teacher first (`teacher_epochs`, default `epochs`); with
    `init_from_teacher` the student starts from the teacher's weights (its
    quantizers re-initialized from them), as in ternarization-aware
    distillation, instead of from a random initialization.
    `data` is a dataset spec (`snnc.data.spec`: "digits", "npz:PATH", "cifar10:ROOT" …) or a pair
    (train, test) of `snnc.data.Frames` / torch `Dataset`s (`snnc.train.data`); the model's
    `input_shape` and `num_classes` default to the data's. `device` ("cpu", "cuda", "cuda:N") and
    `precision` ("fp32", "bf16", "fp16": autocast, fp16 with a gradient scaler) say where and how it
    trains (`snnc.train.device`). With `run_dir`, the state after every epoch is saved to
    `run_dir/last.pt` (model, optimizer, schedule, RNG, history) and a CSV log to
    `run_dir/log.csv`; `resume` continues from `run_dir/last.pt`.
    The model comes back in eval mode with `.metadata` (method, seed, epochs,
    accuracy on the test split, dataset, encoding, T, input scale …, ready for
    `snnc.save`); `history` is a list with one dict per epoch (epoch, loss,
    train_accuracy, test_accuracy, seconds).
    """
    _check_args(method, epochs, batch_size, lr, kd_weight, config)
    place = Placement.parse(device, precision, local_rank=dd.local_rank())
    if teacher is not None and method not in ("indirect", "attention"):
        raise ConfigError(f"method {method!r} uses no teacher; a teacher is for method 'indirect' or 'attention'")
    config.setdefault("quant", DEFAULT_QUANT[method])
    ctx = dd.setup(distributed, backend="nccl" if place.device.type == "cuda" else "gloo")
    stream = stream if stream is not None else sys.stderr
    try:
        with _seeded(seed):
            if method in ("indirect", "attention"):
                teacher = _teacher(teacher, arch, method, epochs if teacher_epochs is None else teacher_epochs,
                                   seed, dict(lr=lr, batch_size=batch_size, weight_decay=weight_decay,
                                              encoding=encoding, verbose=verbose, stream=stream, data=data,
                                              device=device, precision=precision), config)
                torch.manual_seed(seed)
            ann = config.pop("_ann_teacher", False)
            splits = Splits.of(data, encoding, config, seed)
            model = _build(arch, splits.model_config(config))
            if ann:
                from .ann_teacher import ann_teacher

                model = ann_teacher(model)
            if method in ("indirect", "attention") and init_from_teacher:
                _init_from_teacher(model, teacher)
            dd.broadcast_module(model, ctx)
            run = _Run(model, method, seed, ctx, teacher, splits, batch_size, place,
                       dict(kd_temperature=kd_temperature, kd_weight=kd_weight, attention_weight=attention_weight,
                            uncertainty_weight=uncertainty_weight))
            history = run.fit(epochs, lr, weight_decay, verbose and ctx.is_main, stream, run_dir, resume)
            model = run.model
            if method == "ptq":
                model = _post_training_quantize(model, ptq_method, ptq_bits)
            model.eval()
            accuracy = run.test_accuracy(model)
            model.to("cpu")
    finally:
        dd.teardown(ctx)
    model.metadata = _metadata(run, method, epochs, seed, lr, batch_size, accuracy, history, teacher, ctx,
                               dict(kd_temperature=kd_temperature, kd_weight=kd_weight,
                                    attention_weight=attention_weight, uncertainty_weight=uncertainty_weight,
                                    ptq_method=ptq_method, ptq_bits=ptq_bits,
                                    init_from_teacher=init_from_teacher))
    return model, history


class _Run:
    """The state of one training run: model, data, teacher, loss weights, placement."""

    def __init__(self, model, method, seed, ctx, teacher, splits, batch_size, place, weights):
        self.model, self.method, self.seed, self.ctx = model, method, seed, ctx
        self.teacher, self.batch_size, self.w, self.place = teacher, batch_size, weights, place
        self.encoding = splits.encoding
        self.T = int(model.config["T"])
        self.input_shape = list(model.config["input_shape"])
        self.splits = splits
        self.train_data = splits.split("train", self.T, self.input_shape)
        self.test_data = splits.split("test", self.T, self.input_shape)
        self.data_meta = self.test_data.meta
        place.put(model)
        if teacher is not None:
            place.put(teacher)

    def fit(self, epochs, lr, weight_decay, verbose, stream, run_dir=None, resume=False) -> list[dict]:
        if self.method == "attention" and not (record_attention(self.model, True)
                                               and record_attention(self.teacher, True)):
            raise ConfigError(
                f"method 'attention' distills attention maps, but the {self.model.arch!r} model or its teacher "
                "has no attention block; use arch='transformer', or method='indirect' for plain KD"
            )
        net = dd.wrap(self.model, self.ctx)
        opt = torch.optim.Adam(self.model.parameters(), lr=lr, weight_decay=weight_decay)
        steps = epochs * math.ceil(len(self.train_data) / self.batch_size)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda i: 0.5 * (1 + math.cos(math.pi * min(i, steps) / steps)))
        order_gen = torch.Generator().manual_seed(self.seed)
        scaler = self.place.scaler()
        history: list[dict] = []
        log = RunLog(run_dir, self.ctx.is_main)
        if resume:
            history = log.restore(self.model, opt, sched, order_gen, scaler, epochs)
        for epoch in range(len(history) + 1, epochs + 1):
            start = time.perf_counter()
            self.model.train()
            data = self._epoch_data(epoch)
            order = torch.randperm(len(data), generator=order_gen)
            bar = Progress(math.ceil(len(order) / self.batch_size), f"{self.method} epoch {epoch}/{epochs}",
                           stream, verbose)
            loss_sum = correct = count = 0.0
            for begin in range(0, len(order), self.batch_size):
                if len(order) - begin < self.ctx.world:
                    break  # a last batch too small to give every rank a sample
                idx = dd.shard(order[begin:begin + self.batch_size], self.ctx)
                x, y = (self.place.move(t) for t in data.batch(idx))
                with self.place.autocast():
                    out = net(x)
                    loss = self._loss(out, x, y)
                opt.zero_grad(set_to_none=True)
                self.place.step(loss, opt, scaler)
                sched.step()
                loss_sum += float(loss.detach()) * len(y)
                correct += float((losses.logits(out.detach()).argmax(-1) == y).sum())
                count += len(y)
                seconds = time.perf_counter() - start
                bar.update(loss=float(loss.detach()), acc=correct / count, samples_s=count / max(seconds, 1e-9))
            loss_sum, correct, count = dd.all_sum([loss_sum, correct, count], self.ctx)
            test_acc = self.test_accuracy(self.model)
            seconds = time.perf_counter() - start
            row = {"epoch": epoch, "loss": loss_sum / count, "train_accuracy": correct / count,
                   "test_accuracy": test_acc, "seconds": seconds, "samples_per_second": count / seconds}
            history.append(row)
            log.save(self.model, opt, sched, order_gen, scaler, history)
            bar.close(f"loss {row['loss']:.4f}  train {row['train_accuracy']:.4f}  test {test_acc:.4f}  "
                      f"{row['samples_per_second']:.0f} samples/s")
        if self.method == "attention":
            record_attention(self.model, False)
            record_attention(self.teacher, False)
        self.model.eval()
        return history

    def _epoch_data(self, epoch):
        if self.encoding != "rate":
            return self.train_data
        # fresh Bernoulli spikes every epoch (seeded by seed and epoch)
        return self.splits.split("train", self.T, self.input_shape, seed=self.seed * 100_003 + epoch)

    def _loss(self, out, x, y):
        if self.method in ("indirect", "attention"):
            with torch.no_grad():
                teacher_out = self.teacher(x)
            a = self.w["kd_weight"]
            loss = (1 - a) * losses.task_loss(out, y) + a * losses.kd_loss(out, teacher_out, self.w["kd_temperature"])
            if self.method == "attention":
                loss = loss + self.w["attention_weight"] * losses.attention_loss(
                    attention_maps(self.model), attention_maps(self.teacher), batch_dim=1)
        else:
            loss = losses.task_loss(out, y)
        if self.w["uncertainty_weight"]:
            loss = loss + self.w["uncertainty_weight"] * losses.uncertainty_penalty(out)
        return loss

    def test_accuracy(self, model) -> float:
        from snnc.checkpoint import forward_scores

        correct = 0
        for x, y in self.test_data.batches(512):
            with self.place.autocast():
                scores = forward_scores(model, self.place.move(x))
            correct += int((predict(scores.float().cpu()) == y).sum())
        return correct / len(self.test_data)


def _check_args(method, epochs, batch_size, lr, kd_weight, config) -> None:
    if method not in METHODS:
        raise ConfigError(f"unknown training method {method!r}; choose one of {', '.join(METHODS)}")
    if int(epochs) != epochs or epochs < 1:
        raise ConfigError(f"epochs must be a positive integer, got {epochs!r}")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ConfigError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not lr > 0:
        raise ConfigError(f"learning rate must be > 0, got {lr!r}")
    if not 0.0 <= kd_weight <= 1.0:
        raise ConfigError(f"kd_weight must lie in [0, 1], got {kd_weight!r}")
    quant = config.get("quant")
    if method in ("fp", "ptq") and quant not in (None, "fp"):
        raise ConfigError(
            f"method {method!r} trains full-precision weights but quant={quant!r} was given; "
            "use method='direct' for quantization-aware training"
        )
    if method in ("direct", "indirect", "attention") and quant == "fp":
        raise ConfigError(f"method {method!r} trains a quantized student; give quant=tawq|mtawq|ternary|lsq")


@contextlib.contextmanager
def _seeded(seed: int):
    """Seed torch's global RNG and force deterministic kernels; restore both afterwards."""
    deterministic = torch.are_deterministic_algorithms_enabled()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        torch.use_deterministic_algorithms(True)
        try:
            yield
        finally:
            torch.use_deterministic_algorithms(deterministic)


def _build(arch: str, config: dict) -> torch.nn.Module:
    from snnc import models

    if arch not in models.ARCHITECTURES and arch not in models.PRESETS:
        raise ConfigError(f"unknown architecture {arch!r}; choose one of "
                          f"{', '.join(sorted([*models.ARCHITECTURES, *models.PRESETS]))}")
    return models.build(arch, **config)


def _teacher(teacher, arch, method, epochs, seed, options, config) -> torch.nn.Module:
    if teacher is None or (isinstance(teacher, str) and teacher == "ann"):
        teacher_config = {k: v for k, v in config.items() if k not in ("quant", "quant_opts")}
        if teacher == "ann":            # QSD: the same architecture with clipped ReLUs (snnc.train.ann_teacher)
            teacher_config["_ann_teacher"] = True
        teacher, _ = train(arch, "fp", epochs, seed, quant="fp", **options, **teacher_config)
    elif isinstance(teacher, (str, Path)):
        from snnc.checkpoint import load

        teacher = load(teacher)
    if not isinstance(teacher, torch.nn.Module):
        raise ConfigError(f"teacher must be a model or a checkpoint path, got {type(teacher).__name__}")
    t_config = getattr(teacher, "config", {})
    for key in ("T", "input_shape", "num_classes"):
        if key in config and key in t_config and list(_as_list(config[key])) != list(_as_list(t_config[key])):
            raise ConfigError(
                f"the teacher's {key} is {t_config[key]!r} but the student's is {config[key]!r}; "
                "train the teacher with the student's T and input shape"
            )
    if method == "attention" and getattr(teacher, "arch", arch) != arch:
        raise ConfigError(f"attention distillation needs a {arch!r} teacher, got {teacher.arch!r}")
    teacher.eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    return teacher


def _init_from_teacher(student: torch.nn.Module, teacher: torch.nn.Module) -> None:
    """Copy the teacher's tensors into the student (same names and shapes), then
    re-initialize each quantizer from its layer's new full-precision weight."""
    from snnc.nn.quant.qlayer import QuantLayer

    own = student.state_dict()
    shared = {k: v for k, v in teacher.state_dict().items() if k in own and own[k].shape == v.shape}
    if not any(k.endswith("weight") for k in shared):
        raise ConfigError("the teacher shares no weights with the student; give a teacher of the same "
                          "architecture and sizes, or init_from_teacher=False")
    student.load_state_dict(shared, strict=False)
    for layer in student.modules():
        if isinstance(layer, QuantLayer) and layer.quantizer is not None:
            layer.quantizer.init_from(layer.weight.detach())


def _post_training_quantize(model, method: str, bits: int):
    from snnc.nn.quant import ptq

    quantized = ptq(model, method=method, bits=bits)
    return quantized if quantized is not None else model


def _metadata(run, method, epochs, seed, lr, batch_size, accuracy, history, teacher, ctx, weights) -> dict:
    import snnc

    meta = {
        "method": method,
        "quant": run.model.config.get("quant"),
        "seed": int(seed),
        "epochs": int(epochs),
        "lr": float(lr),
        "batch_size": int(batch_size),
        "accuracy": float(accuracy),
        "train_accuracy": float(history[-1]["train_accuracy"]),
        "dataset": run.data_meta.get("dataset", "digits"),
        "split": "test",
        "encoding": run.encoding,
        "data_seed": int(seed),
        "T": run.T,
        "input_shape": run.input_shape,
        "input_scale": run.data_meta["input_scale"],
        "input_bits": run.data_meta["input_bits"],
        "num_classes": run.data_meta["num_classes"],
        "world_size": ctx.world,
        "device": run.place.device_text,
        "precision": run.place.precision,
        "train_seconds": float(sum(row["seconds"] for row in history)),
        "snnc_version": snnc.__version__,
        "torch_version": torch.__version__,
    }
    if method in ("indirect", "attention"):
        meta.update(kd_temperature=weights["kd_temperature"], kd_weight=weights["kd_weight"],
                    init_from_teacher=weights["init_from_teacher"],
                    teacher_accuracy=getattr(teacher, "metadata", {}).get("accuracy"))
    if method == "attention":
        meta["attention_weight"] = weights["attention_weight"]
    if method == "ptq":
        meta.update(ptq_method=weights["ptq_method"], ptq_bits=weights["ptq_bits"])
    if weights["uncertainty_weight"]:
        meta["uncertainty_weight"] = weights["uncertainty_weight"]
    return meta


def _as_list(value):
    return value if isinstance(value, (list, tuple)) else [value]
