"""`snnc train` — train a spiking network (digits, or `--data SPEC`) and save a checkpoint.

    snnc train --arch mlp --method direct --quant tawq --T 4 --epochs 20 --out tawq.pt
    snnc train --arch mlp --method indirect --teacher fp.pt --out ternary.pt
    snnc train --arch cnn --data cifar10:~/data --device cuda --precision bf16 --run-dir runs/c10 --out c10.pt
    torchrun --nproc_per_node=2 -m snnc.train --arch cnn --epochs 5 --out cnn.pt

`add_parser(subparsers)` registers the subcommand, `run(args) -> int` runs
it. Model options that have no flag of their own go through
`--set KEY=VALUE` (VALUE is read as JSON when it parses, else as a string).
Under torchrun only rank 0 prints and writes files.
"""
from __future__ import annotations

from snnc.cli.argtypes import dataset_spec

import argparse
import json
import sys

from snnc.errors import ConfigError

from .methods import DESCRIPTIONS, METHODS


def add_parser(subparsers) -> argparse.ArgumentParser:
    methods = "; ".join(f"{m}: {d}" for m, d in DESCRIPTIONS.items())
    p = subparsers.add_parser("train", help="train a spiking network and save a checkpoint",
                              description=f"Train a spiking network (on digits unless --data names another "
                                          f"dataset). Methods — {methods}.")
    p.add_argument("--arch", required=True, help="architecture: mlp, cnn, resnet or transformer")
    p.add_argument("--method", default="fp", choices=METHODS, help="training method (default fp)")
    p.add_argument("--quant", help="weight quantizer: fp, tawq, mtawq, ternary, lsq (default: by method)")
    p.add_argument("--quant-opts", type=_json_object, help='quantizer options as JSON, e.g. \'{"bits": 2}\'')
    p.add_argument("--T", type=int, help="number of timesteps (default: the architecture's)")
    p.add_argument("--epochs", type=int, default=10, help="training epochs (default 10)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--lr", type=float, help="Adam learning rate")
    p.add_argument("--batch-size", type=int, help="global batch size")
    p.add_argument("--data", default="digits", metavar="SPEC", type=dataset_spec,
                   help="dataset: digits (default), npz:PATH, folder:PATH, cifar10:ROOT, cifar100:ROOT, "
                        "mnist:ROOT, fashion-mnist:ROOT, events:PATH, shd:PATH (files on disk, never downloaded)")
    p.add_argument("--encoding", choices=("direct", "rate", "events"),
                   help="input encoding (default: direct for images, events for spike datasets)")
    p.add_argument("--device", default="cpu", help="cpu (default), cuda or cuda:N")
    p.add_argument("--precision", default="fp32", choices=("fp32", "bf16", "fp16"),
                   help="autocast precision of the forward pass (fp16: CUDA only)")
    p.add_argument("--run-dir", help="save the state after every epoch (last.pt) and log.csv here")
    p.add_argument("--resume", action="store_true", help="continue the run saved in --run-dir")
    p.add_argument("--dropout", type=float, help="dropout probability")
    p.add_argument("--dropconnect", type=float, help="dropconnect probability")
    p.add_argument("--uncertainty-weight", type=float, help="weight of the uncertainty regularizer (default 0)")
    p.add_argument("--teacher", help="full-precision teacher checkpoint (indirect, attention)")
    p.add_argument("--init-from-teacher", action=argparse.BooleanOptionalAction,
                   help="start the student from the teacher's weights (default: yes)")
    p.add_argument("--teacher-epochs", type=int, help="epochs of the teacher trained when --teacher is absent")
    p.add_argument("--kd-temperature", type=float, help="distillation temperature")
    p.add_argument("--kd-weight", type=float, help="weight a of the KD term, in [0, 1]")
    p.add_argument("--attention-weight", type=float, help="weight b of the attention-map term")
    p.add_argument("--ptq-method", choices=("ternary", "kbit"), help="post-training quantizer (method ptq)")
    p.add_argument("--ptq-bits", type=int, help="bits of k-bit post-training quantization")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="any other model option, e.g. --set hidden=[128] --set neuron=plif")
    p.add_argument("--out", help="write the trained model here (an snnc checkpoint)")
    p.add_argument("--history", help="write the per-epoch history here (JSON)")
    p.add_argument("--quiet", action="store_true", help="print only the result")
    p.set_defaults(func=run)
    return p


_TRAIN_OPTIONS = ("lr", "batch_size", "encoding", "uncertainty_weight", "teacher", "teacher_epochs",
                  "init_from_teacher", "kd_temperature", "kd_weight", "attention_weight", "ptq_method", "ptq_bits",
                  "data", "device", "precision", "run_dir", "resume")
_MODEL_OPTIONS = ("quant", "quant_opts", "T", "dropout", "dropconnect")


def run(args) -> int:
    """Train as `args` asks; print the test accuracy; save on rank 0. Returns 0."""
    from . import distributed
    from .loop import train

    kwargs = {k: getattr(args, k) for k in _TRAIN_OPTIONS + _MODEL_OPTIONS if getattr(args, k) is not None}
    for item in args.set:
        key, value = _key_value(item)
        kwargs[key] = value
    model, history = train(args.arch, method=args.method, epochs=args.epochs, seed=args.seed,
                           verbose=not args.quiet, **kwargs)
    if distributed.rank() != 0:
        return 0
    meta = model.metadata
    print(f"{args.arch} {args.method} ({meta.get('quant')}): test accuracy {meta['accuracy']:.4f} "
          f"on {meta['dataset']} ({meta['encoding']}, T={meta['T']}, seed {meta['seed']})")
    if args.out:
        from snnc.checkpoint import save

        print(f"saved {save(model, args.out)}")
    if args.history:
        with open(args.history, "w") as f:
            json.dump({"metadata": meta, "epochs": history}, f, indent=2)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m snnc.train …`: the subcommand on its own (for torchrun)."""
    from snnc.errors import SnncError

    parser = argparse.ArgumentParser(prog="python -m snnc.train")
    sub = parser.add_subparsers(dest="command")
    add_parser(sub)
    args = parser.parse_args(["train", *(sys.argv[1:] if argv is None else argv)])
    try:
        return run(args)
    except SnncError as exc:
        print(f"snnc train: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1


def _key_value(item: str):
    key, sep, text = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set expects KEY=VALUE, got {item!r}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = text
    return key.strip().replace("-", "_"), value


def _json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("expected a JSON object")
    return value
