"""The part table, the PE × SIMD folding knobs, the folding solver (fps / fold) and its refusals —
pure Python: plans and estimates, no C++ (the C-simulations of folded graphs are in test_streams.py)."""
import numpy as np
import pytest
from hlshelp import chain, p

from snnc.backends.hls import HLSTarget
from snnc.backends.hls.estimates import cycles, estimate
from snnc.backends.hls.parts import PARTS, find_part
from snnc.backends.hls.plan import plan
from snnc.backends.target import TargetError

rng = np.random.default_rng(5)


def project(g, **options):
    return plan(g, HLSTarget().options(options, g))


def mlp(fan_in=64, hidden=32, out=10, timesteps=4):
    return chain((fan_in,), "spike",
                 ("linear", {}, {"weight": rng.integers(-1, 2, (hidden, fan_in)).astype(np.int8)}),
                 ("lif_int", {"state_bits": 10}, {"leak": p(1), "threshold": p(3)}),
                 ("linear", {}, {"weight": rng.integers(-1, 2, (out, hidden)).astype(np.int8)}),
                 ("li_int", {"state_bits": 12, "shift": 2}, {"leak": p(3)}), timesteps=timesteps)


def test_part_table_and_board_aliases():
    assert find_part("pynq-z2").part == "xc7z020clg400-1" and find_part("KV260").device == "xck26"
    assert find_part("zcu104").part == "xczu7ev-ffvc1156-2-e" and find_part("u55c").dsp == 9024
    full = find_part("xcu250-figd2104-2L-e")
    assert full.part == "xcu250-figd2104-2L-e" and full.bram_18k == 5376 and full.uram == 1280
    assert find_part("xc7a35t-cpg236-1") is None
    assert {d: (v.lut, v.bram_18k, v.dsp) for d, v in PARTS.items()}["xc7z020"] == (53_200, 280, 220)
    opts = HLSTarget().options({"part": "kv260"})
    assert opts.part == "xck26-sfvc784-2LV-c" and opts.device.lut == 117_120
    assert HLSTarget().options({"part": "xc7a35t-cpg236-1"}).device is None      # passed to Vitis as it is
    with pytest.raises(TargetError, match=r"fps needs the resources of the part.*xc7z020 \(pynq-z2/pynq/zedboard\)"):
        HLSTarget().options({"part": "xc7a35t-cpg236-1", "fps": 100})
    with pytest.raises(TargetError, match=r"options fps=10 and fold=min-area both choose the folding"):
        HLSTarget().options({"fps": 10, "fold": "min-area"})


