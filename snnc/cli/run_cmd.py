"""`snnc run FILE --input x.npy [--output y.npy]` — run an IR file on the reference interpreter."""
from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from ..io import load_npy, save_npy


def add_parser(sub):
    p = sub.add_parser("run", help="run a compiled target (an output folder) or an IR file (reference interpreter)")
    p.add_argument("file", help="an output folder of `snnc compile`, or a .snnir (with its .npz) / .nir file")
    p.add_argument("--target", "-t", help="which target of the output folder to run (needed when it holds several)")
    p.add_argument("--input", "-i", required=True, help="input .npy of shape [T, B, ...]: for an output folder, "
                   "real values as the PyTorch model takes them; for an IR file, raw values of the input type")
    p.add_argument("--output", "-o", help="write the output to this .npy (or .npz for several outputs)")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from snnc.backends import reference
    from .ir_cmd import load_graph

    if Path(args.file).is_dir():
        return run_compiled(args)
    g = load_graph(args.file)
    (inp,) = g.inputs if len(g.inputs) == 1 else (None,)
    if inp is None:
        raise ConfigError(f"{args.file} has {len(g.inputs)} inputs; `snnc run` takes graphs with one input")
    want = tuple(inp.type.shape)
    x = load_npy(args.input, want, f"graph input %{inp.name} ({inp.type})")
    if x.ndim != len(want) + 2 or tuple(x.shape[2:]) != want:
        raise ConfigError(f"input {args.input} has shape {list(x.shape)}, but graph input %{inp.name} "
                          f"needs [T, B, {', '.join(map(str, want))}] ({inp.type})")
    out = reference.run(g, x)
    return show(g, out, args.output)


def run_compiled(args) -> int:
    from snnc.compiler import load_compiled

    c = load_compiled(args.file, args.target)
    want = c.input_shape
    x = load_npy(args.input, want, f"the {c.target} model")
    if x.ndim != len(want) + 2 or tuple(x.shape[2:]) != want:
        raise ConfigError(f"input {args.input} has shape {list(x.shape)}, but the {c.target} model needs "
                          f"[T, B, {', '.join(map(str, want))}]")
    return show(c.graph, c.run(x), args.output)


def show(g, out, output_path) -> int:
    outs = out if isinstance(out, dict) else {g.outputs[0].name: out}
    if output_path:
        save_npy(output_path, outs)
    for name, y in outs.items():
        print(f"%{name}: shape {list(y.shape)} {g[name].type.dtype}")
        with np.printoptions(threshold=200, edgeitems=4, linewidth=100):
            print(y if y.size <= 200 else summarize(y))
    return 0


def summarize(y: np.ndarray) -> str:
    flat = y.reshape(y.shape[0], -1)
    return (f"mean per timestep: {np.round(flat.mean(axis=1).astype(np.float64), 4).tolist()}\n"
            f"min {y.min()}, max {y.max()}, nonzero {np.count_nonzero(y)}/{y.size}")
