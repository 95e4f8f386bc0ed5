"""The onnx target as a target: registration, check, options, emit / load, names, batch, opsets."""
import re

import numpy as np
import onnx
import pytest

from snnc.backends import TARGETS, TargetError, get_target
from snnc.backends.onnx import to_onnx
from snnc.backends.onnx.names import Namer, sanitize
from snnc.backends.reference import InputError
from snnc.backends.reference import run as reference_run
from snnc.ir import OPS, Graph

from onnxhelp import bits_equal, onnx_runner

f32 = np.float32
RNG = np.random.default_rng(7)
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def mlp(name_fc="fc", name_in="x", name_out="y", T=None, bank=3):
    g = Graph("mlp", {"timesteps": T} if T else {})
    g.add("input", attrs={"shape": (6,), "dtype": "spike"}, name=name_in)
    g.add("linear", [name_in], params={"weight": RNG.integers(-1, 2, (bank, 5, 6)).astype(np.int8),
                                       "scale": np.full((1, 1), 0.5, f32)}, name=name_fc)
    g.add("lif", [name_fc], params={"beta": np.full((1, 1), 0.75, f32), "threshold": np.full((1, 1), 0.5, f32)},
          name="sp")
    g.add("output", ["sp"], name=name_out)
    return g.verify()


def spikes(T, B, *shape):
    return (RNG.random((T, B) + shape) < 0.5).astype(np.uint8)


def test_registered_with_every_float_op():
    t = get_target("onnx")
    assert TARGETS["onnx"] is type(t) and t.integer is False
    assert t.ops == {name for name, op in OPS.items() if not op.integer}


@pytest.mark.parametrize("op,attrs,params", [
    ("lif_int", {"shift": 4, "state_bits": 16}, {"leak": np.full((1, 1), 14, np.int32),
                                                 "threshold": np.full((1, 1), 8, np.int32)}),
    ("multispike_int", {"D": 3, "frac_bits": 2}, {}),
])
def test_check_refuses_integer_only_ops_naming_node_and_way_out(op, attrs, params):
    g = Graph("int")
    g.add("input", attrs={"shape": (4,), "dtype": "uint<4>"}, name="x")
    g.add(op, ["x"], attrs=attrs, params=params, name="layer.3")
    g.add("output", ["layer.3"], name="y")
    with pytest.raises(TargetError, match=r"%layer\.3.*integer-only op " + op + r".*default pipeline"):
        get_target("onnx").check(g.verify())


def test_check_refuses_integers_float32_cannot_hold():
    g = Graph("wide")
    g.add("input", attrs={"shape": (4,), "dtype": "uint<26>"}, name="x")
    g.add("output", ["x"], name="y")
    with pytest.raises(TargetError, match=r"%x .*2\^24"):
        get_target("onnx").check(g.verify())
    g = Graph("sum")
    g.add("input", attrs={"shape": (300,), "dtype": "uint<16>"}, name="x")
    g.add("linear", ["x"], params={"weight": np.ones((2, 300), np.int8)}, name="fc")
    g.add("output", ["fc"], name="y")
    with pytest.raises(TargetError, match=r"%fc .*2\^24"):
        get_target("onnx").check(g.verify())


@pytest.mark.parametrize("options,match", [
    ({"colour": "red"}, "unknown onnx target option"),
    ({"opset": 16}, "opset"), ({"opset": "17"}, "opset"),
    ({"timesteps": 0}, "timesteps"), ({"timesteps": True}, "timesteps"),
    ({"threads": -1}, "threads"), ({"optimize": "yes"}, "optimize"),
])
def test_bad_options(options, match):
    with pytest.raises(TargetError, match=match):
        get_target("onnx").export(mlp(T=4), options)


def test_timesteps_from_graph_or_option():
    t = get_target("onnx")
    with pytest.raises(TargetError, match="timesteps=T"):
        t.export(mlp(), {})

    def T_of(model):
        return model.graph.input[0].type.tensor_type.shape.dim[0].dim_value

    assert T_of(t.export(mlp(T=4), {})) == 4
    assert T_of(t.export(mlp(T=4), {"timesteps": 6})) == 6


def test_emit_writes_a_checked_model_and_load_runs_it(tmp_path):
    t = get_target("onnx")
    g = mlp(T=5)
    arts = t.emit(g, tmp_path, {})
    assert arts == {"onnx": tmp_path / "model.onnx"} and sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]
    model = onnx.load(str(arts["onnx"]))
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version >= 17
    assert {i.name for i in model.graph.initializer} >= {"fc_weight_w_0", "fc_weight_w_2"}   # one per bank entry
    x = spikes(5, 3, 6)
    assert bits_equal(t.load(tmp_path, g, {}).run(x), reference_run(g, x))
    with pytest.raises(TargetError, match="emit"):
        t.load(tmp_path / "missing", g, {})


def test_batch_dimension_is_dynamic():
    g = mlp(T=3)
    model = get_target("onnx").export(g, {})
    for vi in list(model.graph.input) + list(model.graph.output):
        dims = vi.type.tensor_type.shape.dim
        assert dims[0].dim_value == 3 and dims[1].dim_param == "batch" and not dims[1].dim_value
    runner = onnx_runner(g, 3)
    for B in (1, 4, 17):
        x = spikes(3, B, 6)
        assert bits_equal(runner.run(x), reference_run(g, x))


