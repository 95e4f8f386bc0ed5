"""Speed on the digits test set (360 samples, T = 8) for the reference architectures, float and
integer: an MLP, a CNN (2 conv + 2 FC) and a small spike-driven transformer block. Weights are
random (the interpreter's speed does not depend on training); integer graphs must also give the
same integers whatever the batch split."""
import time

import numpy as np
import pytest
from sklearn.datasets import load_digits

from snnc.backends.reference import encode_inputs, run
from snnc.ir import Graph

T, N_TEST = 8, 360
f32, i8, i32 = np.float32, np.int8, np.int32


def digits_input() -> np.ndarray:
    """The last 360 digits as real values p/16 in [0, 1], repeated over T: [T, 360, 1, 8, 8]."""
    images = load_digits().images[-N_TEST:].astype(np.float64) / 16
    return np.broadcast_to(images[None, :, None], (T, N_TEST, 1, 8, 8)).copy()


def ternary(rng, *shape):
    return rng.integers(-1, 2, shape).astype(i8)


def neuron(g, x, integer, name, th_int=8):
    if integer:
        return g.add("lif_int", [x], name=name, attrs={"shift": 4, "state_bits": 24},
                     params={"leak": np.full((1,) * (len(x.type.shape) + 1), 14, i32),
                             "threshold": np.full((1,) * (len(x.type.shape) + 1), th_int, i32)})
    one = (1,) * (len(x.type.shape) + 1)
    return g.add("plif", [x], name=name, params={"beta": np.full(one, 0.875, f32),
                                                  "threshold": np.full(one, 1.0, f32)})


def readout(g, x, integer):
    if integer:
        return g.add("li_int", [x], name="readout", attrs={"shift": 4, "state_bits": 24},
                     params={"leak": np.full((1, 1), 14, i32)})
    return g.add("li", [x], name="readout", params={"beta": np.full((1, 1), 0.875, f32)})


def weights(rng, integer, *shape):
    return ternary(rng, *shape) if integer else (rng.normal(size=shape) / np.sqrt(np.prod(shape[1:]))).astype(f32)


def start(integer, shape):
    g = Graph("net")
    dt = {"dtype": "uint<5>", "scale": 1 / 16} if integer else {"dtype": "f32"}
    return g, g.add("input", attrs={"shape": shape, **dt}, name="x")


def mlp(integer):
    rng = np.random.default_rng(0)
    g, x = start(integer, (1, 8, 8))
    h = g.add("flatten", [x], name="flat")
    h = neuron(g, g.add("linear", [h], params={"weight": weights(rng, integer, 128, 64)}, name="fc1"),
               integer, "sp1", th_int=24)
    h = neuron(g, g.add("linear", [h], params={"weight": weights(rng, integer, 128, 128)}, name="fc2"),
               integer, "sp2", th_int=2)
    g.add("output", [readout(g, g.add("linear", [h], params={"weight": weights(rng, integer, 10, 128)},
                                      name="fc3"), integer)], name="y")
    return g


def cnn(integer):
    rng = np.random.default_rng(1)
    g, x = start(integer, (1, 8, 8))
    h = g.add("conv2d", [x], attrs={"padding": 1}, params={"weight": weights(rng, integer, 16, 1, 3, 3)},
              name="conv1")
    h = neuron(g, h, integer, "sp1", th_int=16)
    h = g.add("maxpool2d", [h], attrs={"kernel": 2}, name="pool1")
    h = g.add("conv2d", [h], attrs={"padding": 1}, params={"weight": weights(rng, integer, 32, 16, 3, 3)},
              name="conv2")
    h = neuron(g, h, integer, "sp2", th_int=2)
    h = g.add("sumpool2d" if integer else "avgpool2d", [h], attrs={"kernel": 2}, name="pool2")
    h = g.add("flatten", [h], name="flat")
    h = neuron(g, g.add("linear", [h], params={"weight": weights(rng, integer, 64, 128)}, name="fc1"),
               integer, "sp3", th_int=2)
    g.add("output", [readout(g, g.add("linear", [h], params={"weight": weights(rng, integer, 10, 64)},
                                      name="fc2"), integer)], name="y")
    return g


def transformer(integer):
    """Tokens = the 8 image rows (8 features each): embed, Q/K/V spikes, attention
    Q·(Kᵀ·V) without softmax, projection, residual, MLP head."""
    rng = np.random.default_rng(2)
    g, x = start(integer, (8, 8))
    e = neuron(g, g.add("linear", [x], params={"weight": weights(rng, integer, 32, 8)}, name="embed"),
               integer, "emb_sp", th_int=12)
    qkv = [neuron(g, g.add("linear", [e], params={"weight": weights(rng, integer, 32, 32)}, name=f"w{n}"),
                  integer, f"{n}_sp", th_int=2) for n in "qkv"]
    kv = g.add("spike_matmul", [qkv[1], qkv[2]], attrs={"transpose_a": True}, name="kv")
    att = g.add("spike_matmul", [qkv[0], kv], attrs={"scale": 1.0 if integer else 0.125}, name="attn")
    a = neuron(g, att, integer, "attn_sp", th_int=64)
    proj = g.add("linear", [a], params={"weight": weights(rng, integer, 32, 32)}, name="proj")
    h = neuron(g, g.add("add", [proj, e], name="residual"), integer, "res_sp", th_int=2)
    h = g.add("flatten", [h], name="flat")
    g.add("output", [readout(g, g.add("linear", [h], params={"weight": weights(rng, integer, 10, 256)},
                                      name="head"), integer)], name="y")
    return g


MODELS = {"mlp": mlp, "cnn": cnn, "transformer": transformer}


@pytest.mark.parametrize("integer", [False, True], ids=["float", "integer"])
@pytest.mark.parametrize("model", sorted(MODELS))
def test_digits_test_set_runs_fast(model, integer):
    g = MODELS[model](integer)
    g.verify()
    real = digits_input()
    if model == "transformer":
        real = real[:, :, 0]
    x = encode_inputs(g, real)
    run(g, x[:, :4])                                  # warm-up (imports, first-call costs)
    t0 = time.perf_counter()
    y, tr = run(g, x, trace=True)
    elapsed = time.perf_counter() - t0
    print(f"{model} {'integer' if integer else 'float'}: {elapsed * 1000:.0f} ms for {N_TEST} samples, T={T}")
    assert y.shape == (T, N_TEST, 10)
    rates = {n.name: tr[n.name].mean() for n in g if n.op in ("plif", "lif_int")}
    assert rates and all(0 < r < 1 for r in rates.values()), rates        # the network is neither silent nor saturated
    assert elapsed < 4.0, f"{elapsed:.2f} s"                      # target: well under 2 s (2 shared cores)
    if integer:
        parts = np.concatenate([run(g, x[:, i:i + 90]) for i in range(0, N_TEST, 90)], axis=1)
        assert np.array_equal(parts, y)
