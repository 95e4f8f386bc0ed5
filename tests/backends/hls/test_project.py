"""The emitted project: its files, `make csim` with -Wall -Wextra -Werror, the testbench's exit
codes, the Tcl / v++ flows, the README, and `snnc.compile(..., target="hls")`."""
import json
import os
import shutil
import subprocess

import numpy as np
import pytest
from hlshelp import chain, p, spikes

import snnc
from snnc.backends.hls import HLSTarget
from snnc.backends.reference import run as reference_run

MAKE = shutil.which("make")


def mlp(name="mlp"):
    rng = np.random.default_rng(1)
    return chain((12,), "spike",
                 ("linear", {}, {"weight": rng.integers(-1, 2, (4, 8, 12)).astype(np.int8)}),
                 ("lif_int", {"shift": 4, "state_bits": 12}, {"leak": p(14), "threshold": p(3)}),
                 ("linear", {}, {"weight": rng.integers(-1, 2, (5, 8)).astype(np.int8), "bias": p(1, dtype=np.int32)}),
                 ("li_int", {"shift": 3, "state_bits": 16, "frac_bits": 3}, {"leak": p(7)}), name=name)


@pytest.fixture(scope="module", params=["axis", "array"])
def project(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"prj_{request.param}")
    g = mlp()
    arts = HLSTarget().emit(g, out, {"top": "mlp_top", "interface": request.param, "parallelism": {"l0": 4},
                                     "timesteps": 5, "tb_samples": 3, "clock_mhz": 250, "cosim": True})
    return g, out, arts, request.param


def test_project_layout(project):
    _, out, arts, _ = project
    for rel in ("firmware/defines.h", "firmware/layers.h", "firmware/mlp_top.cpp", "firmware/mlp_top.h",
                "firmware/weights/l0.h", "tb/tb_mlp_top.cpp", "tb_data/input.dat", "tb_data/expected.dat",
                "csim/mlp_top_csim.cpp", "shim/ap_int.h", "shim/hls_stream.h", "build_prj.tcl",
                "hls_config.cfg", "Makefile", "README.md", "estimates.json"):
        assert (out / rel).is_file(), rel
    assert all(path.exists() for path in arts.values())
    lines = (out / "tb_data/input.dat").read_text().splitlines()
    assert len(lines) == 3 and all(line.split()[0] == "5" and len(line.split()) == 1 + 5 * 12 for line in lines)
    # one function per layer; one DATAFLOW region of processes on hls::stream FIFOs, each process with its
    # own time loop; the neurons reset their state at the start of every sample; ternary = popcounts
    layers = (out / "firmware/layers.h").read_text()
    assert layers.count("static void layer_") == 5
    assert layers.count("for (int t = 0; t < n_steps; t++)") == 5      # 2 frame processes, 3 streaming
    assert layers.count("static void proc_") == 4 and layers.count("_step(hls::stream") == 2     # + nested step
    assert "SNNC_HLS(DATAFLOW)" in layers
    top = (out / "firmware/mlp_top.cpp").read_text()
    assert "SNNC_HLS(DATAFLOW)" in top and "hls::stream<mlp_top_ns::beat<" in top and "dataflow({" in top
    neuron = layers[layers.index("static void layer_l1"):layers.index("static void proc_l2")]
    assert neuron.index("ap_int<12> v[8];") < neuron.index("v[j * 1 + l] = 0;") < neuron.index("t < n_steps")
    assert "pos += (on && w == 1)" in layers and "neg += (on && w == -1)" in layers and " * xv" not in layers
    # the bank of 4 ternary matrices is indexed by t % 4
    assert "(t % 4) * " in layers
    weights = (out / "firmware/weights/l0.h").read_text()
    assert "ap_uint<8> w_l0[" in weights      # 4 lanes × 2-bit codes per word


