"""Compile one PyTorch model for the integer targets and check them against the reference.

`check_targets(model, x, out)` traces `model` (its `metadata` gives the input type), checks
the float graph against PyTorch (`snnc.frontend.compare_with_torch`: every spike equal or
explained by a threshold tie), then compiles it for reference, cpu and hls and asserts that
each target's integers equal the reference interpreter's on its own deployable graph.
`passes` replaces every target's pipeline (e.g. to widen integerize's states). Returns
``{target: output}``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

TARGETS = ("reference", "cpu", "hls")


def check_targets(model, x, out: Path, targets=TARGETS, options: dict | None = None,
                  passes: str | None = None) -> dict:
    import snnc
    from snnc.backends.reference import encode_inputs
    from snnc.backends.reference import run as reference_run
    from snnc.frontend import compare_with_torch, trace

    x = np.asarray(x, np.float32)
    graph = trace(model, x[:, :1])
    c = compare_with_torch(model, graph, x)
    assert c.ok, c.summary()
    outputs = {}
    for tgt in targets:
        compiled = snnc.compile(model, target=tgt, out_dir=Path(out) / tgt, example=x[:, :1], passes=passes,
                                **(options or {}).get(tgt, {}))
        got = compiled.run(x)
        want = reference_run(compiled.graph, encode_inputs(compiled.graph, x))
        assert np.array_equal(got, want), f"{tgt}: {int((got != want).sum())} of {got.size} outputs differ"
        outputs[tgt] = got
    return outputs


def digit_like(T: int, B: int, shape, seed: int = 0) -> np.ndarray:
    """Random input on the digits grid (uint<5> levels × 1/16): what `DIGITS_META` declares."""
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 32, (T, B, *shape)) / 16).astype(np.float32)


DIGITS_META = {"encoding": "direct", "input_bits": 5, "input_scale": 1 / 16}
