"""Testbench data: the input and the reference interpreter's output, as text the testbench reads.

``tb_data/input.dat``: one line per sample: ``n_steps`` then, input after input (graph
order), the raw integer values of every timestep, row-major. ``tb_data/expected.dat``:
one line per sample: the outputs' raw integers in the same order. The input is the
``tb_input`` option, else random raw integers of each input's type (seeded).
"""
from __future__ import annotations

import numpy as np

from snnc.ir import Graph, IRError, parse_dtype

from ..reference import run as reference_run
from ..reference.inputs import bind_inputs
from ..target import TargetError

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
MAX_TB_VALUES = 1 << 24        # integers in input.dat + expected.dat (≈ 100 MB of text)


def random_input(graph: Graph, T: int, B: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {}
    for node in graph.inputs:
        lo, hi = parse_dtype(node.attrs["dtype"]).range()
        shape = (T, B) + tuple(node.attrs["shape"])
        out[node.name] = rng.integers(max(lo, INT64_MIN), min(hi, INT64_MAX), size=shape, endpoint=True)
    return out


def outputs_by_name(graph: Graph, result) -> dict[str, np.ndarray]:
    """The reference's result (one array, or a dict) as output name → array, in graph order."""
    if isinstance(result, dict):
        return {n.name: result[n.name] for n in graph.outputs}
    return {graph.outputs[0].name: result}


def tb_data(graph: Graph, tb_input, T: int, B: int, seed: int) -> tuple[str, str]:
    """(input.dat text, expected.dat text)."""
    if tb_input is None:
        per_step = sum(n.type.size for n in graph.inputs) + sum(n.type.size for n in graph.outputs)
        if T * B * per_step > MAX_TB_VALUES:
            raise TargetError(f"hls target: the testbench data would hold {T * B * per_step} integers "
                              f"(timesteps={T} × tb_samples={B} × {per_step} per step), more than "
                              f"{MAX_TB_VALUES}; lower -O timesteps=… or -O tb_samples=…")
    try:
        if tb_input is None:
            x = random_input(graph, T, B, seed)
        else:
            x = bind_inputs(graph, tb_input)
        y = outputs_by_name(graph, reference_run(graph, x))
    except (IRError, ValueError) as e:
        raise TargetError(f"hls target: cannot compute the testbench data with the reference interpreter: {e}; "
                          "pass tb_input= with raw integer data the graph was built for") from None
    steps, samples = next(iter(x.values())).shape[:2]
    in_lines, exp_lines = [], []
    for b in range(samples):
        values = [str(steps)] + [str(int(v)) for a in x.values() for v in a[:, b].reshape(-1)]
        in_lines.append(" ".join(values))
        exp_lines.append(" ".join(str(int(v)) for a in y.values() for v in a[:, b].reshape(-1)))
    return "\n".join(in_lines) + "\n", "\n".join(exp_lines) + "\n"
