"""Build the text-IR pass cases under cases/<pass>/: ``<case>.in.snnir`` (first line
``# pipeline: …``) and ``<case>.out.snnir``, each with its ``.npz`` of parameters.

Every expected output below is written by hand from the pass's equations — with
parameters chosen so that every number is exact in float32 (dyadic fractions), so the
expectation does not depend on the order in which a pass evaluates them. The comment at
each case gives the arithmetic. Run ``python tests/passes/make_cases.py`` to rewrite
the files; `test_cases.py` checks that the files and this script agree.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from snnc.ir import Graph, save

HERE = Path(__file__).parent / "cases"
f32, i8, i32 = np.float32, np.int8, np.int32
CASES: dict[tuple[str, str], tuple[str, Callable]] = {}   # (pass, case) → (pipeline, builder)


def case(pass_dir: str, name: str, pipeline: str):
    def deco(fn):
        CASES[(pass_dir, name)] = (pipeline, fn)
        return fn
    return deco


def a(values, dtype=f32):
    return np.array(values, dtype)


def spike_in(g, n):
    return g.add("input", attrs={"shape": (n,), "dtype": "spike"}, name="x").name


def lif_params(beta=0.5, th=1.0):
    return {"beta": a([[beta]]), "threshold": a([[th]])}


# ------------------------------------------------------------------ fold-batchnorm
@case("fold-batchnorm", "linear_into_scale", "fold-batchnorm")
def _():
    # g = γ/sqrt(var+eps) = [1/2, 2/1]; scale' = [0.5, 0.25]·g = [0.25, 0.5];
    # bias' = (b − μ)·g + β = [(1 − 0.5)·0.5 + 0.25, (−1 + 0.5)·2 + 0.5] = [0.5, −0.5]
    W = a([[1, 0, -1], [1, 1, 0]], i8)
    g = Graph("bn_linear", {"timesteps": 4})
    spike_in(g, 3)
    g.add("linear", ["x"], params={"weight": W, "scale": a([[0.5, 0.25]]), "bias": a([[1.0, -1.0]])}, name="fc")
    g.add("batchnorm", ["fc"], {"eps": 0.25}, {"mean": a([0.5, -0.5]), "var": a([3.75, 0.75]),
                                               "weight": a([1.0, 2.0]), "bias": a([0.25, 0.5])}, name="bn")
    g.add("lif", ["bn"], params=lif_params(), name="n")
    g.add("output", ["n"], name="y")
    h = Graph("bn_linear", {"timesteps": 4})
    spike_in(h, 3)
    h.add("linear", ["x"], params={"weight": W, "scale": a([[0.25, 0.5]]), "bias": a([[0.5, -0.5]])}, name="fc")
    h.add("lif", ["fc"], params=lif_params(), name="n")
    h.add("output", ["n"], name="y")
    return g, h


@case("fold-batchnorm", "conv_per_timestep_scale", "fold-batchnorm")
def _():
    # g = [2/1, 1/2]; scale' = s[t]·g = [[1, 0.5], [0.5, 1]]; no bias: bias' = −μ·g + β = [−2, 0.125]
    W = a([[[[1]]], [[[-1]]]], i8)
    def build(fold):
        g = Graph("bn_conv")
        g.add("input", attrs={"shape": (1, 2, 2), "dtype": "spike"}, name="x")
        scale = a([[0.5, 1.0], [0.25, 2.0]]).reshape(2, 2, 1, 1)
        if fold:
            g.add("conv2d", ["x"], params={"weight": W, "scale": a([[1.0, 0.5], [0.5, 1.0]]).reshape(2, 2, 1, 1),
                                           "bias": a([-2.0, 0.125]).reshape(1, 2, 1, 1)}, name="c")
        else:
            g.add("conv2d", ["x"], params={"weight": W, "scale": scale}, name="c")
            g.add("batchnorm", ["c"], {"eps": 0.25}, {"mean": a([1.0, 0.0]), "var": a([0.75, 3.75]),
                                                      "weight": a([2.0, 1.0]), "bias": a([0.0, 0.125])}, name="bn")
        g.add("plif", ["c" if fold else "bn"], params={"beta": a([0.5]).reshape(1, 1, 1, 1),
                                                         "threshold": a([1.0]).reshape(1, 1, 1, 1)}, name="n")
        g.add("output", ["n"], name="y")
        return g
    return build(False), build(True)


@case("fold-batchnorm", "unfoldable_become_affine", "fold-batchnorm")
def _():
    # bn0 on the input: g = [1/1, 3/2], bias = β − μ·g = [0 − 0.5, 0.5 − 1.5] (channel axis 0 of [2, 3]);
    # bn1 after a linear that also feeds an output: g = [2/2, 1/1] on axis 1, bias = [0.5 − 0, 0 − 1]
    def build(fold):
        g = Graph("bn_affine")
        g.add("input", attrs={"shape": (2, 3), "dtype": "f32"}, name="x")
        if fold:
            g.add("affine", ["x"], params={"scale": a([1.0, 1.5]).reshape(1, 2, 1),
                                           "bias": a([-0.5, -1.0]).reshape(1, 2, 1)}, name="bn0")
        else:
            g.add("batchnorm", ["x"], {"eps": 0.25}, {"mean": a([0.5, 1.0]), "var": a([0.75, 3.75]),
                                                      "weight": a([1.0, 3.0]), "bias": a([0.0, 0.5])}, name="bn0")
        g.add("linear", ["bn0"], params={"weight": a([[1.0, 0.0, 0.5], [0.0, 1.0, 0.0]])}, name="fc")
        if fold:
            g.add("affine", ["fc"], params={"scale": a([1.0, 1.0]).reshape(1, 1, 2),
                                            "bias": a([0.5, -1.0]).reshape(1, 1, 2)}, name="bn1")
        else:
            g.add("batchnorm", ["fc"], {"eps": 0.5, "axis": 1}, {"mean": a([0.0, 1.0]), "var": a([3.5, 0.5]),
                                                                 "weight": a([2.0, 1.0]), "bias": a([0.5, 0.0])},
                  name="bn1")
        g.add("output", ["fc"], name="side")
        g.add("output", ["bn1"], name="y")
        return g
    return build(False), build(True)


# ------------------------------------------------------------------ fold-temporal-scale
@case("fold-temporal-scale", "lif_weight_bank", "fold-temporal-scale")
def _():
    # s = [[.5, .25], [.25, .5], [1, .5]] (period 3; the weight bank has 2):
    # bias b/s = [[1, 1], [2, .5], [.5, .5]]; θ/s = [[2, 4], [4, 2], [1, 2]];
    # β'[t] = .5·s[t−1]/s[t]: β'[0] = .5·s[2]/s[0] = [1, 1], β'[1] = [1, .25], β'[2] = [.125, .5]
    W = a([[[1, 0, -1], [0, 1, 1]], [[1, 1, 0], [-1, 0, 1]]], i8)
    g = Graph("tw")
    spike_in(g, 3)
    g.add("linear", ["x"], params={"weight": W, "scale": a([[0.5, 0.25], [0.25, 0.5], [1.0, 0.5]]),
                                   "bias": a([[0.5, 0.25]])}, name="fc")
    g.add("lif", ["fc"], params=lif_params(), name="n")
    g.add("output", ["n"], name="y")
    h = Graph("tw")
    spike_in(h, 3)
    h.add("linear", ["x"], params={"weight": W, "bias": a([[1.0, 1.0], [2.0, 0.5], [0.5, 0.5]])}, name="fc")
    h.add("lif", ["fc"], params={"beta": a([[1.0, 1.0], [1.0, 0.25], [0.125, 0.5]]),
                                 "threshold": a([[2.0, 4.0], [4.0, 2.0], [1.0, 2.0]])}, name="n")
    h.add("output", ["n"], name="y")
    return g, h


@case("fold-temporal-scale", "if_channel_scale", "fold-temporal-scale")
def _():
    # static s = [.5, 2]: θ' = 1/s = [2, .5]; `if` stays `if`; no bias on a spike × level product:
    # a zero float bias keeps the accumulator a float value
    W = a([[1, -1, 0], [0, 1, 1]], i8)
    g = Graph("ifs")
    spike_in(g, 3)
    g.add("linear", ["x"], params={"weight": W, "scale": a([[0.5, 2.0]])}, name="fc")
    g.add("if", ["fc"], {"reset": "zero"}, {"threshold": a([[1.0]])}, name="n")
    g.add("output", ["n"], name="y")
    h = Graph("ifs")
    spike_in(h, 3)
    h.add("linear", ["x"], params={"weight": W, "bias": a([[0.0]])}, name="fc")
    h.add("if", ["fc"], {"reset": "zero"}, {"threshold": a([[2.0, 0.5]])}, name="n")
    h.add("output", ["n"], name="y")
    return g, h


@case("fold-temporal-scale", "input_scale_plif", "fold-temporal-scale")
def _():
    # input scale .0625 into the layer: s = .5·.0625 = .03125; bias b/s = [8, 16]; θ/s = 32; β kept
    W = a([[1, 1], [1, -1]], i8)
    g = Graph("inscale")
    g.add("input", attrs={"shape": (2,), "dtype": "uint<5>", "scale": 0.0625}, name="x")
    g.add("scale", ["x"], params={"scale": a([[0.0625]])}, name="xs")
    g.add("linear", ["xs"], params={"weight": W, "scale": a([[0.5]]), "bias": a([[0.25, 0.5]])}, name="fc")
    g.add("plif", ["fc"], params={"beta": a([[0.5, 0.75]]), "threshold": a([[1.0]])}, name="n")
    g.add("output", ["n"], name="y")
    h = Graph("inscale")
    h.add("input", attrs={"shape": (2,), "dtype": "uint<5>", "scale": 0.0625}, name="x")
    h.add("linear", ["x"], params={"weight": W, "bias": a([[8.0, 16.0]])}, name="fc")
    h.add("plif", ["fc"], params={"beta": a([[0.5, 0.75]]), "threshold": a([[32.0]])}, name="n")
    h.add("output", ["n"], name="y")
    return g, h


@case("fold-temporal-scale", "negative_and_zero_rows_cuba", "fold-temporal-scale")
def _():
    # s = [−.5, 0, .25]: row 0 negated (|s| = .5), row 1 zeroed (s := 1), row 2 kept;
    # bias b/s = [1, .5, 2]; θ/s = [2, 1, 4]; α, β static: kept
    g = Graph("signs")
    spike_in(g, 2)
    g.add("linear", ["x"], params={"weight": a([[1, -1], [1, 1], [0, 1]], i8), "scale": a([[-0.5, 0.0, 0.25]]),
                                   "bias": a([[0.5, 0.5, 0.5]])}, name="fc")
    cuba = {"alpha": a([[0.5]]), "beta": a([[0.75]])}
    g.add("cuba_lif", ["fc"], params={**cuba, "threshold": a([[1.0]])}, name="n")
    g.add("output", ["n"], name="y")
    h = Graph("signs")
    spike_in(h, 2)
    h.add("linear", ["x"], params={"weight": a([[-1, 1], [0, 0], [0, 1]], i8), "bias": a([[1.0, 0.5, 2.0]])},
          name="fc")
    h.add("cuba_lif", ["fc"], params={**cuba, "threshold": a([[2.0, 1.0, 4.0]])}, name="n")
    h.add("output", ["n"], name="y")
    return g, h


@case("fold-temporal-scale", "sign_change_grows_a_bank", "fold-temporal-scale")
def _():
    # s = [.5, −.25] per timestep: W'[0] = W, W'[1] = −W, |s| = [.5, .25];
    # β'[0] = .5·.25/.5 = .25, β'[1] = .5·.5/.25 = 1; θ' = [2, 4]; zero bias
    W = a([[1, 0], [-1, 1]], i8)
    g = Graph("bank")
    spike_in(g, 2)
    g.add("linear", ["x"], params={"weight": W, "scale": a([[0.5], [-0.25]])}, name="fc")
    g.add("lif", ["fc"], params=lif_params(), name="n")
    g.add("output", ["n"], name="y")
    h = Graph("bank")
    spike_in(h, 2)
    h.add("linear", ["x"], params={"weight": np.stack([W, -W]), "bias": a([[0.0]])}, name="fc")
    h.add("lif", ["fc"], params={"beta": a([[0.25], [1.0]]), "threshold": a([[2.0], [4.0]])}, name="n")
    h.add("output", ["n"], name="y")
    return g, h


@case("fold-temporal-scale", "left_as_is", "fold-temporal-scale")
def _():
    # v_reset ≠ 0 with a per-channel scale; and a neuron after a layer with a second user
    def build():
        g = Graph("kept")
        spike_in(g, 2)
        g.add("linear", ["x"], params={"weight": a([[1, 0], [1, 1]], i8), "scale": a([[0.5, 0.25]])}, name="fc")
        g.add("lif", ["fc"], {"reset": "zero", "v_reset": -0.25}, lif_params(), name="n")
        g.add("linear", ["n"], params={"weight": a([[1, -1]], i8), "scale": a([[0.5]])}, name="fc2")
        g.add("if", ["fc2"], params={"threshold": a([[1.0]])}, name="n2")
        g.add("output", ["fc2"], name="side")
        g.add("output", ["n2"], name="y")
        return g
    return build(), build()


# ------------------------------------------------------------------ ptq
@case("ptq", "ternary_linear", "ptq")
def _():
    # mean|W| = 3.5/8, Δ = 0.7·0.4375: kept |W| = .5, .5, 1, 1 → α = .75; levels sign(W)·[|W| > Δ]
    def build(q):
        g = Graph("ptq_lin")
        g.add("input", attrs={"shape": (4,), "dtype": "f32"}, name="x")
        if q:
            g.add("linear", ["x"], params={"weight": a([[1, -1, 0, 0], [1, -1, 0, 0]], i8),
                                           "scale": a([[0.75, 0.75]]), "bias": a([[0.5, -0.5]])}, name="fc")
        else:
            g.add("linear", ["x"], params={"weight": a([[0.5, -0.5, 0.0, 0.25], [1.0, -1.0, 0.0, 0.25]]),
                                           "bias": a([[0.5, -0.5]])}, name="fc")
        g.add("output", ["fc"], name="y")
        return g
    return build(False), build(True)


@case("ptq", "kbit_per_channel_conv", "ptq{method=kbit,bits=3,per_channel=true}")
def _():
    # L = 3: channel 0 max .75 → s = .25, levels [3, −1]; channel 1 max 1.5 → s = .5, levels [1, 3]
    def build(q):
        g = Graph("ptq_conv")
        g.add("input", attrs={"shape": (1, 2, 2), "dtype": "f32"}, name="x")
        if q:
            g.add("conv2d", ["x"], params={"weight": a([[[[3, -1]]], [[[1, 3]]]], i8),
                                           "scale": a([0.25, 0.5]).reshape(1, 2, 1, 1)}, name="c")
        else:
            g.add("conv2d", ["x"], params={"weight": a([[[[0.75, -0.25]]], [[[0.5, 1.5]]]])}, name="c")
        g.add("output", ["c"], name="y")
        return g
    return build(False), build(True)


@case("ptq", "collapse_bank", "ptq{collapse=true}")
def _():
    # mean_t W[t]·s[t] = [[.5, .25, −.5], [.25, .5, 0]]; Δ = .7·(2/6); kept mean = 2/5
    g = Graph("collapse")
    spike_in(g, 3)
    g.add("linear", ["x"], params={"weight": a([[[1, 0, -1], [1, 1, 0]], [[1, 1, -1], [0, 1, 0]]], i8),
                                   "scale": a([[0.5, 0.5], [0.5, 0.5]])}, name="fc")
    g.add("output", ["fc"], name="y")
    h = Graph("collapse")
    spike_in(h, 3)
    h.add("linear", ["x"], params={"weight": a([[1, 1, -1], [1, 1, 0]], i8), "scale": a([[0.4, 0.4]])}, name="fc")
    h.add("output", ["fc"], name="y")
    return g, h


# ------------------------------------------------------------------ lower-multispike
def _int_in(g, n, bits=4):
    return g.add("input", attrs={"shape": (n,), "dtype": f"uint<{bits}>"}, name="x").name


def _planes(g, thresholds, before=None, dtype=i32):
    return [g.add("threshold", ["x"], params={"threshold": a([[t]], dtype)}, name=f"ms.plane{k + 1}",
                  before=before).name for k, t in enumerate(thresholds)]


@case("lower-multispike", "binary_linear", "lower-multispike{mode=binary}")
def _():
    # D = 3, frac_bits = 1 (half = 1): planes x ≥ 2k − 1 = 1, 3, 5; the linear runs once per
    # plane (bias on the first copy) and an add keeps its name
    W, b = a([[1, 0, -1], [1, 1, 1]], i8), a([[1, -1]], i32)
    g = Graph("ms")
    _int_in(g, 3)
    g.add("multispike_int", ["x"], {"D": 3, "frac_bits": 1}, name="ms")
    g.add("linear", ["ms"], params={"weight": W, "bias": b}, name="fc")
    g.add("output", ["fc"], name="y")
    h = Graph("ms")
    _int_in(h, 3)
    planes = _planes(h, [1, 3, 5])
    h.add_param("fc.weight", W)
    h.add_param("fc.bias", b)
    copies = [h.add("linear", [p], params={"weight": "fc.weight", "bias": "fc.bias"} if k == 0 else
                    {"weight": "fc.weight"}, name=f"fc.plane{k + 1}").name for k, p in enumerate(planes)]
    h.add("add", copies, name="fc")
    h.add("output", ["fc"], name="y")
    return g, h


@case("lower-multispike", "binary_add_and_output", "lower-multispike{mode=binary}")
def _():
    # D = 2, frac_bits = 0: planes x ≥ 1, x ≥ 2; the add takes the planes; the output reads their sum
    g = Graph("ms2")
    _int_in(g, 2)
    g.add("multispike_int", ["x"], {"D": 2}, name="ms")
    g.add("add", ["ms", "x"], name="s")
    g.add("output", ["ms"], name="y1")
    g.add("output", ["s"], name="y2")
    h = Graph("ms2")
    _int_in(h, 2)
    planes = _planes(h, [1, 2])
    h.add("add", planes, name="ms")
    h.add("add", planes + ["x"], name="s")
    h.add("output", ["ms"], name="y1")
    h.add("output", ["s"], name="y2")
    return g, h


@case("lower-multispike", "binary_one_level", "lower-multispike{mode=binary}")
def _():
    # D = 1, frac_bits = 2 (half = 2): the node itself becomes the plane x ≥ 4 − 2
    W = a([[1, -1]], i8)
    g = Graph("ms1")
    _int_in(g, 2)
    g.add("multispike_int", ["x"], {"D": 1, "frac_bits": 2}, name="ms")
    g.add("linear", ["ms"], params={"weight": W}, name="fc")
    g.add("output", ["fc"], name="y")
    h = Graph("ms1")
    _int_in(h, 2)
    h.add("threshold", ["x"], params={"threshold": a([[2]], i32)}, name="ms")
    h.add("linear", ["ms"], params={"weight": W}, name="fc")
    h.add("output", ["fc"], name="y")
    return g, h


@case("lower-multispike", "binary_float_multispike", "lower-multispike{mode=binary}")
def _():
    # float multispike D = 2: planes x ≥ 0.5, x ≥ 1.5 (float thresholds)
    W = a([[0.5, -0.25], [1.0, 2.0]])
    g = Graph("msf")
    g.add("input", attrs={"shape": (2,), "dtype": "f32"}, name="x")
    g.add("multispike", ["x"], {"D": 2}, name="ms")
    g.add("linear", ["ms"], params={"weight": W, "bias": a([[0.5, 0.0]])}, name="fc")
    g.add("output", ["fc"], name="y")
    h = Graph("msf")
    h.add("input", attrs={"shape": (2,), "dtype": "f32"}, name="x")
    planes = _planes(h, [0.5, 1.5], dtype=f32)
    h.add_param("fc.weight", W)
    h.add_param("fc.bias", a([[0.5, 0.0]]))
    copies = [h.add("linear", [p], params={"weight": "fc.weight", "bias": "fc.bias"} if k == 0 else
                    {"weight": "fc.weight"}, name=f"fc.plane{k + 1}").name for k, p in enumerate(planes)]
    h.add("add", copies, name="fc")
    h.add("output", ["fc"], name="y")
    return g, h


@case("lower-multispike", "graded_keeps_counts", "lower-multispike{mode=graded}")
def _():
    def build():
        g = Graph("graded")
        _int_in(g, 2)
        g.add("multispike_int", ["x"], {"D": 4, "frac_bits": 1}, name="ms")
        g.add("linear", ["ms"], params={"weight": a([[1, -1]], i8)}, name="fc")
        g.add("output", ["fc"], name="y")
        return g
    return build(), build()


# ------------------------------------------------------------------ dce
@case("dce", "unused_branch", "dce")
def _():
    def build(clean):
        g = Graph("dead")
        spike_in(g, 2)
        if not clean:
            g.add("linear", ["x"], params={"weight": a([[1, 1]], i8)}, name="unused")
        g.add("linear", ["x"], params={"weight": a([[1, -1]], i8)}, name="fc")
        g.add("output", ["fc"], name="y")
        return g
    return build(False), build(True)


def write(pass_dir: str, name: str, root: Path = HERE) -> None:
    pipeline, fn = CASES[(pass_dir, name)]
    before, after = fn()
    folder = root / pass_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = save(before, folder / f"{name}.in.snnir")
    path.write_text(f"# pipeline: {pipeline}\n" + path.read_text())
    save(after, folder / f"{name}.out.snnir")


def main():
    for pass_dir, name in CASES:
        write(pass_dir, name)
        print(f"wrote cases/{pass_dir}/{name}")


if __name__ == "__main__":
    main()
