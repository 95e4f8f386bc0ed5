"""Every shipped checkpoint (examples/checkpoints/*.pt) compiles for hls and C-simulates exactly
like the reference interpreter on digits test images."""
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[3]
CHECKPOINTS = sorted((ROOT / "examples" / "checkpoints").glob("*.pt"))


@pytest.mark.slow
@pytest.mark.skipif(not CHECKPOINTS, reason="no shipped checkpoints yet: examples/checkpoints/*.pt is empty "
                                             "(examples/make_checkpoints.py writes them)")
@pytest.mark.parametrize("path", CHECKPOINTS, ids=[p.stem for p in CHECKPOINTS])
def test_checkpoint_equals_reference(path, tmp_path):
    import snnc
    from snnc.backends.reference import encode_inputs
    from snnc.backends.reference import run as reference_run
    from snnc.data.digits import digits

    compiled = snnc.compile(path, target="hls", out_dir=tmp_path / "hls")
    shape = compiled.input_shape
    data = digits("test", encoding=compiled.metadata.get("encoding", "direct"), T=compiled.timesteps or 4,
                  flatten=len(shape) == 1)
    x = data.x[:, :48].numpy()
    want = reference_run(compiled.graph, encode_inputs(compiled.graph, x))
    got = compiled.run(x)
    if isinstance(want, dict):
        assert all(np.array_equal(got[k], want[k]) for k in want)
    else:
        assert np.array_equal(got, want)
