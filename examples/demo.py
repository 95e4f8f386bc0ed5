"""`make demo`: the main job on the shipped example.

For now (the foundation): parse and verify the example IR file, run it on the
reference interpreter with a fixed spike input, and print its outputs.
"""
import sys
from pathlib import Path

import numpy as np

from snnc.backends import reference
from snnc.ir import load, print_graph

EXAMPLE = Path(__file__).parent / "ir" / "spiking_mlp.snnir"


def main() -> int:
    g = load(EXAMPLE)
    g.verify()
    print(f"== {EXAMPLE.name}: verified, {len(g)} nodes ==")
    print(print_graph(g))
    T = int(g.attrs.get("timesteps", 4))
    x = (np.random.default_rng(0).random((T, 3, *g.inputs[0].type.shape)) < 0.4).astype(np.int64)
    y = reference.run(g, x)
    print(f"== reference interpreter: input spikes [T={T}, B=3, 16] → readout {list(y.shape)} ==")
    with np.printoptions(precision=3, suppress=True, linewidth=110, floatmode="fixed"):
        for t in range(T):
            print(f"t={t}, sample 0:", y[t, 0])
    print("prediction per sample (argmax of mean over T):", y.mean(axis=0).argmax(axis=-1).tolist())
    return 0


if __name__ == "__main__":
    sys.exit(main())