def test_tcl_and_config(project):
    _, out, _, _ = project
    tcl = (out / "build_prj.tcl").read_text()
    assert "set_top mlp_top" in tcl and "set_part {xcu250-figd2104-2L-e}" in tcl
    assert "create_clock -period 4 " in tcl                       # 250 MHz
    for step, on in (("csim", 1), ("csynth", 1), ("cosim", 1), ("export", 0)):
        assert f"    {step} {' ' * (6 - len(step))}{on}" in tcl
    for cmd in ("csim_design", "csynth_design", "cosim_design", "export_design -format ip_catalog"):
        assert cmd in tcl
    cfg = (out / "hls_config.cfg").read_text()
    assert "syn.top=mlp_top" in cfg and "part=xcu250-figd2104-2L-e" in cfg and "clock=4ns" in cfg
    assert "tb.file=tb/tb_mlp_top.cpp" in cfg and "syn.file=firmware/mlp_top.cpp" in cfg


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_make_csim_passes_and_fails_on_a_mismatch(project, tmp_path):
    _, out, _, _ = project
    work = tmp_path / "prj"
    shutil.copytree(out, work)
    env = {k: v for k, v in os.environ.items() if k not in ("XILINX_HLS", "CXX", "CXXFLAGS")}
    r = subprocess.run([MAKE, "csim"], cwd=work, capture_output=True, text=True, timeout=600,
                       env=dict(env, CXXFLAGS="-O0"))
    assert r.returncode == 0, r.stderr
    assert "3 samples, 0 mismatches: PASS" in r.stdout
    # the compiler ran with every warning an error, the shim as a system header
    assert "-Wall -Wextra -Werror -isystem shim" in r.stdout
    results = (work / "tb_data/csim_results.log").read_text().split()
    assert results == (work / "tb_data/expected.dat").read_text().split()
    # a wrong expected value makes the testbench fail with exit status 1
    exp = (work / "tb_data/expected.dat").read_text().splitlines()
    first = exp[1].split()
    first[3] = str(int(first[3]) + 1)
    exp[1] = " ".join(first)
    (work / "tb_data/expected.dat").write_text("\n".join(exp) + "\n")
    tb = work / "build" / "tb_mlp_top"
    r = subprocess.run([str(tb), "tb_data"], cwd=work, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "FAIL" in r.stdout and "sample 1" in r.stderr
    # missing data: exit status 2
    r = subprocess.run([str(tb), str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2


def test_estimates_and_readme(project):
    g, out, _, interface = project
    est = json.loads((out / "estimates.json").read_text())
    assert [e["name"] for e in est["layers"]] == ["l0", "l1", "l2", "l3", "y"]
    l0 = est["layers"][0]
    # 1 row · (8 outputs / 4 lanes) · (12 synapses / SIMD 1) + 3 cycles; ternary: no DSP
    assert l0["lanes"] == 4 and l0["simd"] == 1 and l0["cycles_per_timestep"] == 2 * 12 + 3 and l0["dsp"] == 0
    assert l0["ternary"]
    assert est["total"]["dsp"] == sum(e["dsp"] for e in est["layers"])
    assert est["clock_mhz"] == 250 and est["timesteps"] == 5 and est["dataflow"]
    per_step = est["total"]["cycles_per_timestep"]
    # DATAFLOW: the slowest process, the ports' processes included (axis: one element per cycle)
    assert per_step == max(max(e["cycles_per_timestep"] for e in est["layers"]), est["io_cycles_per_timestep"])
    # axis: 12 input elements, one per cycle; array: 12 inputs in one beat, 5 outputs in beats of 1 (PE of y)
    assert est["io_cycles_per_timestep"] == (12 if interface == "axis" else 5 + 3)
    assert {p["kind"] for p in est["processes"]} == {"input", "frame", "stream", "output"}
    assert est["total"]["latency_us_per_sample"] == pytest.approx(est["total"]["latency_cycles_per_sample"] / 250,
                                                                  abs=1e-3)
    readme = (out / "README.md").read_text()
    assert l0["latency_cycles_per_sample"] == 5 * 27 and l0["latency_us_per_sample"] == round(135 / 250, 3)
    assert "| `l0` | linear | 4 | 1 | 27 | 0.54 |" in readme
    total = est["total"]
    assert total["samples_per_second"] == pytest.approx(250e6 / total["interval_cycles_per_sample"], abs=0.1)
    assert est["part_resources"]["bram_18k"] == 5376 and est["binding_resource"] in est["utilization"]
    assert "make csim" in readme and "vitis_hls -f build_prj.tcl" in readme


def test_compile_drives_the_target(tmp_path):
    """snnc.compile with target="hls": emits into out_dir, run() is the g++ C-simulation."""
    g = mlp("compiled")
    compiled = snnc.compile(g, target="hls", out_dir=tmp_path / "hls", passes="", top="net", interface="array",
                            timesteps=4)
    assert (tmp_path / "hls" / "firmware" / "net.cpp").is_file()
    x = spikes((9, 4, 12), seed=3)           # T = 9 > max_timesteps: the library is rebuilt for 9 rows
    assert np.array_equal(compiled.run(x), reference_run(compiled.graph, x))
