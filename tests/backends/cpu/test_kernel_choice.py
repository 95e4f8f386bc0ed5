"""auto's per-layer kernel choice: the least estimated time for the layer's shape, input density
and SIMD path; the density estimated, given (option density) or measured on calibration inputs;
the choice and its reasons in the emitted README and in `snnc compile`'s summary lines."""
import numpy as np
import pytest

from cpuhelp import assert_many_match_reference, inputs_for
from snnc.backends import TargetError, get_target
from snnc.backends.cpu import CpuOptions, build_plan, write_arrays
from snnc.backends.cpu.kernels import DEFAULT_DENSITY, estimated_densities
from snnc.ir import Graph

rng = np.random.default_rng(81)


def mlp(fan_in=784, hidden=1024, pool=False) -> Graph:
    """The benchmark's MLP shape (the issue's case: auto slower than event on an AVX2 CPU)."""
    g = Graph("mlp")
    v = g.add("input", attrs={"shape": (fan_in,), "dtype": "spike"}, name="x").name
    for i, out in enumerate((hidden, 10)):
        v = g.add("linear", [v], params={"weight": rng.integers(-1, 2, (out, g[v].type.shape[-1])).astype(np.int8)},
                  name=f"fc{i}").name
        v = g.add("lif_int", [v], attrs={"shift": 1, "state_bits": 16},
                  params={"leak": np.full((1, 1), 1, np.int32), "threshold": np.full((1, 1), 6, np.int32)},
                  name=f"lif{i}").name
    g.add("output", [v], name="y")
    return g.verify()


def test_sparse_spikes_take_event_on_avx2_and_bitplane_on_avx512():
    g = mlp()
    assert build_plan(g, CpuOptions(simd="avx2")).kernels["fc0"] == "event"
    assert build_plan(g, CpuOptions(simd="avx512")).kernels["fc0"] == "bitplane"
    assert build_plan(g, CpuOptions(simd="avx2", density=0.9)).kernels["fc0"] == "bitplane"   # dense spikes
    assert build_plan(g, CpuOptions(simd="avx512", density=0.01)).kernels["fc0"] == "event"   # very sparse


def test_estimated_density_of_pooled_spikes():
    g = Graph("pool")
    g.add("input", attrs={"shape": (4, 8, 8), "dtype": "spike"}, name="x")
    g.add("maxpool2d", ["x"], attrs={"kernel": (2, 2)}, name="p")
    g.add("flatten", ["p"], name="f")
    g.add("linear", ["f"], params={"weight": np.ones((3, 64), np.int8)}, name="fc")
    g.add("output", ["fc"], name="y")
    d = estimated_densities(g.verify(), 0.25)
    assert d["x"] == 0.25 and d["f"] == pytest.approx(1 - 0.75 ** 4) and d["fc"] == 1.0


def test_calibration_inputs_give_measured_densities(tmp_path):
    g = mlp(200, 64)
    silent = np.zeros((4, 3, 200), np.int64)
    busy = np.ones((4, 3, 200), np.int64)
    write_arrays(tmp_path / "silent.bin", [silent])
    write_arrays(tmp_path / "busy.bin", [busy])
    quiet = build_plan(g, CpuOptions(simd="avx2", calibration=str(tmp_path / "silent.bin")))
    loud = build_plan(g, CpuOptions(simd="avx2", calibration=str(tmp_path / "busy.bin")))
    assert quiet.choices["fc0"].density == 0.0 and quiet.choices["fc0"].source == "measured"
    assert loud.choices["fc0"].density == 1.0
    assert quiet.kernels["fc0"] == "event" and loud.kernels["fc0"] == "bitplane"
    assert build_plan(g, CpuOptions()).choices["fc0"].density == DEFAULT_DENSITY
    out = tmp_path / "out"
    get_target("cpu").emit(g, out, {"calibration": str(tmp_path / "busy.bin"), "simd": "avx2"})
    readme = (out / "README.md").read_text()
    assert "`snnc_n1_fc0`: bitplane — input density 1.00 (measured)" in readme
    x = inputs_for(g, 3, 4, rng)
    assert_many_match_reference([(g, x)], calibration=str(tmp_path / "silent.bin"))


def test_bad_calibration_file_is_a_clear_error(tmp_path):
    g = mlp(20, 8)
    with pytest.raises(TargetError, match=r"calibration='.*nope.bin': cannot read it"):
        build_plan(g, CpuOptions(calibration=str(tmp_path / "nope.bin")))
    write_arrays(tmp_path / "two.bin", [np.zeros((1, 1, 20), np.int64), np.zeros((1, 1, 20), np.int64)])
    with pytest.raises(TargetError, match="holds 2 arrays; the graph takes 1"):
        build_plan(g, CpuOptions(calibration=str(tmp_path / "two.bin")))
    write_arrays(tmp_path / "shape.bin", [np.zeros((1, 1, 21), np.int64)])
    with pytest.raises(TargetError, match="do not fit the graph"):
        build_plan(g, CpuOptions(calibration=str(tmp_path / "shape.bin")))


def test_summary_names_each_layer():
    lines = get_target("cpu").summary(mlp(100, 20), CpuOptions(simd="avx2"))
    assert len(lines) == 2 and lines[0].startswith("%fc0: ") and "input density 0.20 (default)" in lines[0]


CNN = __import__("pathlib").Path(__file__).resolve().parents[3] / "examples" / "checkpoints" / "digits_ternary_cnn.pt"


@pytest.mark.skipif(not CNN.is_file(), reason="the shipped checkpoint examples/checkpoints/digits_ternary_cnn.pt is absent")
def test_snnc_compile_prints_the_kernel_per_layer_unless_quiet(tmp_path, capsys):
    from snnc.cli import main

    assert main(["compile", str(CNN), "--target", "cpu", "--out", str(tmp_path / "a"), "-O", "simd=avx2"]) == 0
    out = capsys.readouterr().out
    layers = [line for line in out.splitlines() if "input density" in line]
    assert len(layers) == 4 and all(" — input density " in line for line in layers), out
    assert main(["compile", str(CNN), "--target", "cpu", "--out", str(tmp_path / "b"), "--quiet"]) == 0
    assert "input density" not in capsys.readouterr().out
