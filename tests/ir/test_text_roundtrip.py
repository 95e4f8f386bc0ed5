"""Text form round trips: parse(print(g)) == g for every op and for random graphs, and
print(parse(text)) == text; attribute literals read back bit-exactly."""
import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies
from snnc.ir import OPS, Graph, ParseError, VerifyError, parse, print_graph, verify
from snnc.ir.text.literals import format_value, quote, unquote

f32 = np.float32


def p(*shape, v=0.5, dt=f32):
    return np.full(shape, v, dt)


def ramp(*shape, dt=f32):
    return (np.arange(int(np.prod(shape))).reshape(shape) % 5 - 2).astype(dt)


def graph(shape, dtype="f32", **input_attrs):
    g = Graph("g", {"dt": 0.001})
    g.add("input", attrs={"shape": shape, "dtype": dtype, **input_attrs}, name="x")
    return g


def lif_params(shape, t=1):
    return {"beta": p(t, *shape, v=0.875), "threshold": p(1, *([1] * len(shape)), v=1.25)}


def _linear():
    g = graph((5,), "uint<3>", scale=0.125)
    a = g.add("linear", ["x"], params={"weight": ramp(3, 7, 5, dt=np.int8), "scale": p(3, 7, v=0.25),
                                       "bias": p(1, 1)}, name="fc1")
    g.add("linear", [a], params={"weight": ramp(4, 7)}, name="fc2")
    return g


