"""Integer neurons (lif_int, cuba_lif_int, li_int, multispike_int) against hand-computed values,
overflow errors, saturation, and a scalar Python-int loop on random data."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refhelp import p1, seq, single
from snnc.backends.reference import ExecutionError, UnprovenError, inputs, run
from snnc.ir import Graph, VerifyError
from snnc.ir.verify import unproven

i32 = np.int32
I5 = [3, 4, -5, 6, 0]


def lif_int(reset="subtract", compare="ge", v_reset=0, **attrs):
    # leak 3 >> 2 = 0.75, threshold 10, I << 1, bias -1
    a = {"reset": reset, "compare": compare, "v_reset": v_reset, "shift": 2, "in_shift": 1, "state_bits": 16}
    a.update(attrs)
    return single("lif_int", (1,), "int<8>", attrs=a,
                  params={"leak": p1(3, i32), "threshold": p1(10, i32), "bias": p1(-1, i32)})


@pytest.mark.parametrize("reset, compare, v_reset, spikes, v", [
    # t0: 0 + 6 - 1 = 5 | t1: (15>>2)=3 + 8 - 1 = 10 fires at ≥ → 0 | t2: 0 - 10 - 1 = -11
    # t3: (-33>>2) = floor(-8.25) = -9; -9 + 12 - 1 = 2 | t4: (6>>2)=1 + 0 - 1 = 0
    ("subtract", "ge", 0, [0, 1, 0, 0, 0], [5, 0, -11, 2, 0]),
    # gt: t1 stays 10 | t2: (30>>2)=7 - 10 - 1 = -4 | t3: (-12>>2)=-3 + 12 - 1 = 8 | t4: (24>>2)=6 - 1 = 5
    ("subtract", "gt", 0, [0, 0, 0, 0, 0], [5, 10, -4, 8, 5]),
    # zero to -2: t2: (-6>>2) = floor(-1.5) = -2; -2 - 10 - 1 = -13 | t3: (-39>>2) = -10; -10 + 11 = 1
    # t4: (3>>2) = 0; 0 - 1 = -1
    ("zero", "ge", -2, [0, 1, 0, 0, 0], [5, -2, -13, 1, -1]),
    ("none", "ge", 0, [0, 1, 0, 0, 0], [5, 10, -4, 8, 5]),
])
def test_lif_int_hand_values(reset, compare, v_reset, spikes, v):
    y, tr = run(lif_int(reset, compare, v_reset), seq(I5, np.int64), trace=True)
    assert y.dtype == np.int64 and y.ravel().tolist() == spikes
    assert tr["n#v"].ravel().tolist() == v


def saturating(saturate):
    # state int<4> = [-8, 7]; leak 4 >> 2 = identity; threshold 7; reset none
    return single("lif_int", (1,), "int<8>", params={"leak": p1(4, i32), "threshold": p1(7, i32)},
                  attrs={"shift": 2, "state_bits": 4, "saturate": saturate, "reset": "none"})


def test_lif_int_saturate_clamps_state():
    # h: 5 | 10 → 7 (fires at 7 ≥ 7) | 7 - 20 = -13 → -8 | -8 + 3 = -5
    y, tr = run(saturating(True), seq([5, 5, -20, 3], np.int64), trace=True)
    assert y.ravel().tolist() == [0, 1, 0, 0] and tr["n#v"].ravel().tolist() == [5, 7, -8, -5]


def unverified(op, x_dtype, attrs, params):
    """input → op → output built without verify(): a graph the static width proof refuses."""
    g = Graph("g")
    g.add("input", attrs={"shape": (1,), "dtype": x_dtype}, name="x")
    g.add(op, ["x"], attrs=attrs, params=params, name="n")
    g.add("output", ["n"], name="y")
    return g


@pytest.fixture
def unproven_runs(monkeypatch):
    """Runs without the static timestep proof, to reach the kernel's own range checks."""
    monkeypatch.setattr(inputs, "check_timesteps", lambda graph, T: None)


def test_narrow_state_is_refused_by_verify_and_before_a_run():
    with pytest.raises(VerifyError, match=r"node %n: lif_int: .*int<4> state for inputs of type int<8>.*"
                                          r"overflow at timestep 0; set saturate=true, widen state_bits"):
        saturating(False)
    g = unverified("lif_int", "int<8>", {"shift": 2, "state_bits": 4, "saturate": False, "reset": "none"},
                   {"leak": p1(4, i32), "threshold": p1(7, i32)})
    with pytest.raises(UnprovenError, match=r"node %n \(lif_int\), timestep 0: the input has 4 timesteps") as e:
        run(g, seq([5, 5, -20, 3], np.int64))
    assert "--timesteps" in str(e.value) and "saturate=true" in str(e.value)


