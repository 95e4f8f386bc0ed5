"""What the user says the input is, for sources that do not record it (a NIR file, a bare .snnir).

`declare_input(graph, timesteps=, input_type=, input_scale=, input_range=)` returns the
graph with the declaration applied and recorded in its attributes, so that `verify`,
`run` and `report` on the output folder need nothing more:

* ``timesteps`` T → attribute ``timesteps`` (what integerize proves widths for);
* ``input_type`` → the input node's element type, attribute ``input_type``:
  "spike" (0/1), "uint<k>" / "int<k>" (raw integers; their real value is raw·input_scale,
  so a float graph gets a ``scale`` node after the input when the scale is not 1),
  "f32" (real values, quantized by integerize);
* ``input_scale`` → the real value of one raw unit of a uint<k>/int<k> input (the input
  node's ``scale``; attribute ``input_scale``); spike and f32 inputs have none;
* ``input_range`` R → attribute ``input_range``: f32 inputs are clipped to [-R, R].

Only an f32 input can be re-typed: a source that records another type (a checkpoint
with an encoding) keeps it, and asking for a different one is refused.
The CLI spells them -T/--timesteps, --input-type, --input-scale, --input-range.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from snnc.errors import ConfigError
from snnc.ir import MAX_TIMESTEPS, Graph, parse_dtype

MAX_RANGE = 1e30
FLAGS = {"timesteps": "-T/--timesteps", "input_type": "--input-type", "input_scale": "--input-scale",
         "input_range": "--input-range"}


def check_timesteps(T) -> int:
    """A number of timesteps given by the user (`timesteps=` / -T): a positive integer."""
    if isinstance(T, bool) or not isinstance(T, numbers.Integral) or not 0 < T <= MAX_TIMESTEPS:
        raise ConfigError(f"timesteps={T!r}: give a whole number of timesteps from 1 to {MAX_TIMESTEPS} "
                          "(-T/--timesteps on the command line)")
    return int(T)


def _positive(value, key: str, limit: float) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    v = float(value) if ok else math.nan
    if not (math.isfinite(v) and 0 < v <= limit):
        raise ConfigError(f"{key}={value!r}: give a finite positive number up to {limit:g} "
                          f"({FLAGS[key]} on the command line)")
    return v


def declare_input(graph: Graph, *, timesteps=None, input_type=None, input_scale=None, input_range=None) -> Graph:
    """`graph` (a copy when anything changes) with the declaration applied; see the module docstring."""
    if timesteps is None and input_type is None and input_scale is None and input_range is None:
        return graph
    g = graph.copy()
    if timesteps is not None:
        g.attrs["timesteps"] = check_timesteps(timesteps)
    scale = None if input_scale is None else _positive(input_scale, "input_scale", MAX_RANGE)
    rng = None if input_range is None else _positive(input_range, "input_range", MAX_RANGE)
    dtype = None
    if input_type is not None:
        try:
            dtype = parse_dtype(str(input_type))
        except ValueError as e:
            raise ConfigError(f"input_type={input_type!r}: {e}; give spike, uint<k>, int<k> or f32 "
                              f"(--input-type on the command line)") from None
        if dtype.kind not in ("spike", "uint", "int", "f32"):
            raise ConfigError(f"input_type={input_type!r}: give spike, uint<k>, int<k> or f32 "
                              f"(--input-type on the command line)")
    kinds = [dtype] if dtype is not None else [parse_dtype(n.attrs["dtype"]) for n in g.inputs]
    if scale is not None and not all(k.kind in ("uint", "int") for k in kinds):
        raise ConfigError(f"input_scale is the real value of one raw unit of a uint<k>/int<k> input; a "
                          f"{'/'.join(sorted({str(k) for k in kinds}))} input has no scale — drop input_scale "
                          f"(--input-scale) or give an integer input type such as --input-type 'uint<8>' "
                          f"(input_type='uint<8>')")
    if rng is not None and not all(k.is_float for k in kinds):
        raise ConfigError(f"input_range is the range an f32 input is clipped to; a "
                          f"{'/'.join(sorted({str(k) for k in kinds}))} input has the range of its type — drop "
                          f"input_range (--input-range) or give --input-type f32 (input_type='f32')")
    if dtype is not None:
        for node in list(g.inputs):
            _retype(g, node, dtype, 1.0 if scale is None else scale)
        g.attrs["input_type"] = str(dtype)
    if scale is not None:
        g.attrs["input_scale"] = scale
    if rng is not None:
        g.attrs["input_range"] = rng
    g.infer_types()
    g.verify()
    return g


def _retype(g: Graph, node, dtype, scale: float) -> None:
    have = parse_dtype(node.attrs["dtype"])
    if have == dtype and (dtype.is_float or node.attrs.get("scale", 1.0) == scale):
        return
    if not have.is_float:
        raise ConfigError(f"the source records the input %{node.name} as {have} with scale "
                          f"{node.attrs.get('scale', 1.0)}; input_type={str(dtype)!r} cannot change it "
                          f"(drop --input-type/input_type, or trace the model with that input type)")
    node.attrs["dtype"] = str(dtype)
    node.attrs["scale"] = scale
    if dtype.is_integer and scale != 1.0:
        users = [u.name for u in g.users(node.name)]
        shape = tuple(node.attrs["shape"])
        real = g.add("scale", [node.name], params={"scale": np.full((1,) * (len(shape) + 1), scale, np.float32)},
                     name=g.unique_name(node.name + "_real"), after=node.name)
        for u in users:
            g[u].operands = [real.name if o == node.name else o for o in g[u].operands]
