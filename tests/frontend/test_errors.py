"""What the frontend refuses, and how it says so: the message names the module path,
its type and the way out."""
import pytest
import torch
from torch import nn

from snnc.errors import ConfigError, SnncError, UnsupportedError
from snnc.frontend import trace
from snnc.models import build
from snnc.nn import LIF, QLinear, SeqWrap

T, B = 4, 2


def x_flat(n=16):
    return torch.rand(T, B, n, generator=torch.Generator().manual_seed(0))


def x_img(c=1, h=8, w=8):
    return torch.rand(T, B, c, h, w, generator=torch.Generator().manual_seed(0))


class Seq(nn.Module):
    """A time-major model from a list of layers (what users write by hand)."""

    def __init__(self, *layers):
        super().__init__()
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


@pytest.mark.parametrize("bad, kind", [
    (nn.GRU(8, 8), "GRU"),
    (nn.Softmax(dim=-1), "Softmax"),
    (nn.ReLU(), "ReLU"),
])
def test_unsupported_module_is_named_with_its_path_and_the_supported_list(bad, kind):
    model = Seq(QLinear(16, 8), LIF(), bad, QLinear(8, 4))
    with pytest.raises(UnsupportedError) as e:
        trace(model, x_flat())
    msg = str(e.value)
    assert "layers.2" in msg and kind in msg and "supported:" in msg and "snnc.nn.QLinear" in msg


def test_unsupported_module_inside_seqwrap_is_named():
    model = Seq(SeqWrap(nn.Conv2d(1, 2, 3)), SeqWrap(nn.Upsample(scale_factor=2)))
    with pytest.raises(UnsupportedError, match=r"layers\.1\.module.*Upsample"):
        trace(model, x_img())


@pytest.mark.parametrize("layer, why", [
    (SeqWrap(nn.MaxPool2d(2, ceil_mode=True)), "ceil_mode"),
    (SeqWrap(nn.MaxPool2d(2, dilation=2)), "dilation"),
    (SeqWrap(nn.AvgPool2d(3, padding=1, count_include_pad=False)), "count_include_pad"),
    (SeqWrap(nn.AvgPool2d(2, divisor_override=3)), "divisor_override"),
    (SeqWrap(nn.BatchNorm2d(1, track_running_stats=False)), "track_running_stats"),
    (SeqWrap(nn.Conv2d(1, 2, 3, padding="same")), "padding"),
    (SeqWrap(nn.Conv2d(1, 2, 3, padding=1, padding_mode="reflect")), "padding_mode"),
    (nn.Flatten(0), "merge the time and batch"),
    (SeqWrap(LIF()), "time-major"),
])
def test_unsupported_configurations(layer, why):
    model = Seq(layer)
    with pytest.raises(UnsupportedError, match=why) as e:
        trace(model, x_img())
    assert "layers.0" in str(e.value)


def test_batchnorm_outside_seqwrap_is_refused():
    model = Seq(QLinear(16, 8), nn.BatchNorm1d(8))
    with pytest.raises(UnsupportedError, match="SeqWrap"):
        trace(model, torch.rand(T, 8, 16))