def test_lif_int_overflow_names_node_step_and_range(unproven_runs):
    g = unverified("lif_int", "int<8>", {"shift": 2, "state_bits": 4, "saturate": False, "reset": "none"},
                   {"leak": p1(4, i32), "threshold": p1(7, i32)})
    with pytest.raises(ExecutionError) as e:
        run(g, seq([5, 5, -20, 3], np.int64))
    err = e.value
    assert err.node == "n" and err.timestep == 1
    assert "membrane h = 10" in str(err) and "int<4> [-8, 7]" in str(err) and "saturate" in str(err)
    assert str(err).startswith("node %n (lif_int), timestep 1:")


def test_lif_int_shifted_input_overflow(unproven_runs):
    g = unverified("lif_int", "int<8>", {"reset": "subtract", "compare": "ge", "v_reset": 0, "shift": 2,
                                         "in_shift": 3, "state_bits": 5},
                   {"leak": p1(3, i32), "threshold": p1(10, i32), "bias": p1(-1, i32)})
    # 3 << 3 = 24 leaves int<5>
    with pytest.raises(ExecutionError, match=r"I << in_shift = 24 leaves int<5> \[-16, 15\]") as e:
        run(g, seq(I5, np.int64))
    assert e.value.timestep == 0


def test_li_int():
    # v = ((3·v) >> 2) + I + 1: 9 | (27>>2)=6 + 1 = 7 | (21>>2)=5 - 8 + 1 = -2 | (-6>>2)=-2 + 1 = -1
    g = single("li_int", (1,), "int<8>", attrs={"shift": 2, "state_bits": 16, "frac_bits": 4},
               params={"leak": p1(3, i32), "bias": p1(1, i32)})
    assert str(g["n"].type) == "fixed<16,4>[1]"
    y, tr = run(g, seq([8, 0, -8, 0], np.int64), trace=True)
    assert y.ravel().tolist() == [9, 7, -2, -1] and np.array_equal(tr["n#v"], y)


def test_cuba_lif_int():
    # alpha = leak = 2 >> 2 (one half), threshold 8, I << 2
    g = single("cuba_lif_int", (1,), "int<8>", attrs={"shift": 2, "in_shift": 2, "state_bits": 16},
               params={"alpha": p1(2, i32), "leak": p1(2, i32), "threshold": p1(8, i32)})
    y, tr = run(g, seq([2, 0, -3, 1], np.int64), trace=True)
    # i: 8 | 16>>2 = 4 | (8>>2) - 12 = -10 | (-20>>2) + 4 = -1
    # h: 8 fires → 0 | 0 + 4 = 4 | (8>>2) - 10 = -8 | (-16>>2) - 1 = -5
    assert y.ravel().tolist() == [1, 0, 0, 0]
    assert tr["n#i"].ravel().tolist() == [8, 4, -10, -1]
    assert tr["n#v"].ravel().tolist() == [0, 4, -8, -5]


def test_lif_int_per_neuron_and_per_timestep_params():
    # two neurons: thresholds 4 and 2; leak per timestep alternates 4 (identity) and 0 (forget), shift 2
    g = single("lif_int", (2,), "int<3>", attrs={"shift": 2, "state_bits": 8},
               params={"leak": np.array([[4], [0]], i32), "threshold": np.array([[4, 2]], i32)})
    x = np.tile(np.array([3, 1], np.int64), (4, 1, 1))
    y, tr = run(g, x, trace=True)
    # neuron 0: 3 | 0 + 3 = 3 | 3 + 3 = 6 fire → 2 | 0 + 3 = 3
    # neuron 1: 1 | 1 | 2 fire → 0 | 1
    assert y[:, 0].tolist() == [[0, 0], [0, 0], [1, 1], [0, 0]]
    assert tr["n#v"][:, 0].tolist() == [[3, 1], [3, 1], [2, 0], [3, 1]]


def test_lif_int_beyond_int64_is_exact():
    # int<64> state: 3·(5·2^60) overflows int64 before the shift; the interpreter must stay exact.
    # (saturate: the width proof cannot hold this growing state for any input; no value reaches the clamp)
    g = single("lif_int", (1,), "int<64>", attrs={"shift": 1, "state_bits": 64, "reset": "none", "saturate": True},
               params={"leak": p1(3, np.int64), "threshold": p1(1 << 62, np.int64)})
    y, tr = run(g, seq([1 << 61, 1 << 61, 0], np.int64), trace=True)
    # h: 2^61 | (3·2^61 >> 1) + 2^61 = 5·2^60 ≥ 2^62 fires | (15·2^60) >> 1 = 15·2^59
    assert y.ravel().tolist() == [0, 1, 1]
    assert tr["n#v"].ravel().tolist() == [1 << 61, 5 << 60, 15 << 59]


