"""The estimate formulas (backends/hls/estimates.py) on small cases worked out by hand."""
import numpy as np
from hlshelp import chain, p

from snnc.backends.hls.estimates import bram18, estimate, memory
from snnc.backends.hls import HLSTarget
from snnc.backends.hls.plan import plan


def project(g, **options):
    return plan(g, HLSTarget().options(options, g))


def test_bram_shapes():
    assert bram18(512, 36) == 1 and bram18(1024, 36) == 2 and bram18(16384, 1) == 1 and bram18(2048, 9) == 1
    assert bram18(3000, 2) == 1 and bram18(600, 40) == 3        # 1K×18: ⌈40/18⌉ = 3
    assert memory(32, 32) == (0, 16)                             # 1024 bits stay in LUTRAM
    assert memory(4096, 8, banks=4) == (4, 0)                    # 4 banks of 1024 × 8 bits


def test_ternary_layers_use_no_dsp_and_kbit_products_do():
    rng = np.random.default_rng(0)
    tern = chain((64,), "uint<8>", ("linear", {}, {"weight": rng.integers(-1, 2, (32, 64)).astype(np.int8)}))
    kbit = chain((64,), "uint<8>", ("linear", {}, {"weight": rng.integers(-60, 61, (32, 64)).astype(np.int8)}))
    spk = chain((64,), "spike", ("linear", {}, {"weight": rng.integers(-60, 61, (32, 64)).astype(np.int8)}))
    for g, dsp in ((tern, 0), (kbit, 8), (spk, 0)):
        est = estimate(project(g, parallelism=8))
        assert est["layers"][0]["dsp"] == dsp
        assert est["layers"][0]["ternary"] == (g is tern)


def test_cycles_scale_with_lanes_and_dataflow_takes_the_slowest():
    rng = np.random.default_rng(0)
    g = chain((16,), "spike", ("linear", {}, {"weight": rng.integers(-1, 2, (12, 16)).astype(np.int8)}),
              ("lif_int", {"state_bits": 10}, {"leak": p(1), "threshold": p(2)}))
    one = estimate(project(g))
    four = estimate(project(g, parallelism={"l0": 4, "l1": 4}))
    # one flattened pipelined loop per layer: outer · (N / PE) · (K / SIMD) + 3
    assert [e["cycles_per_timestep"] for e in one["layers"]] == [12 * 16 + 3, 12 + 3, 12 + 3]
    assert [e["cycles_per_timestep"] for e in four["layers"]] == [3 * 16 + 3, 3 + 3, 12 + 3]
    # DATAFLOW: the slowest process (the axis input port takes 16 cycles, one element per cycle)
    assert one["dataflow"] and one["total"]["cycles_per_timestep"] == 12 * 16 + 3
    assert one["total"]["interval_cycles_per_sample"] == 8 * (12 * 16 + 3) + 12 + 3       # T · II + reset
    seq = estimate(project(g, dataflow=False, timesteps=10))
    total = sum(e["cycles_per_timestep"] for e in seq["layers"])
    assert seq["total"]["cycles_per_timestep"] == total + 16 + 12
    assert seq["total"]["latency_cycles_per_sample"] == 10 * (total + 28) + 12 + 3     # + state reset
    assert four["layers"][1]["bram_18k_state"] == 0 and four["layers"][0]["bram_18k_weights"] == 0
