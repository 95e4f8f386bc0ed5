"""What the hls target refuses, and how: before writing anything, naming the node or tool and the way out."""
import os

import numpy as np
import pytest
from hlshelp import chain, p

from snnc.backends.hls import HLSTarget
from snnc.backends.hls.parallelism import check_lanes, divisors, nearest_divisors
from snnc.backends.target import TargetError


def small(width=10):
    return chain((6,), "spike", ("linear", {}, {"weight": np.ones((width, 6), np.int8)}),
                 ("lif_int", {"state_bits": 8}, {"leak": p(1), "threshold": p(2)}))


def test_missing_timesteps_names_the_flag(tmp_path):
    g = chain((6,), "spike", ("linear", {}, {"weight": np.ones((4, 6), np.int8)}), timesteps=None)
    HLSTarget().check(g)                                  # the graph itself is fine
    with pytest.raises(TargetError, match=r"needs the number of timesteps T .* -T/--timesteps T .* timesteps=T"):
        HLSTarget().emit(g, tmp_path / "p", {})
    assert not (tmp_path / "p").exists()
    HLSTarget().emit(g, tmp_path / "p", {"timesteps": 3})


def test_float_graph_is_refused_with_the_node_named():
    g = chain((4,), "f32", ("linear", {}, {"weight": np.ones((3, 4), np.float32)}),
              ("lif", {}, {"beta": p(0.5, dtype=np.float32), "threshold": p(1.0, dtype=np.float32)}))
    with pytest.raises(TargetError, match=r"cannot express node %l1 \(op lif\)"):
        HLSTarget().check(g)
    g2 = chain((4,), "spike", ("linear", {}, {"weight": np.ones((3, 4), np.float32)}),
               ("threshold", {}, {"threshold": p(1.0, dtype=np.float32)}))
    with pytest.raises(TargetError, match=r"node %l0 \(linear\).*f32.*integerize"):
        HLSTarget().check(g2)


def test_parallelism_must_divide_with_nearest_values_suggested(tmp_path):
    out = tmp_path / "p"
    out.mkdir()
    with pytest.raises(TargetError, match=r"parallelism 3 for layer %l0 does not divide its 10 output features; "
                                          r"nearest valid values: 2 or 5"):
        HLSTarget().emit(small(), out, {"parallelism": {"l0": 3}})
    with pytest.raises(TargetError, match=r"parallelism 4 for layer %l0 .* nearest valid values: 2 or 5"):
        HLSTarget().emit(small(), out, {"parallelism": 4})
    with pytest.raises(TargetError, match=r"parallelism 11 .* nearest valid values: 10 "
                                          r"\(option parallelism=\{.l0.: 10\}\)"):
        HLSTarget().emit(small(), out, {"parallelism": {"l0": 11}})
    assert not any(out.iterdir())
    assert divisors(12) == [1, 2, 3, 4, 6, 12] and nearest_divisors(12, 5) == [4, 6]
    assert nearest_divisors(7, 3) == [1, 7] and check_lanes("n", 6, 12, "x") == 6


def test_too_wide_neuron_is_refused():
    g = chain((4,), "int<64>", ("lif_int", {"state_bits": 64, "in_shift": 63, "shift": 127, "saturate": True},
                                {"leak": p(1), "threshold": p(1)}))
    with pytest.raises(TargetError, match=r"node %l0: an intermediate of this neuron needs \d+ bits"):
        HLSTarget().check(g)


def test_missing_compiler_names_the_variable(tmp_path):
    g = small()
    HLSTarget().emit(g, tmp_path / "p", {})
    with pytest.raises(TargetError, match="not found; install g\\+\\+ or point the environment variable CXX"):
        HLSTarget().load(tmp_path / "p", g, {"cxx": "no-such-compiler-snnc"})


def test_bad_xilinx_hls_is_named(tmp_path, monkeypatch):
    g = small()
    HLSTarget().emit(g, tmp_path / "p", {})
    monkeypatch.setenv("XILINX_HLS", str(tmp_path / "no_vitis"))
    with pytest.raises(TargetError, match="has no ap_int.h; point XILINX_HLS at a Vitis HLS installation"):
        HLSTarget().load(tmp_path / "p", g, {})


@pytest.mark.skipif(not os.environ.get("XILINX_HLS"), reason="XILINX_HLS is not set (no Vitis HLS headers here)")
def test_real_vitis_headers_give_the_same_integers(tmp_path):
    from hlshelp import spikes

    from snnc.backends.reference import run as reference_run
    g = small()
    runner = HLSTarget().load(None, g, {"interface": "array"})
    x = spikes((6, 3, 6))
    assert str(runner.include).startswith(os.environ["XILINX_HLS"])
    assert np.array_equal(runner.run(x), reference_run(g, x))


def test_parallelism_per_node_from_the_command_line_form():
    import numpy as np

    from snnc.backends.target import TargetError
    from snnc.ir import Graph

    g = Graph("g")
    x = g.add("input", attrs={"shape": (6,), "dtype": "spike"}, name="x")
    fc = g.add("linear", [x], params={"weight": np.ones((4, 6), np.int8)}, name="fc.0")
    g.add("output", [fc], name="y")
    assert HLSTarget().options({"parallelism": "fc.0:2"}, g).parallelism == {"fc.0": 2}
    with pytest.raises(TargetError, match="node:N"):
        HLSTarget().options({"parallelism": "fc.0:two"}, g)
