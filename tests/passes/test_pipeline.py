import dataclasses
import io

import numpy as np
import pytest

from snnc.errors import ConfigError
from snnc.ir import Graph, VerifyError
from snnc.passes import PASSES, Pass, make_pass, parse_pipeline, register, run_pipeline


def test_registry_keys_equal_names():
    assert PASSES, "no passes registered"
    for name, cls in PASSES.items():
        assert cls.name == name
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
        assert name == name.lower() and " " not in name and "_" not in name


def test_parse_pipeline_and_spec():
    (p,) = parse_pipeline("dce")
    assert p.name == "dce" and p.spec() == "dce"
    assert parse_pipeline("  dce , dce{}") == [make_pass("dce"), make_pass("dce")]


@pytest.mark.parametrize("text,match", [("nope", "unknown pass"), ("dce{x=1}", "bad option"),
                                        ("dce,", "ends with a comma"), ("dce{", "bad pipeline"),
                                        ("dce;dce", "bad pipeline")])
def test_bad_pipelines(text, match):
    with pytest.raises(ConfigError, match=match):
        parse_pipeline(text)


def graph_with_dead_code():
    g = Graph("g")
    x = g.add("input", attrs={"shape": (3,), "dtype": "f32"}, name="x")
    g.add("linear", [x], params={"weight": np.ones((2, 3), np.float32)}, name="dead")
    g.add("output", [x], name="y")
    return g


def test_run_pipeline_copies_times_and_prints():
    g = graph_with_dead_code()
    buf = io.StringIO()
    res = run_pipeline(g, "dce", print_after="dce", stream=buf)
    assert "dead" in g and "dead" not in res.graph and not res.graph.params
    assert [t.name for t in res.timings] == ["dce"] and res.timings[0].seconds >= 0
    assert "IR after dce" in buf.getvalue()
    with pytest.raises(ConfigError, match="unknown passes"):
        run_pipeline(g, "dce", print_after="fold-nothing")


def test_broken_pass_is_named():
    @dataclasses.dataclass(frozen=True)
    class Breaker(Pass):
        name = "test-breaker"
        count: int = 1

        def apply(self, graph):
            graph["y"].type = graph["y"].type.with_dtype(graph["x"].type.dtype.__class__("int", 4))
            return graph

    register(Breaker)
    try:
        p = make_pass("test-breaker", "count=3")
        assert p.count == 3 and p.spec() == "test-breaker{count=3}"
        with pytest.raises(ConfigError, match="not a valid int"):
            make_pass("test-breaker", "count=x")
        with pytest.raises(VerifyError, match=r"after pass test-breaker\{count=3\}"):
            run_pipeline(graph_with_dead_code(), [p])
    finally:
        del PASSES["test-breaker"]
