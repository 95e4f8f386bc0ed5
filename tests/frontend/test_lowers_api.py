"""The public registration API: examples/custom_lowering.py (an LSQ conv and an autograd-Function
multi-bit spike neuron taught to snnc with @lowers) traces with 0 spike mismatches and compiles to
reference and cpu with equal integer outputs."""
import importlib.util
from pathlib import Path

import pytest
from torch import nn

from snnc.frontend import lowers
from snnc.frontend.registry import MODULES

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custom_lowering.py"


def test_custom_lowering_example(tmp_path):
    spec = importlib.util.spec_from_file_location("custom_lowering", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    r = mod.main(str(tmp_path), samples=50)
    c = r["comparison"]
    assert c.ok and c.mismatches == 0 and c.samples == 50, c.summary()
    assert all(0 < n.rate < 1 for n in c.neurons), c.summary()
    assert r["differ"] == 0
    assert r["outputs"]["cpu"].shape[1] == 50


def test_registering_a_type_twice_needs_replace():
    class Mine(nn.Module):
        pass

    def fn(em, module, site, x):
        return x

    lowers(Mine)(fn)
    try:
        with pytest.raises(ValueError, match="replace=True"):
            lowers(Mine)(fn)
        assert lowers(Mine, replace=True)(fn) is fn
    finally:
        MODULES.pop(Mine)