def test_multispike_int():
    g = single("multispike_int", (1,), "fixed<16,2>", attrs={"D": 3, "frac_bits": 2})
    # (x + 2) >> 2 clipped to 0..3; real values x/4: -1.25, .25, .5, 1.25, 1.5, 2.5, 3.25, 25
    y = run(g, seq([-5, 1, 2, 5, 6, 10, 13, 100], np.int64))
    assert y.ravel().tolist() == [0, 0, 1, 1, 2, 3, 3, 3]
    g0 = single("multispike_int", (1,), "int<8>", attrs={"D": 3})
    assert run(g0, seq([-1, 0, 2, 5], np.int64)).ravel().tolist() == [0, 0, 2, 3]


def test_multispike_int_equals_multispike_on_real_values():
    x = np.arange(-40, 80, dtype=np.int64).reshape(-1, 1, 1)
    gi = single("multispike_int", (1,), "fixed<16,3>", attrs={"D": 7, "frac_bits": 3})
    gf = single("multispike", (1,), attrs={"D": 7})
    assert np.array_equal(run(gi, x), run(gf, (x / 8).astype(np.float32)))


def scalar_int_neuron(x, leak, th, bias, alpha, a, kind):
    """A scalar Python-int loop written from the neuron_int docstrings (None: overflow)."""
    lo, hi = -(1 << (a["state_bits"] - 1)), (1 << (a["state_bits"] - 1)) - 1

    def fit(z):
        if a["saturate"]:
            return min(max(z, lo), hi)
        if not lo <= z <= hi:
            raise OverflowError
        return z

    v = i = 0
    out = []
    for xt in x:
        u = int(xt) << a["in_shift"]
        if not a["saturate"]:
            fit(u)
        if kind == "cuba_lif_int":
            d = (alpha * i) >> a["shift"]
            if not a["saturate"]:
                fit(d)
            i = fit(d + u)
        else:
            i = u
        d = (leak * v) >> a["shift"]
        if not a["saturate"]:
            fit(d)
        h = fit(d + i + bias)
        if kind == "li_int":
            v = h
            out.append(v)
            continue
        s = h >= th if a["compare"] == "ge" else h > th
        v = fit((a["v_reset"] if s else h) if a["reset"] == "zero" else (h - th if s else h)
                if a["reset"] == "subtract" else h)
        out.append(int(s))
    return out


@settings(max_examples=60)
@given(kind=st.sampled_from(["lif_int", "cuba_lif_int", "li_int"]), seed=st.integers(0, 2**32 - 1),
       shift=st.integers(0, 6), in_shift=st.integers(0, 3), state_bits=st.integers(4, 12),
       saturate=st.booleans(), reset=st.sampled_from(["zero", "subtract", "none"]),
       compare=st.sampled_from(["ge", "gt"]))
def test_int_neurons_match_scalar_loop(kind, seed, shift, in_shift, state_bits, saturate, reset, compare):
    rng = np.random.default_rng(seed)
    hi = (1 << (state_bits - 1)) - 1
    leak, alpha = (int(v) for v in rng.integers(0, min((1 << shift) + 2, hi + 1), 2))
    th = int(rng.integers(-2, hi + 1))
    bias = int(rng.integers(-3, 4))
    a = {"shift": shift, "in_shift": in_shift, "state_bits": state_bits, "saturate": saturate}
    params = {"leak": p1(leak, i32), "bias": p1(bias, i32)}
    if kind != "li_int":
        a.update(reset=reset, compare=compare, v_reset=int(rng.integers(-2, 3)))
        params["threshold"] = p1(th, i32)
    if kind == "cuba_lif_int":
        params["alpha"] = p1(alpha, i32)
    g = unverified(kind, "int<6>", a, params)
    x = rng.integers(-32, 32, (12, 3, 1))
    proven = saturate or next(unproven(g, 12), None) is None
    if not proven:                               # refused before it runs, by verify and by run
        g.attrs["timesteps"] = 12
        with pytest.raises(VerifyError, match="overflow"):
            g.verify()
        del g.attrs["timesteps"]
        with pytest.raises(UnprovenError, match="--timesteps"):
            run(g, x)
    with pytest.MonkeyPatch.context() as mp:     # the kernel's own checks, without the proof
        mp.setattr(inputs, "check_timesteps", lambda graph, T: None)
        try:
            want = [scalar_int_neuron(x[:, b, 0], leak, th, bias, alpha, g["n"].attrs, kind) for b in range(3)]
        except OverflowError:
            assert not proven                    # the proof is sound: a proven graph never overflows
            with pytest.raises(ExecutionError, match=r"leaves int<"):
                run(g, x)
            return
        y = run(g, x)
    assert [y[:, b, 0].tolist() for b in range(3)] == want
