"""Refuse, never differ, on mutated integer neurons: random widths, shifts, leaks, input types and
run lengths. Each graph is refused (verify, the target's check, or the runner's proof of T) or
runs — and then the reference never leaves a type at run time (the proof is sound), the C
runtime returns exactly the reference's integers (all accepted graphs built into one library),
and so does the HLS C-simulation on a sample of them (one batch build)."""
import numpy as np
import pytest

from fuzzhelp import examples, record, time_limit
import tempfile
from pathlib import Path

from cpuhelp import cpu_run_many
from snnc.backends import TargetError, get_target
from snnc.backends.reference import ExecutionError, UnprovenError
from snnc.backends.hls import HLSTarget
from snnc.backends.hls.runner import call_csim
from snnc.backends.reference import run as reference_run
from snnc.backends.reference.inputs import bind_inputs
from snnc.ir import Graph, VerifyError
from snnc.ir.types import parse_dtype

OPS = ("lif_int", "cuba_lif_int", "li_int")


def mutated_neuron(rng: np.random.Generator):
    """input (random type) → linear (int8 levels) → a random integer neuron → output."""
    n_in, n = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    x_dtype = str(rng.choice(["spike", "uint<3>", "uint<8>", "int<4>", "uint<21>", "int<12>"]))
    op = str(rng.choice(OPS))
    bits = int(rng.choice([4, 8, 12, 16, 21, 24, 32, 40, 48, 63, 64]))
    big = 1 << (bits - 1)
    shift = int(rng.choice([0, 1, 2, 4, 8, 12, 30, 31, 32, 63, 64, 65, 2 * bits - 1, 2 * bits]))
    in_shift = int(rng.choice([0, 1, 4, 8, 12, bits - 1, bits]))
    attrs = {"state_bits": bits, "shift": shift, "in_shift": in_shift, "saturate": bool(rng.random() < 0.25),
             "frac_bits": 0}
    if op != "li_int":
        attrs.update(reset=str(rng.choice(["zero", "subtract", "none"])), compare=str(rng.choice(["ge", "gt"])),
                     v_reset=int(rng.integers(-3, 4)))

    def param(lo, hi):
        lo, hi = max(lo, -big), min(hi, big - 1)
        return rng.integers(lo, hi, (int(rng.choice([1, 2])), n), endpoint=True).astype(np.int64)

    lim = 1 << min(shift, 62)
    params = {"leak": param(0, lim + int(rng.integers(0, 3))), "bias": param(-8, 8)}
    if op != "li_int":
        params["threshold"] = param(1, 1 << int(rng.integers(1, bits)))
    if op == "cuba_lif_int":
        params["alpha"] = param(0, lim)
    T_stated = int(rng.choice([1, 4, 16, 64]))
    g = Graph("fuzz", {"timesteps": T_stated})
    g.add("input", attrs={"shape": (n_in,), "dtype": x_dtype}, name="x")
    g.add("linear", ["x"], params={"weight": rng.integers(-3, 4, (n, n_in)).astype(np.int8)}, name="fc")
    g.add(op, ["fc"], attrs=attrs, params=params, name="n")
    g.add("output", ["n"], name="y")
    T_run = int(rng.choice([1, T_stated, 2 * T_stated, 200]))
    lo, hi = parse_dtype(x_dtype).range()
    x = rng.integers(lo, hi, (T_run, 2, n_in), endpoint=True)
    if rng.random() < 0.5:
        x[:] = hi                                   # the worst case the proof must cover
    return g, x


def test_mutated_integer_neurons_are_refused_or_exact():
    rng = np.random.default_rng(12)
    accepted = []
    for case in range(examples(60)):
        with time_limit("widths"):
            try:
                g, x = mutated_neuron(rng)
            except VerifyError:                     # an op rule refused the graph as it was built
                record("widths", "VerifyError (build)")
                continue
            try:
                g.verify()
                get_target("cpu").check(g)
            except (VerifyError, TargetError) as e:
                record("widths", f"{type(e).__name__} (refused)")
                continue
            try:
                want = reference_run(g, x)
            except UnprovenError:
                record("widths", "UnprovenError (run longer than proven)")
                continue
            except ExecutionError as e:             # a proven graph left a type: the proof is unsound
                pytest.fail(f"case {case}: verify accepted a graph the reference cannot run: {e}")
            record("widths", "ran")
            accepted.append((g, x, want))
    assert accepted, "no mutated graph was accepted: the generator is too hostile to test equality"
    with time_limit("widths (cpu)", 300):
        got = cpu_run_many([(g, x) for g, x, _ in accepted])
    for (g, x, want), y in zip(accepted, got):
        assert np.array_equal(y, want), f"cpu differs from the reference on\n{g}"
    record("widths (cpu)", "equal to the reference")  # one build of every accepted graph
    hls_check(accepted[:examples(6)])


def hls_check(cases):
    """The HLS C-simulation of `cases` (one batch build, `hlshelp.build_batch`) equals the reference."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backends" / "hls"))
    from hlshelp import build_batch

    target = HLSTarget()
    with time_limit("widths (hls C-sim)", 600), tempfile.TemporaryDirectory() as tmp:
        work, projects, emitted = Path(tmp), [], []
        for k, (g, x, want) in enumerate(cases):
            try:
                target.emit(g, work / f"g{k}", {"top": f"g{k}", "timesteps": x.shape[0], "tb_samples": 1})
            except TargetError:
                record("widths (hls C-sim)", "TargetError (refused)")
                continue
            projects.append((f"g{k}", work / f"g{k}"))
            emitted.append((g, x, want))
        built = build_batch(projects, work / "build") if projects else {}
        for (g, x, want), (top, _) in zip(emitted, projects):
            got = call_csim(built[top].csim, g, bind_inputs(g, x), top)
            assert np.array_equal(got, want), f"{top}: the HLS C-simulation differs from the reference on\n{g}"
            record("widths (hls C-sim)", "equal to the reference")