class Sigmoid(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = QLinear(16, 4)

    def forward(self, x):
        return torch.sigmoid(self.fc(x))


class Permute(nn.Module):
    def forward(self, x):
        return x.transpose(0, 1)


class Scalar(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = QLinear(16, 4)

    def forward(self, x):
        return self.fc(x) + 1.0


class Tuple(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = QLinear(16, 4)

    def forward(self, x):
        y = self.fc(x)
        return y, y


class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = QLinear(16, 4)

    def forward(self, x):
        if x.sum() > 0:
            return self.fc(x)
        return self.fc(-x)


@pytest.mark.parametrize("model, match", [
    (Sigmoid(), r"^the model's forward: torch\.sigmoid is not supported"),
    (Seq(Permute()), r"layers\.0's forward: Tensor\.transpose is not supported"),
    (Scalar(), r"tensors computed by the model"),
    (Tuple(), r"one tensor"),
    (Branchy(), r"torch\.fx cannot trace"),
])
def test_unsupported_calls(model, match):
    with pytest.raises(UnsupportedError, match=match):
        trace(model, x_flat())


def test_reshape_that_moves_the_time_axis_is_refused():
    class Merge(nn.Module):
        def forward(self, x):
            return x.reshape(-1, x.shape[-1])

    with pytest.raises(SnncError, match=r"\[T, B\]"):
        trace(Seq(Merge()), x_flat())


@pytest.mark.parametrize("example, match", [
    (torch.rand(T, B, 1, 8, 7), r"does not fit the model"),       # wrong image size for the FC layer
    (torch.rand(T, B, 2, 8, 8), r"does not fit the model: layers\.0 \(QConv2d\)"),   # wrong channels
    (torch.rand(B, 1, 8, 8)[None, 0], r"does not fit the model"),
    (torch.rand(8, 8), r"time-major \[T, B, \*input_shape\]"),
    (torch.rand(0, B, 1, 8, 8), r"none empty"),
    ("not a tensor", r"must be a tensor"),
])
def test_bad_example_input(example, match):
    model = build("cnn", T=T, channels=[2, 4], fc_hidden=8)
    with pytest.raises(ConfigError, match=match):
        trace(model, example)


def test_tawq_with_the_wrong_number_of_timesteps():
    model = build("mlp", T=4, quant="tawq", hidden=[8])
    with pytest.raises(ConfigError, match=r"T=3 timesteps.*T_w=4"):
        trace(model, torch.rand(3, 1, 64))


def test_input_type_errors():
    model = build("mlp", T=T, hidden=[8])
    x = torch.rand(T, B, 64)
    with pytest.raises(ConfigError, match="bad element type"):
        trace(model, x, input_type="uint5")
    with pytest.raises(ConfigError, match="no scale"):
        trace(model, x, input_type="f32", input_scale=0.5)
    with pytest.raises(ConfigError, match="input_scale needs input_type"):
        trace(model, x, input_scale=0.5)
    with pytest.raises(ConfigError, match=r"not uint<5> data with scale 0\.0625 .*input_type argument"):
        trace(model, x, input_type="uint<5>", input_scale=0.0625)
    model.metadata = {"encoding": "direct", "input_bits": 5, "input_scale": 0.0625}
    with pytest.raises(ConfigError, match=r"metadata.*input_type='f32'"):
        trace(model, x)
    assert trace(model, x, input_type="f32").inputs[0].attrs["dtype"] == "f32"


def test_module_called_with_two_arguments():
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = QLinear(16, 4)

        def forward(self, x):
            return self.fc(x, x)

    with pytest.raises(UnsupportedError, match=r"fc \(QLinear\) is called with 2 arguments"):
        trace(Two(), x_flat())


def test_model_with_two_inputs():
    class TwoInputs(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = QLinear(16, 4)

        def forward(self, x, y):
            return self.fc(x) + self.fc(y)

    with pytest.raises(UnsupportedError, match=r"takes 2 inputs \(x, y\)"):
        trace(TwoInputs(), x_flat())


def test_in_place_add_of_a_tensor_read_elsewhere():
    class InPlace(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = QLinear(16, 4), QLinear(16, 4)

        def forward(self, x):
            y = self.a(x)
            z = y.add_(self.b(x))
            return z + y

    with pytest.raises(UnsupportedError, match=r"Tensor\.add_ overwrites a tensor"):
        trace(InPlace(), x_flat())


def test_time_varying_layer_inside_seqwrap():
    """With B = 1 PyTorch runs it (T·B = T_w), but the weights would follow the sample index."""
    model = Seq(SeqWrap(QLinear(16, 4, quant={"method": "tawq", "T_w": T})))
    with pytest.raises(UnsupportedError, match=r"layers\.0\.module \(QLinear\): time-varying weights"):
        trace(model, torch.rand(T, 1, 3, 16))
