"""Write examples/ir/spiking_mlp.snnir (+ .npz): a small spiking MLP in the text IR.

16 binary inputs → linear with a time-varying ternary weight bank (T_w = 4) and a
per-timestep scale (as TaWQ produces) → LIF → static ternary linear → leaky
integrator readout. Deterministic (seeded); run `python examples/make_example_ir.py`.
"""
from pathlib import Path

import numpy as np

from snnc.ir import Graph, save

T = 4


def build() -> Graph:
    rng = np.random.default_rng(7)
    g = Graph("spiking_mlp", {"dt": 0.001, "timesteps": T})
    x = g.add("input", attrs={"shape": (16,), "dtype": "spike"}, name="x")
    w1 = rng.choice([-1, 0, 1], size=(T, 24, 16), p=[0.3, 0.4, 0.3]).astype(np.int8)
    alpha = np.array([0.5, 0.375, 0.625, 0.5], np.float32).reshape(T, 1)
    fc1 = g.add("linear", [x], params={"weight": w1, "scale": alpha}, name="fc1")
    lif1 = g.add("lif", [fc1], params={"beta": np.full((1, 1), 0.875, np.float32),
                                       "threshold": np.full((1, 1), 1.0, np.float32)},
                 attrs={"reset": "subtract", "compare": "ge"}, name="lif1")
    w2 = rng.choice([-1, 0, 1], size=(10, 24), p=[0.3, 0.4, 0.3]).astype(np.int8)
    fc2 = g.add("linear", [lif1], params={"weight": w2, "scale": np.full((1, 10), 0.25, np.float32),
                                          "bias": np.zeros((1, 10), np.float32)}, name="fc2")
    readout = g.add("li", [fc2], params={"beta": np.full((1, 1), 0.75, np.float32)}, name="readout")
    g.add("output", [readout], name="y")
    return g.verify()


if __name__ == "__main__":
    out = Path(__file__).parent / "ir" / "spiking_mlp.snnir"
    save(build(), out)
    print(f"wrote {out} and {out.with_suffix('.npz')}")
