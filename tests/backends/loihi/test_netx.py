"""model.net: the groups, datasets, dtypes and shapes lava-dl netx reads, and the round trip."""
import h5py
import numpy as np
import pytest
from scipy import signal

from loihelp import cnn, mlp, network
from snnc.backends.loihi import chip, read_net, write_net
from snnc.backends.loihi.simulator import simulate
from snnc.backends.reference.kernels.conv import correlate
from snnc.backends.target import TargetError

NEURON_KEYS = {"type", "iDecay", "vDecay", "vThMant", "refDelay", "gradedSpike"}


def netdict_text(ds) -> str:
    """How netx's NetDict reads a `type`: value[0] of a 1-d dataset, decoded as ASCII."""
    value = ds[()]
    return (value[0] if len(ds.shape) > 0 else value).decode("ascii")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    rng = np.random.default_rng(0)
    out = {}
    for name, g in (("mlp", mlp(rng)), ("cnn", cnn(rng))):
        net = network(g)
        path = write_net(net, tmp_path_factory.mktemp(name) / "model.net")
        out[name] = (g, net, path)
    return out


def test_dense_file_has_what_netx_reads(files):
    g, net, path = files["mlp"]
    with h5py.File(path, "r") as f:
        assert set(f.keys()) == {"layer"}
        layers = f["layer"]
        assert sorted(layers, key=int) == ["0", "1", "2"]
        assert netdict_text(layers["0"]["type"]) == "input"
        assert layers["0"]["shape"][()].tolist() == [16]
        for key, layer in zip(("1", "2"), net.layers):
            grp = layers[key]
            assert netdict_text(grp["type"]) == "dense"
            assert grp["shape"][()].tolist() == [layer.neurons]
            w = grp["weight"][()]
            assert w.dtype.kind == "i" and w.shape == (layer.neurons, 16 if key == "1" else 24)
            assert chip.NETX_WEIGHT_MIN <= w.min() and w.max() <= chip.NETX_WEIGHT_MAX
            assert np.array_equal(w.astype(int), layer.weight)
            assert set(grp["neuron"].keys()) == NEURON_KEYS
            n = grp["neuron"]
            assert netdict_text(n["type"]) == "CUBA"
            for k in ("iDecay", "vDecay", "vThMant", "refDelay"):
                assert n[k].shape == () and n[k].dtype.kind == "i"
            assert 0 <= n["iDecay"][()] <= 4096 and 0 <= n["vDecay"][()] <= 4096
            assert 0 <= n["vThMant"][()] <= chip.VTH_MANT_MAX
            assert n["gradedSpike"][()] in (False, True)
        hidden = layers["1"]
        assert hidden["bias"][()].shape == (24,) and hidden["bias"].dtype.kind == "i"
        assert chip.BIAS_MANT_MIN <= hidden["bias"][()].min() and hidden["bias"][()].max() <= chip.BIAS_MANT_MAX
        assert hidden["neuron"]["iDecay"][()] == 4096                    # LIF: memoryless current
        assert hidden["neuron"]["vDecay"][()] == 1024                    # β = 0.75


def test_conv_file_has_what_netx_reads(files):
    g, net, path = files["cnn"]
    with h5py.File(path, "r") as f:
        layers = f["layer"]
        types = [netdict_text(layers[k]["type"]) for k in sorted(layers, key=int)]
        assert types == ["input", "conv", "conv", "conv", "conv", "flatten", "dense"]
        assert layers["0"]["shape"][()].tolist() == [1, 8, 8]            # netx reverses to (x, y, z)
        conv = layers["1"]
        assert conv["shape"][()].tolist() == [4, 8, 8]
        assert conv["weight"][()].shape == (4, 1, 3, 3)
        for k in ("stride", "padding", "dilation"):
            assert conv[k][()].shape == (2,)
        assert conv["padding"][()].tolist() == [1, 1] and conv["groups"][()] == 1
        assert conv["bias"][()].shape == (4,)
        pool = layers["2"]                                               # max pooling: grouped conv of ones
        assert pool["groups"][()] == 4 and pool["weight"][()].shape == (4, 1, 2, 2)
        assert np.all(pool["weight"][()] == 1) and pool["stride"][()].tolist() == [2, 2]
        assert pool["neuron"]["vThMant"][()] == 0
        assert layers["5"]["shape"][()].tolist() == [24]                 # flatten 6×2×2
        assert layers["6"]["weight"][()].shape == (10, 24)


