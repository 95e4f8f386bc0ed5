"""Write the integerize text-IR cases of this folder (inputs, and with --expected the outputs).

    .venv/bin/python tests/passes/cases/integerize/make_cases.py              # the *.in.snnir (+ .npz)
    .venv/bin/python tests/passes/cases/integerize/make_cases.py --expected   # also *.out.snnir from the pass

Each case is ``<case>.in.snnir`` whose first line is ``# pipeline: …`` and, below it,
comments that derive the expected numbers by hand; ``<case>.out.snnir`` is the expected
graph (its arrays in ``<case>.out.npz``). Expected files written with --expected must be
checked against those comments before they are committed.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from snnc.ir import Graph, load, print_graph, save
from snnc.passes import run_pipeline

HERE = Path(__file__).resolve().parent
f32 = np.float32


def lif_scaled():
    """lif with per-channel scale and bias, T = 4, frac_bits = 8.

    σ = scale = [0.5, 0.25] (spike input), state unit u = σ/256.
    leak = 0.75·2^12 = 3072 → common factors of 2 removed: leak 3, shift 2.
    threshold = 1.0/u = [512, 1024];  bias = b/u = [0.125·512, −0.25·1024] = [64, −256].
    input int<3> (|Σ| ≤ 3 of ternary rows [1,−1,1], [0,1,1]: range [−1, 2]) << 8.
    """
    g = Graph("lif_scaled", {"timesteps": 4})
    x = g.add("input", attrs={"shape": (3,), "dtype": "spike"}, name="x")
    fc = g.add("linear", [x], name="fc", params={
        "weight": np.array([[1, -1, 1], [0, 1, 1]], np.int8),
        "scale": np.array([[0.5, 0.25]], f32), "bias": np.array([[0.125, -0.25]], f32)})
    n = g.add("lif", [fc], name="lif", params={"beta": np.array([[0.75]], f32),
                                                "threshold": np.array([[1.0]], f32)})
    g.add("output", [n], name="y")
    return g, "integerize{frac_bits=8}"


def if_exact_leak():
    """if (β = 1): leak 1, shift 0 — no multiply. σ = 0.5 (static scalar), threshold 1.0 → 512 at f = 8,
    reset zero with v_reset = -0.5 → round(−0.5/(0.5/256)) = −256."""
    g = Graph("if_exact_leak", {"timesteps": 3})
    x = g.add("input", attrs={"shape": (2,), "dtype": "spike"}, name="x")
    fc = g.add("linear", [x], name="fc", params={"weight": np.array([[1, 1], [1, -1]], np.int8),
                                                  "scale": np.array([[0.5]], f32)})
    n = g.add("if", [fc], name="neuron", attrs={"reset": "zero", "v_reset": -0.5},
              params={"threshold": np.array([[1.0]], f32)})
    g.add("output", [n], name="y")
    return g, "integerize{frac_bits=8}"


def multispike_pow2():
    """spike-driven attention product with scale 0.125 = 2^-3 feeding a multispike (D = 4): the
    product is exact at σ = 2^-3, so multispike_int reads it directly with frac_bits = 3
    (s = clip((x + 4) >> 3, 0, 4)); spike_matmul's scale becomes 1."""
    g = Graph("multispike_pow2", {"timesteps": 2})
    x = g.add("input", attrs={"shape": (3, 2), "dtype": "uint<2>"}, name="x")
    kv = g.add("spike_matmul", [x, x], attrs={"transpose_a": True}, name="kv")
    o = g.add("spike_matmul", [x, kv], attrs={"scale": 0.125}, name="o")
    s = g.add("multispike", [o], attrs={"D": 4}, name="s")
    g.add("output", [s], name="y")
    return g, "integerize{frac_bits=8}"


def add_align():
    """add of two layers at σ = 0.5 and 0.25: the common σ is 0.25, the first operand is
    rescaled by the exact gain 2 (scale op, shift 0), the second passes as is; β = 0, σ scalar →
    the output needs no op: scale = 0.25."""
    g = Graph("add_align", {"timesteps": 2})
    x = g.add("input", attrs={"shape": (2,), "dtype": "spike"}, name="x")
    a = g.add("linear", [x], name="a", params={"weight": np.array([[1, 0], [-1, 1]], np.int8),
                                                "scale": np.array([[0.5]], f32)})
    b = g.add("linear", [x], name="b", params={"weight": np.array([[1, 1], [0, -1]], np.int8),
                                                "scale": np.array([[0.25]], f32)})
    s = g.add("add", [a, b], name="sum")
    g.add("output", [s], name="y")
    return g, "integerize{frac_bits=8}"