def test_fps_scales_with_the_folding_as_the_formulas_say():
    g = mlp()
    T, clock = 4, 200.0
    base = None
    for pe, simd in ((1, 1), (2, 1), (4, 8), (32, 64), (8, 16)):
        est = estimate(project(g, parallelism={"l0": pe, "l1": pe}, simd={"l0": simd}))
        l0 = est["layers"][0]
        assert l0["cycles_per_timestep"] == (32 // pe) * (64 // simd) + 3          # outer · N/PE · K/SIMD + D
        ii = max(pr["cycles_per_timestep"] for pr in est["processes"])
        assert est["total"]["cycles_per_timestep"] == ii
        reset = 32 // pe + 3 if 32 // pe + 3 > 10 + 3 else 10 + 3                   # the largest state reset
        assert est["total"]["interval_cycles_per_sample"] == T * ii + reset
        assert est["total"]["samples_per_second"] == pytest.approx(clock * 1e6 / (T * ii + reset), abs=0.1)
        if (pe, simd) == (1, 1):
            base = est["total"]["samples_per_second"]
    # 32 × 64 lanes: the slowest process is now the axis input port (64 elements, one per cycle)
    fast = estimate(project(g, parallelism={"l0": 32, "l1": 32, "l2": 10, "l3": 10}, simd={"l0": 64, "l2": 32}))
    assert fast["slowest_layer"] == "proc_in_x" and fast["total"]["cycles_per_timestep"] == 64
    assert fast["total"]["samples_per_second"] > 25 * base
    # LUTs grow with PE × SIMD, DSPs stay 0 (popcounts)
    small, big = (estimate(project(g, parallelism={"l0": pe}, simd={"l0": s}))["layers"][0] for pe, s in
                  ((1, 1), (8, 16)))
    assert big["lut"] > 3 * small["lut"] and big["dsp"] == small["dsp"] == 0


def test_solver_meets_the_fps_and_keeps_explicit_choices():
    g = mlp(fan_in=128, hidden=64)
    for fps in (2e4, 1.5e5):
        pr = project(g, fps=fps, part="pynq-z2", clock_mhz=100)
        est = estimate(pr)
        assert est["total"]["samples_per_second"] >= fps, fps
        assert est["folding"].startswith(f"fps={fps:g}: every layer within")
        assert est["utilization"]["lut"] <= 0.7
    pr = project(g, fps=2e4, part="pynq-z2", clock_mhz=100, parallelism={"l0": 2}, simd={"l0": 4})
    l0 = next(la for la in pr.layers if la.node == "l0")
    assert (l0.lanes, l0.simd) == (2, 4)                                        # explicit wins
    assert estimate(pr)["total"]["samples_per_second"] >= 2e4
    # ... and when it is too slow for the goal, the refusal says so
    with pytest.raises(TargetError, match=r"largest that fits is [\d,]+ samples/s \(layer %l0 at its fastest "
                                          r"\(PE=2, SIMD=4\) takes 1,027 cycles per timestep\)"):
        project(g, fps=1.5e5, part="pynq-z2", clock_mhz=100, parallelism={"l0": 2}, simd={"l0": 4})


def test_goals_order_area_and_throughput():
    g = mlp(fan_in=128, hidden=64)
    est = {goal: estimate(project(g, fold=goal, part="xc7z020")) for goal in ("min-area", "balanced",
                                                                            "max-throughput")}
    fps = {k: e["total"]["samples_per_second"] for k, e in est.items()}
    lut = {k: e["total"]["lut"] for k, e in est.items()}
    assert fps["min-area"] < fps["balanced"] <= fps["max-throughput"]
    assert lut["min-area"] < lut["max-throughput"]
    assert est["balanced"]["utilization"]["lut"] <= 0.35                          # half of max_utilization
    # max-throughput stops at the ports: no layer faster than the axis input can feed it
    assert est["max-throughput"]["total"]["cycles_per_timestep"] == est["max-throughput"]["io_cycles_per_timestep"]


def test_too_high_fps_names_the_largest_that_fits():
    g = chain((256,), "uint<8>", ("linear", {}, {"weight": rng.integers(-100, 101, (256, 256)).astype(np.int8)}),
              ("lif_int", {"state_bits": 24}, {"leak": p(1), "threshold": p(300)}), timesteps=4)
    with pytest.raises(TargetError) as e:
        project(g, fps=1e6, part="pynq-z2", interface="array")
    msg = str(e.value)
    assert "fps=1e+06 does not fit part xc7z020 (PYNQ-Z2) within 70 % of its resources" in msg
    largest = int(msg.split("give -O fps=")[1].split(" ")[0])
    assert "limited by DSP" in msg                                  # 8-bit × 8-bit products: DSP48s
    est = estimate(project(g, fps=largest, part="pynq-z2", interface="array"))
    assert est["total"]["samples_per_second"] >= largest and est["utilization"]["dsp"] <= 0.7
    # the axis input port carries one element per cycle: a goal above it says so
    with pytest.raises(TargetError, match=r"more than the ports can carry: .* 256 cycles per timestep .* "
                                          r"-O interface=array"):
        project(g, fps=1e6, part="xcu250")


def test_nothing_fits_names_the_resource():
    g = chain((2048,), "uint<4>", ("linear", {}, {"weight": rng.integers(-7, 8, (1024, 2048)).astype(np.int8)}),
              timesteps=2)
    with pytest.raises(TargetError, match=r"no folding fits part xc7z020 \(PYNQ-Z2\) within 70 % of its "
                                          r"resources: BRAM_18K needs [\d,]+ of 196 even at the smallest folding "
                                          r"\(the most: layer %l0"):
        project(g, fold="max-throughput", part="pynq-z2")


def test_explicit_folding_over_the_part_is_refused_with_the_layer_and_choices(tmp_path):
    g = chain((64,), "uint<8>", ("linear", {}, {"weight": rng.integers(-100, 101, (64, 64)).astype(np.int8)}),
              timesteps=2)
    with pytest.raises(TargetError, match=r"the folding does not fit part xc7z020 \(PYNQ-Z2\): DSP [\d,]+ of 220; "
                                          r"layer %l0 \(PE=64, SIMD=8\) uses [\d,]+; smaller valid choices: PE 1, 2, "
                                          r"4, 8, 16, 32; SIMD 1, 2, 4"):
        HLSTarget().emit(g, tmp_path / "p", {"part": "pynq-z2", "parallelism": {"l0": 64}, "simd": {"l0": 8}})
    assert not (tmp_path / "p").exists()
    HLSTarget().emit(g, tmp_path / "q", {"part": "pynq-z2", "parallelism": {"l0": 4}, "simd": {"l0": 8}})


def test_simd_must_divide_the_fan_in():
    g = chain((12,), "spike", ("linear", {}, {"weight": np.ones((6, 12), np.int8)}))
    with pytest.raises(TargetError, match=r"simd 5 for layer %l0 does not divide its 12 input features; nearest "
                                          r"valid values: 4 or 6 \(option simd=\{'l0': 4\}\); valid: 1, 2, 3, 4, 6, "
                                          r"12"):
        project(g, simd={"l0": 5})
    with pytest.raises(TargetError, match=r"option simd names node 'nope'"):
        project(g, simd={"nope": 2})
    g2 = chain((3, 6, 6), "spike", ("conv2d", {"padding": (1, 1)}, {"weight": np.ones((4, 3, 3, 3), np.int8)}))
    with pytest.raises(TargetError, match=r"simd 2 for layer %l0 does not divide its 27 synapses per output"):
        project(g2, simd={"l0": 2})
    assert cycles(project(g2, simd={"l0": 9}).layers[0].fold, 2, 9) == 36 * 2 * 3 + 3
