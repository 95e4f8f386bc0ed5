"""Fidelity of the integer graph on every shipped checkpoint (benchmarks/fidelity.py's measure):
spike agreement ≥ 99 % and accuracy within 0.5 percentage points of the float graph, which
itself must predict what PyTorch predicts."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKPOINTS = sorted((ROOT / "examples" / "checkpoints").glob("*.pt"))


def fidelity_module():
    spec = importlib.util.spec_from_file_location("fidelity", ROOT / "benchmarks" / "fidelity.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
@pytest.mark.skipif(not CHECKPOINTS, reason="no checkpoint in examples/checkpoints yet "
                                            "(examples/make_checkpoints.py writes them)")
@pytest.mark.parametrize("path", CHECKPOINTS, ids=lambda p: p.stem)
def test_shipped_checkpoint_fidelity(path):
    from snnc.checkpoint import load
    fid = fidelity_module()
    r = fid.evaluate(path.stem, load(path))
    assert r["torch_float_argmax_agreement"] >= 0.99
    assert r["spike_agreement"] >= 0.99, r["layers"]
    assert abs(r["accuracy_int"] - r["accuracy_float"]) <= 0.005 + 1e-9
    assert r["meets_targets"]