def avgpool_sum():
    """avgpool2d 2×2 on spikes → sumpool2d with σ = 1/4: output scale 0.25."""
    g = Graph("avgpool_sum", {"timesteps": 1})
    x = g.add("input", attrs={"shape": (1, 2, 4), "dtype": "spike"}, name="x")
    p = g.add("avgpool2d", [x], attrs={"kernel": (2, 2)}, name="pool")
    g.add("output", [p], name="y")
    return g, "integerize{frac_bits=8}"


def threshold_exact():
    """uint<4> input, scale op 0.1 (σ = 0.1), threshold θ = 0.55 (ge): r·0.1 ≥ 0.55 ⇔ r ≥ ceil(5.5) = 6
    — exact; the float scale op disappears."""
    g = Graph("threshold_exact", {"timesteps": 1})
    x = g.add("input", attrs={"shape": (3,), "dtype": "uint<4>", "scale": 0.1}, name="x")
    r = g.add("scale", [x], params={"scale": np.array([[0.1]], f32)}, name="x_real")
    t = g.add("threshold", [r], params={"threshold": np.array([[0.55]], f32)}, name="t")
    g.add("output", [t], name="y")
    return g, "integerize{frac_bits=8}"


def negative_scale():
    """A per-channel scale with a negative entry [-0.5, 0.5]: the row of that channel is negated
    (levels [1, -1] → [-1, 1]) so that σ = [0.5, 0.5] > 0; the lif then sees one scalar σ:
    threshold 1/(0.5/256) = 512, leak 0.5 → 1 with shift 1."""
    g = Graph("negative_scale", {"timesteps": 2})
    x = g.add("input", attrs={"shape": (2,), "dtype": "spike"}, name="x")
    fc = g.add("linear", [x], name="fc", params={"weight": np.array([[1, -1], [1, 1]], np.int8),
                                                  "scale": np.array([[-0.5, 0.5]], f32)})
    n = g.add("lif", [fc], name="lif", params={"beta": np.array([[0.5]], f32),
                                                "threshold": np.array([[1.0]], f32)})
    g.add("output", [n], name="y")
    return g, "integerize{frac_bits=8}"


def f32_input():
    """An f32 input with integerize{input_range=2.0,input_bits=4}: int<4> with step 2/7; a float
    weight W = [[0.5, -0.25]] lies on a grid (levels [2, -1] × 0.25, exact): σ_y = 0.25·2/7 = 1/14;
    the output (β = 0, scalar σ) keeps the raw sum with scale 1/14."""
    g = Graph("f32_input", {"timesteps": 1})
    x = g.add("input", attrs={"shape": (2,), "dtype": "f32"}, name="x")
    fc = g.add("linear", [x], name="fc", params={"weight": np.array([[0.5, -0.25]], f32)})
    g.add("output", [fc], name="y")
    return g, "integerize{frac_bits=8,input_range=2.0,input_bits=4}"


def temporal_scale():
    """A per-timestep scale s = [0.5, 0.25] (period 2) on a lif (β = 0.5, θ = 1), T = 2, f = 4:
    leak[t] = β·s[t-1]/s[t] = [0.5·0.25/0.5, 0.5·0.5/0.25] = [0.25, 1.0] → ·2^12, factors of 2
    removed: [1, 4] with shift 2; threshold[t] = 1·16/s[t] = [32, 64]."""
    g = Graph("temporal_scale", {"timesteps": 2})
    x = g.add("input", attrs={"shape": (2,), "dtype": "spike"}, name="x")
    fc = g.add("linear", [x], name="fc", params={"weight": np.array([[1, 1]], np.int8),
                                                  "scale": np.array([[0.5], [0.25]], f32)})
    n = g.add("lif", [fc], name="lif", params={"beta": np.array([[0.5]], f32),
                                                "threshold": np.array([[1.0]], f32)})
    g.add("output", [n], name="y")
    return g, "integerize{frac_bits=4}"


CASES = {f.__name__: f for f in (lif_scaled, if_exact_leak, multispike_pow2, add_align, avgpool_sum,
                                  threshold_exact, negative_scale, f32_input, temporal_scale)}


def write(expected: bool) -> None:
    for name, make in CASES.items():
        g, pipeline = make()
        path = HERE / f"{name}.in.snnir"
        save(g, path)
        doc = "\n".join("# " + line.strip() for line in make.__doc__.strip().splitlines())
        path.write_text(f"# pipeline: {pipeline}\n{doc}\n" + path.read_text())
        if expected:
            out = run_pipeline(load(path), pipeline).graph
            save(out, HERE / f"{name}.out.snnir")
            print(f"--- {name}: {pipeline}\n{print_graph(out)}")


if __name__ == "__main__":
    write("--expected" in sys.argv[1:])
