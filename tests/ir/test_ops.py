"""Each op's own verification rules: a bad graph fails with an error naming the node."""
import numpy as np
import pytest

from snnc.ir import OPS, Graph, VerifyError, verify

f32 = np.float32


def base(shape=(4,), dtype="f32"):
    g = Graph("g")
    g.add("input", attrs={"shape": shape, "dtype": dtype}, name="x")
    return g


def p(*shape, v=1.0, dt=f32):
    return np.full(shape, v, dt)


BAD = {
    "linear wrong in-dim": lambda g: g.add("linear", ["x"], params={"weight": p(3, 5)}, name="n"),
    "linear rank": lambda g: g.add("linear", ["x"], params={"weight": p(4)}, name="n"),
    "linear scale shape": lambda g: g.add("linear", ["x"], params={"weight": p(3, 4), "scale": p(1, 2)},
                                          name="n"),
    "linear scale without time axis": lambda g: g.add("linear", ["x"], params={"weight": p(3, 4),
                                                                              "scale": p(3)}, name="n"),
    "lif on spikes": lambda g: g.add("lif", [g.add("threshold", ["x"], params={"threshold": p(1, 1)})],
                                     params={"beta": p(1, 1), "threshold": p(1, 1)}, name="n"),
    "lif int param": lambda g: g.add("lif", ["x"], params={"beta": p(1, 1, dt=np.int32),
                                                           "threshold": p(1, 1)}, name="n"),
    "lif missing param": lambda g: g.add("lif", ["x"], params={"beta": p(1, 1)}, name="n"),
    "lif bad reset": lambda g: g.add("lif", ["x"], params={"beta": p(1, 1), "threshold": p(1, 1)},
                                     attrs={"reset": "hard"}, name="n"),
    "lif subtract_undecayed with a time-varying threshold": lambda g: g.add(
        "lif", ["x"], params={"beta": p(1, 1), "threshold": p(2, 1)}, attrs={"reset": "subtract_undecayed"},
        name="n"),
    "lif beta shape": lambda g: g.add("lif", ["x"], params={"beta": p(1, 3), "threshold": p(1, 1)},
                                      name="n"),
    "lif unknown param": lambda g: g.add("lif", ["x"], params={"beta": p(1, 1), "threshold": p(1, 1),
                                                               "alpha": p(1, 1)}, name="n"),
    "add shapes": lambda g: g.add("add", ["x", g.add("linear", ["x"], params={"weight": p(3, 4)})],
                                  name="n"),
    "add one operand": lambda g: g.add("add", ["x"], name="n"),
    "flatten start": lambda g: g.add("flatten", ["x"], attrs={"start": 3}, name="n"),
    "reshape size": lambda g: g.add("reshape", ["x"], attrs={"shape": (3,)}, name="n"),
    "multispike D": lambda g: g.add("multispike", ["x"], attrs={"D": 0}, name="n"),
    "multispike_int on float": lambda g: g.add("multispike_int", ["x"], attrs={"D": 4}, name="n"),
    "lif_int on float": lambda g: g.add("lif_int", ["x"], params={"leak": p(1, 1, dt=np.int32),
                                                                   "threshold": p(1, 1, dt=np.int32)},
                                        name="n"),
    "batchnorm shape": lambda g: g.add("batchnorm", ["x"], params={k: p(3) for k in
                                                                   ("mean", "var", "weight", "bias")},
                                       name="n"),
    "attr type": lambda g: g.add("spike_matmul", ["x", "x"], attrs={"scale": "big"}, name="n"),
    "spike_matmul rank": lambda g: g.add("spike_matmul", ["x", "x"], name="n"),
    "output used": lambda g: g.add("output", [g.add("output", ["x"], name="o")], name="n"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_node_is_named(case):
    g = base()
    with pytest.raises(VerifyError) as e:
        BAD[case](g)
        verify(g)
    assert e.value.node in ("n", "o") and str(e.value).startswith("node %")


def test_conv_and_pool_rules():
    g = base((2, 5, 5))
    c = g.add("conv2d", ["x"], params={"weight": p(4, 2, 3, 3), "bias": p(1, 4, 1, 1)},
              attrs={"padding": (1, 1), "stride": 2})
    assert c.type.shape == (4, 3, 3)
    with pytest.raises(VerifyError, match="channels"):
        g.add("conv2d", ["x"], params={"weight": p(4, 3, 3, 3)}, name="bad")
    with pytest.raises(VerifyError, match="does not fit"):
        g.add("conv2d", ["x"], params={"weight": p(4, 2, 7, 7)}, name="bad")
    mp = g.add("maxpool2d", [c], attrs={"kernel": 2})
    assert mp.attrs["stride"] == (2, 2) and mp.type.shape == (4, 1, 1)
    grouped = g.add("conv2d", ["x"], params={"weight": p(4, 1, 1, 1)}, attrs={"groups": 2})
    assert grouped.type.shape == (4, 5, 5)


def test_integer_types_follow_operands():
    g = base((3,), "spike")
    a = g.add("add", ["x", "x", "x"])
    assert str(a.type.dtype) == "uint<2>"
    m = g.add("spike_matmul", [g.add("reshape", ["x"], attrs={"shape": (3, 1)}),
                               g.add("reshape", ["x"], attrs={"shape": (1, 3)})])
    assert m.type.shape == (3, 3) and str(m.type.dtype) == "uint<1>"
    ms = g.add("multispike_int", [a], attrs={"D": 4})
    assert str(ms.type.dtype) == "uint<3>"
    li = g.add("li_int", [a], params={"leak": p(1, 1, v=7, dt=np.int32)},
               attrs={"shift": 3, "state_bits": 16, "frac_bits": 4})
    assert str(li.type.dtype) == "fixed<16,4>"
    s = g.add("scale", [a], params={"scale": p(1, 3, v=5, dt=np.int16)}, attrs={"shift": 1})
    assert s.type.dtype.range()[1] >= 7          # 3 · 5 >> 1


def test_declared_type_must_match():
    g = base()
    g.add("output", ["x"], name="y")
    g["y"].type = g["x"].type.with_dtype(g["x"].type.dtype.__class__("int", 8))
    with pytest.raises(VerifyError, match="declared type"):
        verify(g)


def test_structure_errors():
    g = base()
    g.add("output", ["x"], name="y")
    g.nodes = {"y": g["y"], "x": g["x"]}
    with pytest.raises(VerifyError, match="defined later"):
        verify(g)
    h = Graph("h")
    h.add("input", attrs={"shape": (2,), "dtype": "f32"})
    with pytest.raises(VerifyError, match="no output"):
        verify(h)
    with pytest.raises(VerifyError, match="not an identifier"):
        verify(Graph("bad name"))


def test_every_op_has_docstring_with_equation():
    for name, cls in OPS.items():
        assert cls.name == name
        assert cls.__doc__ and name in cls.__doc__.split(":")[0], name


def test_subtract_undecayed_takes_the_previous_spikes_threshold_off_undecayed():
    """mem[t] = β·mem[t-1] + I[t] − s[t-1]·θ (snnTorch's subtract), s[t] = mem[t] > θ."""
    from snnc.backends.reference import run
    g = base((1,))
    g.add("output", [g.add("lif", ["x"], params={"beta": p(1, 1, v=0.5), "threshold": p(1, 1)},
                           attrs={"reset": "subtract_undecayed", "compare": "gt"}, name="n")], name="y")
    x = np.array([3.0, 0.0, 0.0, 0.0], f32).reshape(4, 1, 1)
    verify(g)
    y, trace = run(g, x, trace=True)
    mem, s, want = 0.0, 0, []
    for t in range(4):
        mem = 0.5 * mem + float(x[t, 0, 0]) - s * 1.0
        s = int(mem > 1.0)
        want.append((mem, s))
    assert [(float(v), int(q)) for v, q in zip(trace["n#v"][:, 0, 0], y[:, 0, 0])] == want
    assert [q for _, q in want] == [1, 0, 0, 0] and want[1][0] == 0.5      # 3 → 1.5 − 1 = 0.5
