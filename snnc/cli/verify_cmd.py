"""`snnc verify OUT [--input x.npy | --dataset SPEC]` — every emitted target against its golden model.

Each target's artifacts (the compiled C library, the HLS C-simulation, the ONNX
model, the NIR file read back, the Loihi .net file) run on the input and are
compared by equality with the target's golden model on the graph the target
implements: the reference interpreter (integer graph for cpu/hls, float graph
for onnx/nir) or, for Loihi, the bit-accurate Loihi simulator. Exit status 1 on
any difference.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ConfigError
from ..io import load_npy
from .argtypes import bounded_int, dataset_spec
from .progress import bar

DIGITS_FEATURES, DIGITS_CLASSES = 64, 10


def add_parser(sub):
    p = sub.add_parser("verify", help="run every emitted target and compare it with the reference; exit 1 on any difference")
    p.add_argument("out", help="an output folder of `snnc compile`")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--input", "-i", help="real-valued input .npy [T, B, ...] (as the PyTorch model takes it)")
    src.add_argument("--dataset", metavar="SPEC", type=dataset_spec,
                     help="the test split of a dataset (digits, npz:PATH, cifar10:ROOT, "
                     "mnist:ROOT, events:PATH …), encoded as the model was trained")
    p.add_argument("--batch", type=bounded_int(1, 1 << 20), default=128, help="samples per run (default 128)")
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    from snnc.backends import TargetError, get_target
    from snnc.backends.target import ToolNotFoundError
    from snnc.backends.reference import encode_inputs
    from snnc.compiler import load_compiled, manifest_of
    from snnc.evaluation import accuracy, dataset_input, random_input, require_timesteps

    names = list(manifest_of(args.out)["targets"])
    first = load_compiled(args.out, names[0])
    labels = None
    want = first.float_graph.inputs[0].type.shape
    if args.dataset:
        from snnc.data import parse
        if parse(args.dataset)[0] == "digits" and (
                math.prod(want) != DIGITS_FEATURES or len(first.float_graph.outputs) != 1
                or first.float_graph.outputs[0].type.size != DIGITS_CLASSES):
            raise ConfigError(f"--dataset digits needs a digits model (8×8 = {DIGITS_FEATURES} inputs, "
                              f"{DIGITS_CLASSES} classes); this model takes {list(want)} per timestep and gives "
                              f"{[list(o.type.shape) for o in first.float_graph.outputs]}: give --input x.npy, "
                              f"or --dataset SPEC for the data it was trained on")
        x, labels = dataset_input(first, spec=args.dataset)
    elif args.input:
        x = load_npy(args.input, tuple(want))
    else:
        x = random_input(first.float_graph.inputs[0], require_timesteps(first), 8)
        print("no --input or --dataset: using 8 random samples")
    if x.ndim != len(want) + 2 or tuple(x.shape[2:]) != tuple(want):
        raise ConfigError(f"input has shape {list(x.shape)}; the model needs [T, B, {', '.join(map(str, want))}]")

    rows, failed = [], False
    for name in names:
        c = load_compiled(args.out, name)
        tgt = get_target(name)
        integer = tgt.integer
        graph = c.graph
        got_all, ref_all = [], []
        try:
            starts = range(0, x.shape[1], args.batch)
            for s in bar(starts, len(starts), f"verify {name}", quiet=args.quiet):
                xb = x[:, s:s + args.batch]
                ref_all.append(_single(tgt.reference_run(graph, encode_inputs(graph, xb), c.options)))
                got_all.append(_single(c.run(xb)))
        except ToolNotFoundError as e:  # a target that cannot run here (no compiler) is reported, not failed
            rows.append((name, "integer" if integer else "float", "skipped", "-", " ".join(str(e).split())))
            continue
        except TargetError as e:        # it should run here but did not: that is a failure
            failed = True
            rows.append((name, "integer" if integer else "float", "FAILED", "-", " ".join(str(e).split())))
            continue
        got, ref = np.concatenate(got_all, axis=1), np.concatenate(ref_all, axis=1)
        same = got.shape == ref.shape and np.array_equal(got, ref)
        diff = "0" if same else str(int(np.count_nonzero(got != ref)) if got.shape == ref.shape else "shape")
        acc = "-"
        if labels is not None:
            acc = f"{100.0 * accuracy(got, labels):.2f}%"
        failed |= not same
        kind = ("integer" if integer else "float") if tgt.exact else f"{name} fixed point"
        rows.append((name, kind, "equal" if same else "DIFFERENT", diff, acc))
    _table(rows, x.shape[1])
    skipped = [r[0] for r in rows if r[2] == "skipped"]
    if skipped:
        print(f"not run here (a tool is missing): {', '.join(skipped)}")
    return 1 if failed else 0


def _single(out):
    if isinstance(out, dict):
        if len(out) != 1:
            return np.concatenate([np.asarray(v).reshape(v.shape[0], v.shape[1], -1) for v in out.values()], axis=-1)
        (out,) = out.values()
    return np.asarray(out)


def _table(rows, n):
    head = ("target", "semantics", f"vs golden model ({n} samples)", "differing values", "accuracy / note")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(5)]
    line = "  ".join(h.ljust(w) for h, w in zip(head, widths))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)))
