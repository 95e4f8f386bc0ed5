"""integerize on traced models of every architecture (random seeded weights, digits input):
the default pipeline gives an all-integer graph whose spikes agree with the float graph's
(≥ 99 %) and whose values stay within the bounds the pass states (test_integerize_props.check)."""
import numpy as np
import pytest
import torch
from test_integerize_props import check

from snnc import models
from snnc.backends.reference import encode_inputs, run
from snnc.data.digits import digits
from snnc.frontend import trace
from snnc.passes import run_pipeline

CASES = [("mlp", "tawq", {"hidden": [48]}), ("mlp", "fp", {"hidden": [48], "neuron": "cuba"}),
         ("cnn", "ternary", {"channels": [4, 8], "fc_hidden": 16}),
         ("cnn", "mtawq", {"channels": [4, 8], "fc_hidden": 16, "pool": "avg", "neuron": "lif"}),
         ("resnet", "ternary", {"channels": [4, 8]}),
         ("transformer", "lsq", {"embed_dim": 8, "heads": 2})]


@pytest.mark.parametrize("arch,quant,cfg", CASES, ids=[f"{a}-{q}" for a, q, _ in CASES])
def test_traced_model(arch, quant, cfg):
    torch.manual_seed(0)
    model = models.build(arch, quant=quant, T=4, threshold=0.5, **cfg).eval()   # 0.5: enough spikes
    x = digits("test", encoding="direct", T=4, flatten=arch == "mlp").x[:, :40]
    g = trace(model, x[:, :1], input_type="uint<5>", input_scale=1 / 16)
    fg = run_pipeline(g, "fold-batchnorm").graph
    ig = run_pipeline(g, "fold-batchnorm,fold-temporal-scale,integerize,lower-multispike,dce").graph
    assert not any(n.type.dtype.is_float for n in ig)
    xr = encode_inputs(fg, x.numpy())
    _, tf = run(fg, xr, trace=True)
    _, ti = run(ig, encode_inputs(ig, x.numpy()), trace=True)
    names = [n.name for n in fg if n.op in ("lif", "plif", "if", "cuba_lif", "multispike")]
    assert names
    eq = sum(int((tf[n] == ti[n]).sum()) for n in names)
    assert eq / sum(tf[n].size for n in names) >= 0.99
    assert sum(float(tf[n].sum()) for n in names) > 0            # something spikes
    check(fg, xr[:, :10], 4)                                      # stated bounds (without fold-temporal-scale)
