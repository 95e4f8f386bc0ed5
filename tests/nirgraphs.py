"""Small NIR graphs written the way snnTorch's exporter writes them (τ = dt/(1−β), r = τ/dt,
float32 arrays, weights a scale times ternary levels), for the import, CLI and grid tests."""
import numpy as np

import nir

DT = 1e-4


def ternary(rng, out, inp, scale=0.05):
    return (rng.integers(-1, 2, (out, inp)).astype(np.float32) * np.float32(scale)).astype(np.float32)


def lif(n, beta=0.9, threshold=1.0, dt=DT):
    tau = np.full(n, dt / (1 - beta), np.float32)
    return nir.LIF(tau=tau, r=(tau / dt).astype(np.float32), v_leak=np.zeros(n, np.float32),
                   v_threshold=np.full(n, threshold, np.float32))


def mlp(sizes=(16, 32, 10), seed=0, scale=0.05, beta=0.9, threshold=1.0) -> nir.NIRGraph:
    """Input → (Affine with ternary·scale weights → LIF)* → Output."""
    rng = np.random.default_rng(seed)
    nodes = {"input": nir.Input(np.array([sizes[0]]))}
    edges, prev = [], "input"
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        nodes[f"fc{i}"] = nir.Affine(ternary(rng, b, a, scale), np.zeros(b, np.float32))
        nodes[f"lif{i}"] = lif(b, beta, threshold)
        edges += [(prev, f"fc{i}"), (f"fc{i}", f"lif{i}")]
        prev = f"lif{i}"
    nodes["output"] = nir.Output(np.array([sizes[-1]]))
    edges.append((prev, "output"))
    return nir.NIRGraph(nodes, edges)


def write_mlp(path, **kw):
    nir.write(str(path), mlp(**kw))
    return path
