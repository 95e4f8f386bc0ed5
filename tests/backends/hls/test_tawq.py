"""TaWQ-style time-varying ternary weights: weight banks indexed by t % T_w, additions and
subtractions only, bit-exact — on a hand-built bank and through snnc.compile of a TaWQ model."""
import json

import numpy as np
import torch
from hlshelp import build_batch, chain

import snnc
from snnc.backends.hls import HLSTarget
from snnc.backends.hls.runner import call_csim
from snnc.backends.reference import encode_inputs
from snnc.backends.reference import run as reference_run
from snnc.backends.reference.inputs import bind_inputs


def test_weight_bank_cycles_with_time(tmp_path):
    rng = np.random.default_rng(3)
    bank = rng.integers(-1, 2, size=(4, 16, 12)).astype(np.int8)            # one ternary matrix per timestep
    g = chain((12,), "spike", ("linear", {}, {"weight": bank}),
              ("lif_int", {"shift": 4, "state_bits": 12},                    # per-timestep thresholds (folded α_t)
               {"leak": np.full((1, 1), 13, np.int32), "threshold": rng.integers(1, 5, (4, 1)).astype(np.int32)}))
    HLSTarget().emit(g, tmp_path / "p", {"top": "tawq", "parallelism": {"l0": 8}, "timesteps": 8})
    layers = (tmp_path / "p/firmware/layers.h").read_text()
    body = layers[layers.index("static void layer_l0"):layers.index("static void layer_l1")]
    assert "(t % 4) * 24 + g * 12 + c" in body            # bank t % 4 of 2 groups × 12 chunks (SIMD 1)
    # spikes × ternary synapses are popcounts of spike & w+ and spike & w−: no product with a weight or an input
    assert "pos += (on && w == 1)" in body and "neg += (on && w == -1)" in body
    assert "* xv" not in body and "w *" not in body
    est = json.loads((tmp_path / "p/estimates.json").read_text())
    assert est["layers"][0]["dsp"] == 0 and est["layers"][0]["ternary"]
    built = build_batch([("tawq", tmp_path / "p")], tmp_path / "b")["tawq"]
    x = rng.integers(0, 2, size=(11, 4, 12))                                 # T = 11: banks wrap around
    assert np.array_equal(call_csim(built.csim, g, bind_inputs(g, x), "tawq"), reference_run(g, x))
    assert built.tb(str(tmp_path / "p/tb_data").encode()) == 0


def test_tawq_model_compiles_and_matches(tmp_path):
    torch.manual_seed(0)
    model = snnc.build("mlp", quant="tawq", T=4, hidden=[24])
    model.eval()
    model.metadata = {"encoding": "direct", "input_bits": 5, "input_scale": 1 / 16}
    x = torch.randint(0, 17, (4, 5, 64)).float() / 16
    compiled = snnc.compile(model, target="hls", out_dir=tmp_path / "hls", example=x, parallelism=2)
    banks = [n for n in compiled.graph if n.op == "linear" and compiled.graph.param(n, "weight").ndim == 3]
    assert banks, "the TaWQ model should keep its time-varying weights as banks"
    want = reference_run(compiled.graph, encode_inputs(compiled.graph, x.numpy()))
    assert np.array_equal(compiled.run(x), want)
