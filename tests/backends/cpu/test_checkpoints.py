"""Checkpoints compiled for the cpu target equal the reference interpreter on the whole digits
test set: every shipped checkpoint (skipped while examples/checkpoints/*.pt are not there), and
a freshly built, untrained model of every architecture saved as a checkpoint (skipped while
`snnc.compile` cannot run). Both go through the real frontend and the cpu target's default
pipeline (integerize, lower-multispike …)."""
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[3]
CHECKPOINTS = sorted((ROOT / "examples" / "checkpoints").glob("*.pt"))
FRESH = {
    "mlp": dict(quant="tawq", hidden=[64], T=4),
    "cnn": dict(quant="ternary", neuron="plif", channels=[8, 16], fc_hidden=32, T=4),
    "resnet": dict(quant="ternary", T=4),
    "transformer": dict(quant="lsq", quant_opts={"bits": 2}, neuron="ielif", embed_dim=16, heads=2, T=4),
}


def _compile_unavailable() -> str | None:
    try:
        import snnc.frontend  # noqa: F401
        from snnc.compiler import compile  # noqa: F401
    except ImportError as e:
        return f"snnc.compile cannot run yet ({e})"
    return None


def check_on_digits(path: Path, out: Path, **options):
    import snnc
    from snnc.backends.reference import encode_inputs
    from snnc.backends.reference import run as reference_run
    from snnc.data import digits

    meta = getattr(snnc.load(path), "metadata", None) or {}
    compiled = snnc.compile(str(path), target="cpu", out_dir=out, opt=2, threads=2, **options)
    T = compiled.timesteps or int(meta.get("T", 4))
    data = digits("test", encoding=meta.get("encoding", "direct"), T=T)
    x = data.x.reshape(T, len(data), *compiled.input_shape).numpy()
    got = compiled.run(x)
    want = reference_run(compiled.graph, encode_inputs(compiled.graph, x))
    if isinstance(want, dict):
        assert got.keys() == want.keys() and all(np.array_equal(got[k], want[k]) for k in want)
    else:
        assert np.array_equal(got, want)


@pytest.mark.slow
@pytest.mark.skipif(not CHECKPOINTS, reason="no shipped checkpoints in examples/checkpoints/*.pt yet")
@pytest.mark.parametrize("simd_path", ["auto", "avx2", "portable"])
@pytest.mark.parametrize("path", CHECKPOINTS, ids=lambda p: p.stem)
def test_shipped_checkpoint_on_digits_test_set_equals_reference(path, simd_path, tmp_path):
    """Each SIMD path forced on (auto: the best this CPU runs, AVX-512 where it has VPOPCNTDQ)."""
    from snnc.backends.cpu import simd

    why = _compile_unavailable() or (None if simd.can_run(simd_path) else f"simd={simd_path}: {simd.why_not(simd_path)}")
    if why:
        pytest.skip(why)
    check_on_digits(path, tmp_path / "cpu", simd=simd_path)


@pytest.mark.slow
@pytest.mark.parametrize("arch", list(FRESH))
def test_fresh_checkpoint_on_digits_test_set_equals_reference(arch, tmp_path):
    why = _compile_unavailable()
    if why:
        pytest.skip(why)
    import torch

    import snnc
    from snnc.data import digits
    from snnc.models import build

    torch.manual_seed(0)
    model = build(arch, **FRESH[arch]).eval()
    meta = dict(digits("test", encoding="direct", T=4, flatten=arch == "mlp").meta)
    path = snnc.save(model, tmp_path / f"{arch}.pt", metadata=meta)
    check_on_digits(path, tmp_path / "cpu")
