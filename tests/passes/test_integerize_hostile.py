"""integerize on hostile input (issue 12): non-finite constants and options are snnc errors naming
the node or option, never a ValueError / OverflowError from inside; T is bounded."""
import numpy as np
import pytest
import torch

import snnc
from snnc import models
from snnc.errors import ConfigError, SnncError
from snnc.ir import Graph
from snnc.passes.integerize import Integerize, IntegerizeError
from snnc.passes.pipeline import parse_pipeline


def poisoned(quant, suffix, value):
    torch.manual_seed(0)
    m = models.build("mlp", T=4, hidden=[8], quant=quant, input_shape=[6]).eval()
    with torch.no_grad():
        next(t for k, t in m.state_dict().items() if k.endswith(suffix)).fill_(value)
    return m


@pytest.mark.parametrize("quant, suffix, value", [
    ("fp", "bias", float("nan")), ("fp", "bias", float("inf")),
    ("tawq", "quantizer.alpha", float("nan")), ("tawq", "quantizer.alpha", float("-inf")),
])
def test_non_finite_parameters_name_the_node(quant, suffix, value):
    with pytest.raises(IntegerizeError, match=r"node %layers\.0: parameter \w+ .* holds (NaN|infinity)"):
        snnc.compile(poisoned(quant, suffix, value), target="reference")


def test_an_lsq_step_that_is_not_finite_is_an_snnc_error():
    m = poisoned("lsq", "quantizer.step", float("nan"))
    with pytest.raises(SnncError):
        snnc.compile(m, target="reference", passes="fold-batchnorm,integerize{input_range=1},dce")


def test_non_finite_graph_attributes():
    g = Graph("g", {"timesteps": 4, "input_range": float("nan")})
    g.add("input", attrs={"shape": (2,), "dtype": "f32"}, name="x")
    g.add("lif", ["x"], attrs={"reset": "subtract"}, params={"beta": np.full((1, 1), 0.5, np.float32),
                                                            "threshold": np.ones((1, 1), np.float32)}, name="n")
    g.add("output", ["n"], name="y")
    with pytest.raises(IntegerizeError, match="input_range=nan is not a finite number up to 1e30"):
        Integerize().apply(g)


@pytest.mark.parametrize("text, words", [
    ("integerize{frac_bits=8,frac_bits=9}", "option frac_bits is given twice"),
    ("integerize{input_range=nan}", "input_range='nan' is not a valid float"),
    ("integerize{input_range=inf}", "input_range='inf' is not a valid float"),
    ("integerize{input_range=1e300}", "input_range=1e[+]300 must be a finite number in 0..1e30"),
    ("integerize{T=1000000000}", "T=1000000000 must be in 0..1048576"),
])
def test_options_are_refused_when_the_pipeline_is_parsed(text, words):
    with pytest.raises(ConfigError, match=words):
        parse_pipeline(text)
