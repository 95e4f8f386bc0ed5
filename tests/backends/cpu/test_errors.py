"""Clear errors: a missing compiler, an op or type the target cannot express, bad options —
each a TargetError naming the cause and the way out, raised before anything is written."""
import numpy as np
import pytest

from snnc.backends import TARGETS, TargetError, get_target
from snnc.ir import Graph


def small() -> Graph:
    g = Graph("small")
    g.add("input", attrs={"shape": (4,), "dtype": "spike"}, name="x")
    g.add("linear", ["x"], params={"weight": np.ones((3, 4), np.int8)}, name="fc")
    g.add("output", ["fc"], name="y")
    return g.verify()


def test_registered():
    assert TARGETS["cpu"].name == "cpu" and "lif_int" in TARGETS["cpu"].ops


def test_missing_compiler_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CC", "/nonexistent/cc")
    tgt = get_target("cpu")
    tgt.emit(small(), tmp_path, {})                    # emitting needs no compiler
    with pytest.raises(TargetError, match=r"'/nonexistent/cc' \(from the CC environment variable\) not found.*CC"):
        tgt.load(tmp_path, small(), {})


def test_missing_compiler_from_option(tmp_path):
    with pytest.raises(TargetError, match=r"'no-such-cc-xyz' \(from the cpu option cc\) not found"):
        get_target("cpu").load(None, small(), {"cc": "no-such-cc-xyz"})


def test_float_graph_is_refused_naming_the_node(tmp_path):
    g = Graph("float")
    g.add("input", attrs={"shape": (4,), "dtype": "f32"}, name="x")
    g.add("lif", ["x"], params={"beta": np.full((1, 1), 0.9, np.float32),
                                "threshold": np.ones((1, 1), np.float32)}, name="neuron.1")
    g.add("output", ["neuron.1"], name="y")
    g.verify()
    with pytest.raises(TargetError, match=r"cannot express node %neuron\.1 \(op lif\).*supports"):
        get_target("cpu").check(g)
    with pytest.raises(TargetError, match="%neuron.1"):
        get_target("cpu").emit(g, tmp_path, {})
    assert list(tmp_path.iterdir()) == []


def test_float_weights_are_refused(tmp_path):
    g = Graph("f")
    g.add("input", attrs={"shape": (4,), "dtype": "spike"}, name="x")
    g.add("linear", ["x"], params={"weight": np.ones((3, 4), np.float32)}, name="fc")
    g.add("output", ["fc"], name="y")
    g.verify()
    with pytest.raises(TargetError, match=r"%fc .*f32.*integerize"):
        get_target("cpu").check(g)


@pytest.mark.parametrize("options, message", [
    ({"bogus": 1}, "unknown cpu target option"),
    ({"prefix": "1abc"}, "not a plain C identifier"),
    ({"prefix": "int"}, "not a plain C identifier"),
    ({"prefix": "a; system(\"x\")"}, "not a plain C identifier"),
    ({"kernels": "fast"}, "kernels='fast'"),
    ({"density": 1.5}, "density=1.5"),
    ({"simd": "neon"}, "simd=.neon."),
    ({"threads": -1}, "threads=-1"),
    ({"threading": "mpi"}, "threading='mpi'"),
    ({"opt": 5}, "opt=5"),
    ({"march": "native -fplugin=evil.so"}, "march="),
])
def test_bad_options(options, message, tmp_path):
    with pytest.raises(TargetError, match=message.replace("(", r"\(").replace(")", r"\)")):
        get_target("cpu").emit(small(), tmp_path, options)
    assert list(tmp_path.iterdir()) == []


def test_options_defaults():
    o = get_target("cpu").options({})
    assert (o.prefix, o.kernels, o.threads, o.threading, o.opt, o.march) == ("snnc", "auto", 0, "auto", 3, "native")
