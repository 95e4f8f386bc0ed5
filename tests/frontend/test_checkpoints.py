"""Every shipped checkpoint (examples/checkpoints/*.pt): the traced float graph reproduces the
PyTorch model on the whole digits test split, spike for spike up to threshold ties."""
from pathlib import Path

import pytest

import snnc
from snnc.data import digits
from snnc.frontend import compare_with_torch, load_source

CHECKPOINTS = sorted((Path(__file__).resolve().parents[2] / "examples" / "checkpoints").glob("*.pt"))


def check_checkpoint(path) -> "snnc.frontend.Comparison":
    """Trace the checkpoint at `path` and compare it with PyTorch on its whole test split."""
    model = snnc.load(path)
    graph = load_source(path)
    meta = model.metadata
    data = digits("test", encoding=meta.get("encoding", "direct"), T=int(meta["T"]),
                  seed=int(meta.get("data_seed", 0))).reshape(model.config["input_shape"])
    c = compare_with_torch(model, graph, data.x)
    assert c.samples == len(data)
    assert c.ok, f"{path.name}\n{c.summary()}"
    assert all(0.0 < n.rate < 1.0 for n in c.neurons), c.summary()
    print(f"\n{path.name}: {c.summary()}")
    return c


@pytest.mark.slow
@pytest.mark.skipif(not CHECKPOINTS, reason="no checkpoint in examples/checkpoints/ yet "
                                            "(examples/make_checkpoints.py writes them)")
@pytest.mark.parametrize("path", CHECKPOINTS, ids=[p.stem for p in CHECKPOINTS])
def test_shipped_checkpoint_matches_pytorch(path):
    check_checkpoint(path)