def _conv2d():
    g = graph((4, 6, 5), "spike")
    g.add("conv2d", ["x"], attrs={"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2), "groups": 2},
          params={"weight": ramp(2, 6, 2, 3, 2, dt=np.int8), "scale": p(2, 6, 1, 1), "bias": p(1, 6, 1, 1)})
    return g


def _pool(op):
    def build():
        g = graph((3, 5, 7), "uint<4>", scale=0.5)
        g.add(op, ["x"], attrs={"kernel": (3, 2), "stride": (2, 2), "padding": (1, 0)})
        return g
    return build


def _flatten():
    g = graph((2, 3, 4))
    g.add("flatten", ["x"], attrs={"start": 1})
    return g


def _reshape():
    g = graph((12,), "spike")
    g.add("reshape", ["x"], attrs={"shape": (3, 4)})
    return g


def _add():
    g = graph((6,), "spike")
    g.add("add", ["x", "x", g.add("threshold", ["x"], params={"threshold": p(1, 1, v=1, dt=np.int32)})])
    return g


def _scale():
    g = graph((3, 2), "int<8>")
    g.add("scale", ["x"], attrs={"shift": 2}, params={"scale": ramp(1, 3, 1, dt=np.int16)})
    return g


def _affine():
    g = graph((3, 2))
    g.add("affine", ["x"], params={"scale": p(2, 1, 2), "bias": p(1, 3, 1, v=-0.25)})
    return g


def _batchnorm():
    g = graph((3, 2, 2))
    g.add("batchnorm", ["x"], attrs={"eps": 1e-3}, params={"mean": p(3), "var": p(3, v=2.0),
                                                          "weight": p(3, v=1.5), "bias": p(3, v=-0.1)})
    return g


def _spike_matmul():
    g = graph((4, 3), "spike")
    kv = g.add("spike_matmul", ["x", "x"], attrs={"transpose_a": True})
    g.add("spike_matmul", ["x", kv], attrs={"scale": 0.125})
    return g


def _mul_reduce_sum():
    g = graph((2, 4, 3), "spike")
    s = g.add("reduce_sum", ["x"], attrs={"axis": 1, "keepdim": True})
    m = g.add("mul", ["x", s])
    g.add("reduce_sum", [m], attrs={"axis": -1})
    return g


def _float_neuron(op):
    def build():
        g = graph((5,))
        params = lif_params((5,), t=3)
        if op == "if":
            params.pop("beta")
        if op == "cuba_lif":
            params["alpha"] = p(1, 5, v=0.5)
        g.add(op, ["x"], attrs={"reset": "zero", "compare": "gt", "v_reset": -0.5}, params=params)
        return g
    return build


def _li():
    g = graph((5,))
    g.add("li", ["x"], params={"beta": p(2, 1, v=0.9)})
    return g


def _threshold():
    g = graph((2, 3))
    g.add("threshold", ["x"], attrs={"compare": "gt"}, params={"threshold": p(1, 1, 3)})
    return g


def _multispike():
    g = graph((5,))
    g.add("multispike", ["x"], attrs={"D": 4})
    return g


def _multispike_int():
    g = graph((5,), "int<12>")
    g.add("multispike_int", ["x"], attrs={"D": 3, "frac_bits": 4})
    return g


def _int_neuron(op):
    def build():
        g = graph((5,), "int<6>")
        params = {"leak": p(2, 5, v=7, dt=np.int32), "bias": p(1, 1, v=-1, dt=np.int32)}
        attrs = {"shift": 3, "in_shift": 1, "state_bits": 24, "frac_bits": 3, "saturate": True}
        if op != "li_int":
            params["threshold"] = p(1, 1, v=9, dt=np.int32)
            attrs.update(reset="zero", compare="gt", v_reset=-2)
        if op == "cuba_lif_int":
            params["alpha"] = p(1, 1, v=3, dt=np.int32)
        g.add(op, ["x"], attrs=attrs, params=params)
        return g
    return build


BUILDERS = {
    "input": lambda: graph((3,), "uint<5>", scale=0.0625),
    "output": lambda: graph((2, 2), "spike"),
    "linear": _linear, "conv2d": _conv2d, "sumpool2d": _pool("sumpool2d"), "avgpool2d": _pool("avgpool2d"),
    "maxpool2d": _pool("maxpool2d"), "flatten": _flatten, "reshape": _reshape, "add": _add,
    "scale": _scale, "affine": _affine, "batchnorm": _batchnorm, "spike_matmul": _spike_matmul,
    "mul": _mul_reduce_sum, "reduce_sum": _mul_reduce_sum,
    "lif": _float_neuron("lif"), "if": _float_neuron("if"), "plif": _float_neuron("plif"),
    "cuba_lif": _float_neuron("cuba_lif"), "li": _li, "threshold": _threshold, "multispike": _multispike,
    "multispike_int": _multispike_int, "lif_int": _int_neuron("lif_int"),
    "cuba_lif_int": _int_neuron("cuba_lif_int"), "li_int": _int_neuron("li_int"),
}


def finished(g: Graph) -> Graph:
    last = list(g.nodes)[-1]
    g.add("output", [last], name="y", attrs={"scale": 0.5} if g[last].type.dtype.is_integer else {})
    verify(g)
    return g


def roundtrip(g: Graph) -> Graph:
    text = print_graph(g)
    h = parse(text, g.params)
    assert h == g, text
    assert print_graph(h) == text
    return h


def test_every_op_has_a_case():
    assert set(BUILDERS) == set(OPS), "add a hand-built graph for each new op"


@pytest.mark.parametrize("op", sorted(OPS))
def test_every_op_round_trips(op):
    g = finished(BUILDERS[op]())
    assert op in {n.op for n in g}
    h = roundtrip(g)
    for node in g:              # every attribute is printed, in the op's order
        assert list(h[node.name].attrs) == [a.name for a in OPS[node.op].attrs]
    assert all(h.params[k].dtype == a.dtype for k, a in g.params.items())


def test_example_of_the_brief():
    text = """snnir 1
graph mlp {dt = 0.001, source = "digits_tawq_mlp.pt"}
param @fc1.weight : int<8>[4,32,64]
param @fc1.scale : f32[4,32]
param @lif1.beta : f32[1,1]
param @lif1.threshold : f32[1,1]
%x = input() {shape = (64,), dtype = "uint<5>", scale = 0.0625} : uint<5>[64]
%fc1 = linear(%x) [weight = @fc1.weight, scale = @fc1.scale] : f32[32]
%lif1 = lif(%fc1) {reset = "subtract", compare = "ge", v_reset = 0.0} [beta = @lif1.beta, threshold = @lif1.threshold] : spike[32]
%y = output(%lif1) {scale = 1.0} : spike[32]
"""
    params = {"fc1.weight": np.ones((4, 32, 64), np.int8), "fc1.scale": p(4, 32),
              "lif1.beta": p(1, 1), "lif1.threshold": p(1, 1)}
    g = parse(text, params)
    assert g.attrs == {"dt": 0.001, "source": "digits_tawq_mlp.pt"}
    assert g["fc1"].params == {"weight": "fc1.weight", "scale": "fc1.scale"}
    assert str(g["lif1"].type) == "spike[32]"
    assert g["x"].attrs == {"shape": (64,), "dtype": "uint<5>", "scale": 0.0625}
    printed = print_graph(g)              # every attribute now spelled out (ops may gain defaulted ones)
    assert printed.splitlines()[:7] == text.splitlines()[:7]
    assert print_graph(parse(printed, params)) == printed


def test_defaults_may_be_left_out_and_comments_and_blank_lines_are_ignored():
    text = ("# a hand-written graph\n\nsnnir 1   # version\ngraph g\n\n"
            "%x = input() {shape = (3,), dtype = \"f32\"} : f32[3]  # trailing comment\n"
            "   # an indented comment\r\n"
            "%y = output(%x) : f32[3]")                    # no final newline
    g = parse(text)
    assert g["y"].attrs == {"scale": 1.0}
    assert print_graph(g).splitlines()[-1] == "%y = output(%x) {scale = 1.0} : f32[3]"


FLOATS = [0.0, -0.0, 0.1, 0.1 + 0.2, 1e-300, 5e-324, -1.7976931348623157e308, 1e16, 123456789.125,
          float("inf"), float("-inf"), 2.0 ** -1074, 1 / 3]


@pytest.mark.parametrize("x", FLOATS, ids=repr)
def test_float_attributes_are_bit_exact(x):
    g = finished(graph((2,)))
    g["y"].attrs["scale"] = x        # an output scale (verification not needed for printing)
    g.attrs["value"] = x
    h = parse(print_graph(g), verify=False)
    for got in (h.attrs["value"], h["y"].attrs["scale"]):
        assert struct.pack("<d", got) == struct.pack("<d", x)


def test_nan_prints_and_parses_back():
    g = graph((2,))
    g.attrs["nan"] = float("nan")
    text = print_graph(finished(g))
    assert "nan = nan" in text
    h = parse(text)
    assert math.isnan(h.attrs["nan"]) and print_graph(h) == text


STRINGS = ["", "plain", 'quote " and backslash \\', "new\nline\ttab\rcr", "\x00\x1b\x7f", "héllo wörld ∑",
           "emoji 🙂", "\u2028 line separator", "# not a comment", "\ud800 lone surrogate", "{x = (1,)}"]


@pytest.mark.parametrize("s", STRINGS, ids=repr)
def test_strings_round_trip(s):
    assert unquote(quote(s)) == s
    assert "\n" not in quote(s)
    g = graph((2,))
    g.attrs["s"] = s
    g.attrs[s or "empty"] = 1                     # keys that are not names are quoted
    h = parse(print_graph(finished(g)))
    assert h.attrs == g.attrs


def test_graph_attribute_values():
    g = graph((2,))
    g.attrs.update({"i": -7, "big": 2**62, "t": True, "f": False, "none": None, "empty": (),
                    "one": (64,), "nested": ((1, 2.5), ("a", (True,))), "d": {"k": (1,), "with space": {}},
                    "np_int": np.int16(3), "np_float": np.float32(0.1), "np_bool": np.bool_(True)})
    h = roundtrip(finished(g))
    assert type(h.attrs["i"]) is int and type(h.attrs["t"]) is bool and h.attrs["one"] == (64,)
    assert h.attrs["np_float"] == float(np.float32(0.1))


def test_keywords_and_types_work_as_names():
    g = Graph("graph", {"true": 1, "param": "x", "f32": (1,)})
    g.add("input", attrs={"shape": (2,), "dtype": "f32"}, name="param")
    g.add("if", ["param"], params={"threshold": p(1, 1)}, name="f32")
    g.add("output", ["f32"], name="snnir")
    g.params["int.true"] = np.zeros((0, 3), np.float32)      # an unused, empty array
    g.params["scalar"] = np.array(3, np.int64)
    verify(g)
    roundtrip(g)
    text = print_graph(g)
    assert "param @int.true : f32[0,3]" in text and "param @scalar : int<64>[]" in text


def test_shared_parameter_and_special_array_values():
    g = graph((3,))
    th = g.add_param("shared.threshold", np.array([[np.inf, -0.0, np.nan]], f32))
    a = g.add("if", ["x"], params={"threshold": th})
    b = g.add("if", ["x"], params={"threshold": th})
    g.add("output", [g.add("add", [a, b])], name="y")
    verify(g)
    h = roundtrip(g)
    assert h["if"].params["threshold"] == h["if_1"].params["threshold"] == "shared.threshold"


def test_parsed_arrays_are_copies():
    g = finished(_linear())
    h = parse(print_graph(g), g.params)
    h.params["fc1.weight"][...] = 0
    assert g.params["fc1.weight"].any()


def test_verify_false_keeps_declared_types():
    g = finished(graph((2,)))
    text = print_graph(g).replace(": f32[2]\n%y", ": f32[3]\n%y")
    h = parse(text, verify=False)
    assert h["x"].type.shape == (3,)


def test_unprintable_values_are_refused():
    g = finished(graph((2,)))
    g.attrs["l"] = [1, 2]
    with pytest.raises(VerifyError) as e:
        print_graph(g)
    assert "list" in str(e.value) and "tuple" in str(e.value)
    g.attrs.pop("l")
    g["y"].type = None
    with pytest.raises(VerifyError, match="no result type") as e:
        print_graph(g)
    assert e.value.node == "y"
    g["y"].type = g["x"].type
    g.params["bad key"] = p(1)
    with pytest.raises(VerifyError, match="not an identifier"):
        print_graph(g)


@pytest.mark.parametrize("v,text", [(True, "true"), (3, "3"), (3.0, "3.0"), ((1,), "(1,)"), ((), "()"),
                                    ((1, (2,)), "(1, (2,))"), (None, "none"), ("a", '"a"'), (1e-05, "1e-05")])
def test_literal_forms(v, text):
    assert format_value(v) == text


@settings(max_examples=60)
@given(strategies.graphs(integer=True, max_outputs=2))
def test_random_graphs_round_trip(g):
    roundtrip(g)


@settings(max_examples=25)
@given(strategies.graphs(ops=set(strategies.FLOAT_OPS + strategies.EXTRA_OPS["float"]), time_varying=True))
def test_random_graphs_with_extra_ops_round_trip(g):
    roundtrip(g)


def test_parse_refuses_non_text():
    with pytest.raises(ParseError, match="expected snnir text"):
        parse(42)
