"""Float neurons against values worked out by hand (binary fractions, so float32 is exact)."""
import numpy as np
import pytest

from refhelp import arr, p1, seq, single
from snnc.backends.reference import ExecutionError, run

I5 = [0.75, 0.75, 0.5, 1.5, 0.25]


def lif(reset="subtract", compare="ge", v_reset=0.0, beta=0.5, th=1.0, op="lif"):
    attrs = {"reset": reset, "compare": compare, "v_reset": v_reset}
    params = {"threshold": p1(th)}
    if op != "if":
        params["beta"] = p1(beta)
    return single(op, (1,), attrs=attrs, params=params)


@pytest.mark.parametrize("op", ["lif", "plif"])
@pytest.mark.parametrize("reset, v_reset, spikes, v", [
    # h = 0.5·v + I;  t0: 0.75 | t1: 0.375+0.75=1.125 fire | t2 ... (see each row)
    ("subtract", 0.0, [0, 1, 0, 1, 0], [0.75, 0.125, 0.5625, 0.78125, 0.640625]),
    ("zero", 0.0, [0, 1, 0, 1, 0], [0.75, 0.0, 0.5, 0.0, 0.25]),
    ("zero", -0.25, [0, 1, 0, 1, 0], [0.75, -0.25, 0.375, -0.25, 0.125]),
    ("none", 0.0, [0, 1, 1, 1, 1], [0.75, 1.125, 1.0625, 2.03125, 1.265625]),
])
def test_lif_resets(op, reset, v_reset, spikes, v):
    g = lif(reset, v_reset=v_reset, op=op)
    y, tr = run(g, seq(I5), trace=True)
    assert y.dtype == np.int64 and y.ravel().tolist() == spikes
    assert tr["n#v"].dtype == np.float32 and tr["n#v"].ravel().tolist() == v


@pytest.mark.parametrize("compare, spikes, v", [
    ("ge", [0, 1, 0], [0.5, 0.0, 0.5]),      # t1: h = 0.25 + 0.75 = 1.0 = θ fires at ≥
    ("gt", [0, 0, 0], [0.5, 1.0, 1.0]),      # ... but not at >; t2: h = 0.5 + 0.5 = 1.0 again
])
def test_lif_compare_at_equality(compare, spikes, v):
    y, tr = run(lif(compare=compare), seq([0.5, 0.75, 0.5]), trace=True)
    assert y.ravel().tolist() == spikes and tr["n#v"].ravel().tolist() == v


def test_lif_per_timestep_beta_and_per_neuron_threshold():
    # beta[t % 2] = 1, 0, 1, 0; thresholds per neuron 1 and 2; inputs 0.75 and 2.0 every step.
    g = single("lif", (2,), params={"beta": arr([[1.0], [0.0]]), "threshold": arr([[1.0, 2.0]])})
    x = np.tile(arr([0.75, 2.0]), (4, 1, 1))
    y, tr = run(g, x, trace=True)
    # neuron 0: h = .75 | 0·.75+.75 = .75 | .75+.75 = 1.5 fire → .5 | 0·.5 + .75 = .75
    assert y[:, 0, 0].tolist() == [0, 0, 1, 0]
    assert tr["n#v"][:, 0, 0].tolist() == [0.75, 0.75, 0.5, 0.75]
    # neuron 1: h = 2 ≥ 2 fires every step, v = 0
    assert y[:, 0, 1].tolist() == [1, 1, 1, 1] and tr["n#v"][:, 0, 1].tolist() == [0, 0, 0, 0]


def test_lif_batch_is_independent():
    g = lif()
    x = np.concatenate([seq(I5), seq([0.0] * 5), seq([1.0] * 5)], axis=1)
    y = run(g, x)
    assert y[:, 0, 0].tolist() == [0, 1, 0, 1, 0]
    assert y[:, 1, 0].tolist() == [0] * 5
    assert y[:, 2, 0].tolist() == [1] * 5       # h = 0.5·0 + 1 = 1 ≥ 1 each step, v back to 0


def test_if():
    # h = v + I: .5 | .75 | 1.25 fire → .25 | .25 + .75 = 1.0 fire → 0
    y, tr = run(lif(op="if"), seq([0.5, 0.25, 0.5, 0.75]), trace=True)
    assert y.ravel().tolist() == [0, 0, 1, 1]
    assert tr["n#v"].ravel().tolist() == [0.5, 0.75, 0.25, 0.0]