def test_T_is_fixed_by_the_model():
    runner = onnx_runner(mlp(), 4)
    with pytest.raises(InputError, match="T=4.*T=3"):
        runner.run(spikes(3, 1, 6))
    with pytest.raises(InputError):                 # the reference's own input checks
        runner.run(spikes(4, 1, 7))


def test_time_varying_bank_longer_and_shorter_than_T():
    for T in (2, 3, 7):                              # T_w = 3: fewer, equal and more timesteps
        g = mlp(T=T, bank=3)
        x = spikes(T, 2, 6)
        assert bits_equal(onnx_runner(g, T).run(x), reference_run(g, x))


def test_names_are_sanitized_and_unique():
    long = "block." * 30 + "x"
    g = mlp(name_fc="fc.1", name_in=long, name_out="out.y")
    g.add("linear", [long], params={"weight": np.ones((2, 6), np.int8)}, name="fc_1")   # collides once sanitized
    g.add("output", ["fc_1"], name="_1.out")
    g.verify()
    model = to_onnx(g, 3)
    values = [v.name for v in model.graph.input] + [i.name for i in model.graph.initializer]
    values += [o for n in model.graph.node for o in n.output]
    nodes = [n.name for n in model.graph.node]
    assert all(IDENT.match(n) for n in values + nodes + [model.graph.name])
    assert len(set(values)) == len(values) and len(set(nodes)) == len(nodes)
    x = {long: spikes(3, 2, 6)}
    y = onnx_runner(g, 3).run(x)
    ref = reference_run(g, x)
    assert set(y) == {"out.y", "_1.out"} and all(bits_equal(y[k], ref[k]) for k in ref)


@pytest.mark.parametrize("text", ['x"; import os #\n', "", "9lives", "../../etc/passwd", "a" * 500, "ü.ß", "__"])
def test_sanitize_makes_identifiers_of_anything(text):
    namer = Namer()
    a, b = namer.fresh(text), namer.fresh(text)
    assert IDENT.match(a) and IDENT.match(b) and a != b and sanitize(text) == a


@pytest.mark.parametrize("opset", [17, 18, 19, 20, 21])
def test_every_supported_opset_checks_and_runs(opset):
    g = Graph("all", {"timesteps": 3})
    g.add("input", attrs={"shape": (2, 5, 5), "dtype": "spike"}, name="x")
    g.add("conv2d", ["x"], attrs={"padding": 1}, params={"weight": RNG.integers(-1, 2, (3, 2, 3, 3)).astype(np.int8),
                                                         "scale": np.full((1, 3, 1, 1), 0.5, f32)}, name="c")
    g.add("avgpool2d", ["c"], attrs={"kernel": 2, "padding": 1}, name="p")
    g.add("cuba_lif", ["p"], params={"alpha": np.full((1, 1, 1, 1), 0.5, f32), "beta": np.full((1, 1, 1, 1), 0.9, f32),
                                     "threshold": np.full((1, 1, 1, 1), 0.25, f32)}, name="n")
    g.add("maxpool2d", ["n"], attrs={"kernel": 2}, name="m")
    g.add("flatten", ["m"], name="f")
    g.add("linear", ["f"], params={"weight": RNG.integers(-1, 2, (4, 3)).astype(np.int8),
                                   "scale": np.full((1, 4), 0.75, f32)}, name="fc")
    g.add("li", ["fc"], params={"beta": np.full((1, 1), 0.5, f32)}, name="li")
    g.add("multispike", ["li"], attrs={"D": 2}, name="ms")
    g.add("output", ["ms"], name="y")
    g.verify()
    x = spikes(3, 2, 2, 5, 5)
    assert get_target("onnx").export(g, {"opset": opset}).opset_import[0].version == opset
    assert bits_equal(onnx_runner(g, 3, opset=opset).run(x), reference_run(g, x))


def test_trace_needs_a_traced_model():
    with pytest.raises(TargetError, match="trace=True"):
        onnx_runner(mlp(), 2).run(spikes(2, 1, 6), trace=True)
    y, tr = onnx_runner(mlp(), 2, trace=True).run(spikes(2, 1, 6), trace=True)
    assert set(tr) == {"x", "fc", "sp", "y"} and tr["fc"].dtype == np.float32 and tr["sp"].dtype == np.int64


@pytest.mark.parametrize("optimize,threads", [(True, 2), (False, 0)])
def test_runtime_options(optimize, threads):
    g = mlp(T=4)
    x = spikes(4, 3, 6)
    assert bits_equal(onnx_runner(g, 4, optimize=optimize, threads=threads).run(x), reference_run(g, x))


def test_snnc_compile_to_onnx(tmp_path):
    snnc = pytest.importorskip("snnc")
    g = mlp(T=4)
    compiled = snnc.compile(g, target="onnx", out_dir=tmp_path / "out")
    assert compiled.pipeline == get_target("onnx").default_pipeline
    assert (tmp_path / "out" / "model.onnx").is_file()
    x = spikes(4, 5, 6).astype(f32)
    assert bits_equal(compiled.run(x), compiled.run(x, integer=False))
