"""Refuse, never differ: verify() proves every integer neuron's widths for the graph's stated
timesteps, shifts are bounded by the type widths, and every runner refuses a run longer than
the proof (the three silent cases of issue 12, plus the proof's own rules)."""
import numpy as np
import pytest

from snnc.backends import TargetError, get_target
from snnc.backends.reference import UnprovenError, run
from snnc.ir import MAX_TIMESTEPS, Graph, TimestepsError, VerifyError, check_timesteps
from snnc.ir.ops.neuron_ranges import analyse
from snnc.passes.integerize import Integerize

i32 = np.int32


def neuron(x_dtype="uint<21>", state_bits=16, shift=0, in_shift=0, leak=1, threshold=100, saturate=False,
           timesteps=None, build_only=False):
    g = Graph("g", {} if timesteps is None else {"timesteps": timesteps})
    g.add("input", attrs={"shape": (2,), "dtype": x_dtype}, name="x")
    g.add("lif_int", ["x"], attrs={"shift": shift, "in_shift": in_shift, "state_bits": state_bits,
                                   "saturate": saturate, "reset": "subtract"},
          params={"leak": np.full((1, 1), leak, np.int64), "threshold": np.full((1, 1), threshold, np.int64)},
          name="n")
    g.add("output", ["n"], name="y")
    return g


def test_narrow_state_for_a_wide_input_is_refused_by_verify_and_the_cpu_target():
    g = neuron("uint<21>", state_bits=16)
    with pytest.raises(VerifyError, match=r"node %n: lif_int: .*int<16> state for inputs of type uint<21>.*"
                                          r"overflow at timestep 0; set saturate=true, widen state_bits"):
        g.verify()
    with pytest.raises(VerifyError, match="node %n"):
        get_target("cpu").check(g)
    neuron("uint<21>", state_bits=16, saturate=True).verify()      # the way out the message names
    neuron("uint<14>", state_bits=16, leak=0).verify()              # an input that fits, no memory


@pytest.mark.parametrize("state_bits, shift", [(32, 64), (16, 32), (8, 200)])
def test_shifts_past_the_product_width_are_refused(state_bits, shift):
    with pytest.raises(VerifyError, match=rf"shift={shift} < 2·state_bits"):
        neuron("spike", state_bits=state_bits, shift=shift).verify()
    with pytest.raises(VerifyError, match="in_shift=20 must be < state_bits=16"):
        neuron("spike", state_bits=16, in_shift=20)


def test_a_shift_of_64_on_a_wide_state_is_exact_on_cpu_and_reference():
    # state_bits 48: shift 64 < 96 is legal; the products are formed wide enough to shift by 64
    g = neuron("uint<4>", state_bits=48, shift=64, leak=(1 << 46) + 12345, threshold=1 << 20, saturate=True)
    g.verify()
    x = np.random.default_rng(0).integers(0, 16, (6, 2, 2))
    want = run(g, x)
    tgt = get_target("cpu")
    with tgt.rendered(g, tgt.options({"opt": 0}, g)) as tmp:
        got = tgt.open(tmp, g, tgt.options({"opt": 0}, g)).run(x)
    assert np.array_equal(got, want)


def growing_float_graph(T):
    """uint<8> → linear (positive weights) → IF without reset: the membrane grows by ≤ 255·8 a step."""
    g = Graph("grow", {"timesteps": T})
    g.add("input", attrs={"shape": (8,), "dtype": "uint<8>", "scale": 1.0}, name="x")
    g.add("linear", ["x"], params={"weight": np.ones((4, 8), np.float32)}, name="fc")
    g.add("if", ["fc"], attrs={"reset": "none"}, params={"threshold": np.full((1, 4), 1e6, np.float32)},
          name="n")
    g.add("output", ["n"], name="y")
    return g.verify()


def test_a_graph_integerized_for_T_refuses_a_longer_run_on_every_runner():
    ig = Integerize().apply(growing_float_graph(8))
    assert ig.attrs["timesteps"] == 8 and not ig["n"].attrs["saturate"]
    x = np.full((3000, 1, 8), 255, np.uint8)
    ok = run(ig, x[:8])
    with pytest.raises(UnprovenError, match=r"node %n \(lif_int\), timestep \d+: the input has 3000 timesteps.*"
                                            r"--timesteps 3000.*saturate=true") as e:
        run(ig, x)
    assert 8 <= e.value.timestep < 3000
    tgt = get_target("cpu")
    opts = tgt.options({"opt": 0}, ig)
    with tgt.rendered(ig, opts) as tmp:
        runner = tgt.open(tmp, ig, opts)
    assert np.array_equal(runner.run(x[:8]), ok)
    with pytest.raises(UnprovenError, match="--timesteps 3000"):
        runner.run(x)
    hls = get_target("hls").load(None, ig, {"timesteps": 8})          # the HLS C-simulation
    assert np.array_equal(hls.run(x[:8]), ok)
    with pytest.raises(UnprovenError, match="--timesteps 3000"):
        hls.run(x)
    hls_target = get_target("hls")                                     # its testbench data, for T = 3000
    with pytest.raises(TargetError, match="cannot compute the testbench data.*3000 timesteps"):
        hls_target.render(ig, hls_target.options({"timesteps": 3000}, ig))
    # integerized for the long run, it either fits or saturates: never a different number
    long = Integerize(T=3000).apply(growing_float_graph(8))
    assert long.attrs["timesteps"] == 3000
    assert np.array_equal(run(long, x)[:8], ok)


def test_verify_proves_the_stated_timesteps():
    # int<12> state, IF (leak 1), spike input, huge threshold: v grows by one per step and leaves at 2047
    g = neuron("spike", state_bits=12, threshold=1 << 11 - 1, timesteps=2000)
    g["n"].attrs["reset"] = "none"
    g.verify()
    g.attrs["timesteps"] = 2048
    with pytest.raises(VerifyError, match=r"over the graph's timesteps=2048 .* overflow at timestep 2047.*"
                                          r"run at most 2047 timesteps"):
        g.verify()
    check_timesteps(neuron("spike", state_bits=12, leak=0), MAX_TIMESTEPS)     # no memory: any length
    with pytest.raises(TimestepsError, match="runs take 1 to"):
        check_timesteps(neuron("spike", state_bits=12, leak=0), MAX_TIMESTEPS + 1)


@pytest.mark.parametrize("bad", [0, -3, 10 ** 9, "8", 2.5, True])
def test_the_stated_timesteps_are_bounded(bad):
    with pytest.raises(VerifyError, match="graph attribute timesteps="):
        neuron("spike", state_bits=12, timesteps=bad).verify()


def test_the_analysis_stops_at_a_fixed_point():
    # leak 1/2: v ≤ 2·u, reached in a few steps; proven for any T without iterating T times
    r = analyse(10 ** 9, (0, 1), 4, 1, np.array([[1]]), np.array([[1000]]), fits=(-(1 << 15), (1 << 15) - 1))
    assert r.converged and r.overflow_at is None and r.steps < 100
    r = analyse(10, (0, 3), 0, 1, np.array([[1]]))
    assert r.converged and len(r.v_abs) == 10          # the lists continue periodically
