"""Malformed NIR (snnc/frontend/nir_import/checks.py, reading.py): each case is refused with one
message naming the node and the field, by the API and the CLI (one line, non-zero exit, nothing
written). The cases are those of an adversarial run against NIR import (issues 12 and 13)."""
import json
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import nir
import nirgraphs
from snnc.frontend.nir_import import NIRImportError, from_nir, read

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from clihelp import assert_clean_error, snnc  # noqa: E402

F = np.float32
DEEP = "[" * 10000 + "]" * 10000


def one(node, shape=(3,), out=None, **meta):
    return nir.NIRGraph(nodes={"in": nir.Input(np.array(shape)), "bad": node, "out": nir.Output(np.array(out or shape))},
                        edges=[("in", "bad"), ("bad", "out")], metadata=meta, type_check=False)


def lif(tau=2e-4, r=2.0, v_leak=0.0, th=1.0):
    return nir.LIF(tau=np.full(3, tau), r=np.full(3, r), v_leak=np.full(3, v_leak), v_threshold=np.full(3, th))


def patched(tmp_path, graph, edits):
    """`graph` written with nir.write, then HDF5 datasets replaced: path → array (None deletes)."""
    path = tmp_path / "bad.nir"
    nir.write(str(path), graph)
    with h5py.File(path, "r+") as f:
        for key, value in edits.items():
            del f[key]
            if value is not None:
                f[key] = value
    return path


def conv(stride=1, dilation=1):
    return nir.Conv2d(input_shape=(4, 4), weight=np.ones((1, 1, 2, 2), F), stride=stride, padding=0,
                      dilation=dilation, groups=1, bias=np.zeros(1, F))


# graphs NIR's own constructors build: refused by the importer
GRAPH_CASES = {
    "tau_zero": (lambda: one(lif(tau=0.0)), "bad", "'tau'"),
    "tau_nan": (lambda: one(lif(tau=np.nan)), "bad", "'tau'"),
    "tau_below_dt_norse": (lambda: one(lif(tau=1e-6)), "bad", "β = 1 − dt/τ = -99"),
    "threshold_infinite": (lambda: one(lif(th=np.inf)), "bad", "'v_threshold'"),
    "threshold_negative": (lambda: one(lif(th=-1.0)), "bad", "'v_threshold' is ≤ 0"),
    "r_nan": (lambda: one(lif(r=np.nan)), "bad", "'r'"),
    "r_negative": (lambda: one(lif(r=-2.0)), "bad", "'r' is negative"),
    "v_leak_infinite": (lambda: one(lif(v_leak=np.inf)), "bad", "'v_leak'"),
    "bias_infinite": (lambda: one(nir.Affine(np.eye(3, dtype=F), np.full(3, np.inf, F))), "bad", "'bias'"),
    "scale_nan": (lambda: one(nir.Scale(np.full(3, np.nan, F))), "bad", "'scale'"),
    "empty_graph": (lambda: nir.NIRGraph(nodes={}, edges=[], type_check=False), None, "no nodes"),
    "no_output": (lambda: nir.NIRGraph(nodes={"in": nir.Input(np.array([3]))}, edges=[], type_check=False), None,
                  "no Output"),
    "metadata_not_json": (lambda: _with_meta({"snnc_params": "{bad"}), "fc0", "'snnc_params' is not valid JSON"),
    "metadata_a_list": (lambda: _with_meta({"snnc_params": "[1, 2]"}), "fc0", "'snnc_params' is a list JSON"),
    "metadata_nested_deep": (lambda: _with_meta({"snnc_params": DEEP}), "fc0", "nested more than 32 deep"),
    "graph_attrs_a_list": (lambda: _with_meta({}, snnc_attrs="[1]"), None, "'snnc_attrs' is a list JSON"),
    "graph_attrs_nested_deep": (lambda: _with_meta({}, snnc_attrs=DEEP), None, "nested more than 32 deep"),
    "timesteps_1e9": (lambda: _with_meta({}, snnc_attrs=json.dumps({"timesteps": 10 ** 9})), None,
                      "timesteps=1000000000"),
    "record_not_plain": (lambda: _with_meta({"snnc_params": json.dumps({"weight": {"key": 5}})}), "fc0",
                         "bad record for 'weight'"),
}


def _with_meta(node_meta, **graph_meta):
    g = nirgraphs.mlp()
    g.nodes["fc0"].metadata = node_meta
    g.metadata = {"snnc_format": 1, **graph_meta}
    return g


@pytest.mark.parametrize("case", sorted(GRAPH_CASES))
def test_malformed_graph_is_refused_naming_node_and_field(case):
    make, node, words = GRAPH_CASES[case]
    with pytest.raises(NIRImportError) as e:
        from_nir(make())
    assert e.value.node == node and words in str(e.value), str(e.value)


