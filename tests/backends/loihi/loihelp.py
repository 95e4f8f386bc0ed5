"""Small float graphs shaped like the frontend's (integer levels × scale, LIF neurons), the paths
of the shipped checkpoints, for the loihi and nir target tests, and the loihi network of a float
graph (`network`: the loihi pipeline, then `build_network`)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from snnc.backends.loihi import LoihiOptions, LoihiTarget, Network, build_network
from snnc.ir import Graph
from snnc.passes import run_pipeline

ROOT = Path(__file__).resolve().parents[3]
CHECKPOINTS = sorted((ROOT / "examples" / "checkpoints").glob("*.pt"))


def prepared(g: Graph, **options) -> Graph:
    """`g` after the loihi pipeline: the graph `build_network` maps."""
    target = LoihiTarget()
    return run_pipeline(g, target.pipeline(target.options(options))).graph


def network(g: Graph, **options) -> Network:
    """The Loihi network of a float graph (what `snnc.compile(g, target="loihi", **options)` builds)."""
    return build_network(prepared(g, **options), LoihiOptions(**options))


def col(values) -> np.ndarray:
    """A static per-output-channel broadcast parameter of a vector value: shape (1, n)."""
    return np.asarray(values, np.float32).reshape(1, -1)


def scalar(value, rank: int = 1) -> np.ndarray:
    return np.full((1,) * (rank + 1), value, np.float32)


def ternary(rng, shape, density=0.6) -> np.ndarray:
    return (rng.choice([-1, 1], size=shape) * (rng.random(shape) < density)).astype(np.int8)


def mlp(rng, sizes=(16, 24, 5), *, neuron="lif", reset="zero", compare="gt", beta=0.75, input_dtype="uint<5>",
        input_scale=0.0625, per_channel_scale=True, bias=True, bank=1, name="mlp", T=6) -> Graph:
    """input → [scale] → (linear → neuron)* → linear → output, ternary weights with scales."""
    g = Graph(name, {"timesteps": T})
    x = g.add("input", [], {"shape": (sizes[0],), "dtype": input_dtype,
                            "scale": input_scale if input_dtype not in ("spike", "f32") else 1.0}, name="x")
    v = x
    if input_dtype != "spike":
        v = g.add("scale", [x], {}, {"scale": scalar(input_scale)}, name="x_real")
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        w = ternary(rng, (bank, n_out, n_in) if bank > 1 else (n_out, n_in))
        s = rng.uniform(0.3, 0.9, size=n_out) if per_channel_scale else np.full(n_out, 0.6)
        s = np.tile(s, (bank, 1)).reshape(bank, n_out) * (1 + np.arange(bank)[:, None] * 0.1)
        params = {"weight": w, "scale": s.astype(np.float32)}
        if bias:
            params["bias"] = col(rng.uniform(-0.2, 0.3, size=n_out))
        v = g.add("linear", [v], {}, params, name=f"fc{i}")
        if i < len(sizes) - 2:
            attrs = {"reset": reset, "compare": compare}
            if neuron == "if":
                v = g.add("if", [v], attrs, {"threshold": scalar(1.0)}, name=f"lif{i}")
            elif neuron == "cuba_lif":
                v = g.add("cuba_lif", [v], attrs, {"alpha": scalar(0.5), "beta": scalar(beta),
                                                  "threshold": scalar(1.0)}, name=f"lif{i}")
            else:
                v = g.add(neuron, [v], attrs, {"beta": scalar(beta), "threshold": scalar(1.0)}, name=f"lif{i}")
    g.add("output", [v], name="y")
    return g.verify()


def cnn(rng, *, reset="zero", compare="gt", T=5, channels=(4, 6), name="cnn") -> Graph:
    """[1, 8, 8] uint input → (conv → lif → maxpool) × 2 → flatten → linear → output."""
    g = Graph(name, {"timesteps": T})
    x = g.add("input", [], {"shape": (1, 8, 8), "dtype": "uint<5>", "scale": 0.0625}, name="x")
    v = g.add("scale", [x], {}, {"scale": scalar(0.0625, 3)}, name="x_real")
    c_in = 1
    for i, c in enumerate(channels):
        w = ternary(rng, (c, c_in, 3, 3))
        s = rng.uniform(0.3, 0.9, size=c).astype(np.float32).reshape(1, c, 1, 1)
        b = rng.uniform(-0.2, 0.3, size=c).astype(np.float32).reshape(1, c, 1, 1)
        v = g.add("conv2d", [v], {"padding": (1, 1)}, {"weight": w, "scale": s, "bias": b}, name=f"conv{i}")
        v = g.add("lif", [v], {"reset": reset, "compare": compare},
                  {"beta": scalar(0.5, 3), "threshold": scalar(1.0, 3)}, name=f"lif{i}")
        v = g.add("maxpool2d", [v], {"kernel": (2, 2), "stride": (2, 2)}, name=f"pool{i}")
        c_in = c
    v = g.add("flatten", [v], {"start": 0}, name="flat")
    n = int(np.prod(g[v.name].type.shape))
    v = g.add("linear", [v], {}, {"weight": ternary(rng, (10, n)), "scale": col(rng.uniform(0.2, 0.5, 10)),
                                  "bias": col(np.zeros(10))}, name="fc")
    g.add("output", [v], name="y")
    return g.verify()


def digits_like(rng, T, B, shape, hi=16) -> np.ndarray:
    """Real-valued direct-encoded images: the same frame of multiples of 1/16 at every step."""
    frame = rng.integers(0, hi + 1, size=(B,) + tuple(shape)) / 16.0
    return np.broadcast_to(frame, (T, B) + tuple(shape)).copy()