def lava_convolution(x_whc, w_lava, stride, padding, dilation, groups):
    """Lava's conv (lava.proc.conv.utils.conv_scipy, re-implemented from its description): a true
    convolution per (out, in) channel pair of a (x, y, z) input with a [O, kx, ky, C/groups] kernel."""
    O, kx, ky, cg = w_lava.shape
    dil = np.zeros((O, dilation[0] * (kx - 1) + 1, dilation[1] * (ky - 1) + 1, cg))
    dil[:, ::dilation[0], ::dilation[1], :] = w_lava
    xp = np.pad(x_whc, ((padding[0], padding[0]), (padding[1], padding[1]), (0, 0)))
    k_grp = O // groups
    out = None
    for gi in range(groups):
        for k in range(k_grp):
            for c in range(cg):
                t = signal.convolve2d(xp[:, :, c + gi * cg], dil[k + gi * k_grp, :, :, c], mode="valid")
                t = t[::stride[0], ::stride[1]]
                if out is None:
                    out = np.zeros(t.shape + (O,))
                out[:, :, k + gi * k_grp] += t
    return out


@pytest.mark.parametrize("stride,padding,dilation,groups", [((1, 1), (1, 1), (1, 1), 1), ((2, 1), (0, 2), (1, 2), 2)])
def test_conv_kernel_layout_gives_pytorch_correlation_in_lava(stride, padding, dilation, groups):
    """netx turns the stored kernel into Lava's: weight[:, :, ::-1, ::-1] transposed (0, 3, 2, 1)."""
    rng = np.random.default_rng(1)
    w = rng.integers(-3, 4, size=(4, 4 // groups, 3, 2))
    x = rng.integers(0, 2, size=(4, 7, 6))                               # [C, H, W]
    ours = correlate(x[None], w, stride, padding, dilation, groups, np.int64)[0]     # [O, H', W']
    w_lava = w[:, :, ::-1, ::-1].reshape(w.shape[:4]).transpose((0, 3, 2, 1))
    lava = lava_convolution(x.transpose(2, 1, 0), w_lava, stride[::-1], padding[::-1], dilation[::-1], groups)
    assert np.array_equal(lava.transpose(2, 1, 0), ours)


def test_round_trip_rebuilds_the_network(files):
    for name in ("mlp", "cnn"):
        g, net, path = files[name]
        back = read_net(path)
        assert [layer.name for layer in back.layers] == [layer.name for layer in net.layers]
        for a, b in zip(net.layers, back.layers):
            assert np.array_equal(a.weight, b.weight) and a.neuron == b.neuron and a.flatten == b.flatten
            assert (a.bias is None) == (b.bias is None) and (a.bias is None or np.array_equal(a.bias, b.bias))
            assert (a.stride, a.padding, a.dilation, a.groups) == (b.stride, b.padding, b.dilation, b.groups)
        x = np.random.default_rng(2).integers(0, 17, size=(g.attrs["timesteps"], 3) + net.input_shape)
        assert np.array_equal(simulate(net, x).output, simulate(back, x).output)


def test_a_foreign_file_is_refused(tmp_path):
    path = tmp_path / "other.net"
    with h5py.File(path, "w") as f:
        f.create_group("layer")
    with pytest.raises(TargetError, match="not a netx file written by snnc"):
        read_net(path)
    with pytest.raises(TargetError, match="cannot read"):
        read_net(tmp_path / "missing.net")
