"""The fidelity checker itself: it must catch real differences and tell threshold ties apart."""
import numpy as np
import torch
from torch import nn

from fehelp import batch, small_model
from snnc.frontend import compare_with_torch, trace
from snnc.nn import IELIF, IF, QLinear


class Seq(nn.Module):
    def __init__(self, *layers):
        super().__init__()
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


def test_a_wrong_threshold_is_unexplained():
    model = small_model("mlp", "ternary", {})
    x = batch(model, 32)
    graph = trace(model, x[:, :1])
    assert compare_with_torch(model, graph, x).ok
    key = graph["layers.1"].params["threshold"]
    graph.params[key] = graph.params[key] * np.float32(0.8)
    c = compare_with_torch(model, graph, x)
    assert not c.ok and c.unexplained > 0 and c.neurons[0].unexplained > 0


def test_a_wrong_readout_weight_is_caught():
    model = small_model("cnn", "lsq", {"bits": 2})
    x = batch(model, 16)
    graph = trace(model, x[:, :1])
    key = graph["layers.13"].params["bias"]
    graph.params[key] = graph.params[key] + np.float32(0.01)
    c = compare_with_torch(model, graph, x)
    assert c.mismatches == 0 and c.readout_max_err > c.tol and not c.ok


def test_a_wrong_batchnorm_is_caught_at_the_next_neuron():
    model = small_model("cnn", "ternary", {})
    x = batch(model, 16)
    graph = trace(model, x[:, :1])
    key = graph["layers.1"].params["bias"]
    graph.params[key] = graph.params[key] + np.float32(1e-3)
    c = compare_with_torch(model, graph, x)
    assert c.neurons[0].input_max_err > c.tol and not c.ok


def test_an_exact_threshold_tie_is_explained():
    """PyTorch fires at h == θ (compare ge); a graph threshold one ulp higher does not: a tie."""
    fc = QLinear(2, 3, quant="ternary")
    with torch.no_grad():
        fc.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
        fc.bias.zero_()
    model = Seq(fc, IF(threshold=1.0, reset="subtract"), QLinear(3, 2))
    x = torch.tensor([[[1.0, 0.0]], [[0.0, 1.0]], [[1.0, 1.0]]])        # [T=3, B=1, 2]
    graph = trace(model, x)
    assert compare_with_torch(model, graph, x).mismatches == 0
    key = graph["layers.1"].params["threshold"]
    graph.params[key] = np.nextafter(graph.params[key], np.float32(2))
    c = compare_with_torch(model, graph, x)
    n = c.neurons[0]
    assert n.mismatches > 0 and n.ties > 0 and n.unexplained == 0 and c.unexplained == 0


def test_multispike_rounding_tie_is_explained():
    """float32 floor(x + 0.5) rounds 0.49999997 up in PyTorch; the reference rounds it down."""
    model = Seq(IELIF(2))
    x = torch.tensor([0.25, 0.49999997, 1.5, 2.7], dtype=torch.float32).reshape(1, 1, 4)
    graph = trace(model, x, input_type="f32")
    c = compare_with_torch(model, graph, x)
    assert c.mismatches == 1 and c.neurons[0].ties == 1 and c.unexplained == 0