def test_cuba_lif():
    g = single("cuba_lif", (1,), params={"alpha": p1(0.5), "beta": p1(0.5), "threshold": p1(1.0)})
    y, tr = run(g, seq([1.0, 0.0, 0.0, 1.0]), trace=True)
    # i: 1 | .5 | .25 | .125 + 1 = 1.125;  h: 1 fire → 0 | .5 | .25 + .25 = .5 | .25 + 1.125 = 1.375 fire
    assert y.ravel().tolist() == [1, 0, 0, 1]
    assert tr["n#i"].ravel().tolist() == [1.0, 0.5, 0.25, 1.125]
    assert tr["n#v"].ravel().tolist() == [0.0, 0.5, 0.5, 0.375]


def test_li():
    y, tr = run(single("li", (1,), params={"beta": p1(0.5)}), seq([1.0, 2.0, 0.0, -1.0]), trace=True)
    assert y.dtype == np.float32 and y.ravel().tolist() == [1.0, 2.5, 1.25, -0.375]
    assert np.array_equal(tr["n#v"], y)


@pytest.mark.parametrize("compare, want", [("ge", [0, 1, 1]), ("gt", [0, 0, 1])])
def test_threshold_float(compare, want):
    g = single("threshold", (1,), attrs={"compare": compare}, params={"threshold": p1(1.0)})
    assert run(g, seq([0.5, 1.0, 1.5])).ravel().tolist() == want


def test_threshold_integer_and_per_timestep():
    g = single("threshold", (1,), "int<8>", params={"threshold": arr([[3], [-2]], np.int8)})
    # thresholds alternate 3, -2, 3, -2
    assert run(g, seq([-2, -2, 3, -3], np.int64)).ravel().tolist() == [0, 1, 1, 0]


def test_multispike_round_half_up():
    just_below_half = np.nextafter(np.float32(0.5), np.float32(0))      # 0.49999997
    x = [-1.0, just_below_half, 0.5, 1.5, 2.5, 2.4921875, 3.7, 10.0]
    g = single("multispike", (1,), attrs={"D": 3})
    assert g["n"].type.dtype.bits == 2
    assert run(g, seq(x)).ravel().tolist() == [0, 0, 1, 2, 3, 2, 3, 3]


def test_multispike_rejects_nan_naming_node_and_step():
    g = single("multispike", (1,), attrs={"D": 3})
    with pytest.raises(ExecutionError) as e:
        run(g, seq([0.0, 1.0, np.nan]))
    assert e.value.node == "n" and e.value.timestep == 2 and "NaN" in str(e.value)


def scalar_lif(x, beta, th, reset, compare, v_reset, alpha=None):
    """A scalar float32 loop written straight from the lif / cuba_lif docstrings."""
    f = np.float32
    v = i = f(0)
    out = []
    for xt in x:
        if alpha is not None:
            i = f(alpha) * i + f(xt)
            cur = i
        else:
            cur = f(xt)
        h = f(beta) * v + cur
        s = h >= f(th) if compare == "ge" else h > f(th)
        v = (f(v_reset) if s else h) if reset == "zero" else (h - f(th) if s else h) if reset == "subtract" else h
        out.append(int(s))
    return out


@pytest.mark.parametrize("reset", ["zero", "subtract", "none"])
@pytest.mark.parametrize("compare", ["ge", "gt"])
@pytest.mark.parametrize("cuba", [False, True])
def test_lif_matches_scalar_loop_on_random_data(reset, compare, cuba):
    rng = np.random.default_rng(0)
    x = rng.normal(0.4, 0.6, (20, 3, 1)).astype(np.float32)
    params = {"beta": p1(0.8125), "threshold": p1(0.7)}
    if cuba:
        params["alpha"] = p1(0.6)
    g = single("cuba_lif" if cuba else "lif", (1,), attrs={"reset": reset, "compare": compare, "v_reset": 0.1},
               params=params)
    y = run(g, x)
    for b in range(3):
        assert y[:, b, 0].tolist() == scalar_lif(x[:, b, 0], 0.8125, 0.7, reset, compare, 0.1,
                                                 0.6 if cuba else None)