def test_a_recurrent_edge_is_refused_naming_the_nodes():
    g = nir.NIRGraph(nodes={"in": nir.Input(np.array([3])), "lif": lif(), "rec": nir.Linear(np.eye(3, dtype=F)),
                            "out": nir.Output(np.array([3]))},
                     edges=[("in", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "out")], type_check=False)
    with pytest.raises(NIRImportError, match="'lif', 'rec'"):
        from_nir(g)


def test_snnc_own_exports_keep_what_the_ir_allows():
    """The sign and τ ≥ dt rules are for graphs from other tools: an snnc graph round-trips as it is."""
    g = one(lif(tau=1e-6, th=-1.0), snnc_format=1)
    assert from_nir(g)["bad"].op == "lif"


# files NIR's own reader would fail on with bare exceptions
FILE_CASES = {
    "affine_weight_1d": ({"node/nodes/fc0/weight": np.ones(32, F)}, "fc0", "'weight' has shape [32]"),
    "weight_not_numbers": ({"node/nodes/fc0/weight": np.array([b"a"] * 4)}, "fc0", "'weight'"),
    "threshold_infinite": ({"node/nodes/lif0/v_threshold": np.full(32, np.inf, F)}, "lif0", "'v_threshold'"),
    "tau_zero": ({"node/nodes/lif0/tau": np.zeros(32, F)}, "lif0", "'tau'"),
    "r_shape": ({"node/nodes/lif0/r": np.ones(31, F)}, "lif0", "'r' has shape [31] but 'tau' has [32]"),
    "field_missing": ({"node/nodes/lif0/tau": None}, "lif0", "LIF"),
}


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_malformed_file_is_refused_naming_node_and_field(tmp_path, case):
    edits, node, words = FILE_CASES[case]
    path = patched(tmp_path, nirgraphs.mlp(), edits)
    with pytest.raises(NIRImportError) as e:
        read(path)
    assert e.value.node == node and words in str(e.value), str(e.value)


@pytest.mark.parametrize("stride, dilation, field", [(0, 1, "stride"), (1, 0, "dilation")])
def test_conv_stride_or_dilation_zero_in_a_file(tmp_path, stride, dilation, field):
    g = nir.NIRGraph(nodes={"in": nir.Input(np.array([1, 4, 4])), "bad": conv(), "out": nir.Output(np.array([1, 3, 3]))},
                     edges=[("in", "bad"), ("bad", "out")])
    path = patched(tmp_path, g, {f"node/nodes/bad/{field}": np.array([0, 0])})
    with pytest.raises(NIRImportError, match=f"'{field}' is \\[0, 0\\]; it must be ≥ 1") as e:
        read(path)
    assert e.value.node == "bad"


def test_cli_refuses_in_one_line_and_writes_nothing(tmp_path):
    path = patched(tmp_path, nirgraphs.mlp(), {"node/nodes/fc0/weight": np.ones(32, F)})
    r = snnc("compile", path, "-t", "cpu", "-T", "4", "--input-type", "spike", "-o", tmp_path / "out")
    assert_clean_error(r, "'fc0'", "weight")
    assert not (tmp_path / "out").exists()
    g = _with_meta({}, snnc_attrs=json.dumps({"timesteps": 10 ** 9}))
    nir.write(str(tmp_path / "t.nir"), g)
    r = snnc("compile", tmp_path / "t.nir", "-t", "cpu", "--input-type", "spike", "-o", tmp_path / "out", timeout=60)
    assert_clean_error(r, "timesteps")
    assert not (tmp_path / "out").exists()


def test_infinite_resistance_with_an_infinite_time_constant_is_the_unit_gain():
    """snnc writes β = 1 as τ = ∞ and its unit gain as r = τ/dt = ∞ (w_in likewise for α = 1)."""
    inf = np.full(3, np.inf)
    node = nir.CubaLIF(tau_syn=inf, tau_mem=np.full(3, 4e-4), r=np.full(3, 4.0), v_leak=np.zeros(3), w_in=inf,
                       v_threshold=np.ones(3))
    g = from_nir(one(node))
    assert g["bad"].op == "cuba_lif" and float(g.param(g["bad"], "alpha").reshape(-1)[0]) == 1.0
    with pytest.raises(NIRImportError, match="'w_in' has NaN or infinite values"):
        from_nir(one(nir.CubaLIF(tau_syn=np.full(3, 4e-4), tau_mem=np.full(3, 4e-4), r=np.full(3, 4.0),
                                 v_leak=np.zeros(3), w_in=inf, v_threshold=np.ones(3))))
