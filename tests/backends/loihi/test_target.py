"""The loihi target through snnc.compile: artifacts, runner, options, refusals, shipped checkpoints."""
import numpy as np
import pytest

import snnc
from loihelp import CHECKPOINTS, cnn, digits_like, mlp
from snnc.backends import get_target
from snnc.backends.loihi import LoihiTarget, compare, read_net, simulate
from snnc.backends.reference import encode_inputs
from snnc.backends.target import TargetError

COLLAPSE = LoihiTarget().pipeline({"temporal_weights": "collapse"})
PIPELINE = "fold-batchnorm,fold-scale,lower-multispike{mode=binary},spike-maxpool-to-sumpool,dce"


def test_compile_writes_the_artifacts_and_runs_the_file(tmp_path):
    rng = np.random.default_rng(0)
    g = cnn(rng)
    c = snnc.compile(g, target="loihi", out_dir=tmp_path / "out")
    assert sorted(c.artifacts) == ["lava_readout", "lava_runner", "mapping", "mapping_table", "netx"]
    assert all(p.is_file() for p in c.artifacts.values())
    assert c.pipeline == PIPELINE
    x = digits_like(rng, 5, 4, (1, 8, 8))
    y = c.run(x)
    assert y.shape == (5, 4, 10) and y.dtype == np.float32
    net = read_net(c.artifacts["netx"])
    assert np.array_equal(y, simulate(net, encode_inputs(c.graph, x)).output)
    assert np.array_equal(y, snnc.compile(g, target="loihi").run(x))        # in memory: the same network


def test_target_protocol():
    t = get_target("loihi")
    assert t.integer is False and t.features["time-varying weights"] is False and t.features["multi-bit spikes"]
    assert COLLAPSE == "ptq{collapse=true}," + PIPELINE
    assert t.pipeline({}) == t.pipeline({"temporal_weights": "keep"}) == t.default_pipeline


def test_bad_options_are_refused(tmp_path):
    g = mlp(np.random.default_rng(1))
    for options, fragment in (({"bogus": 1}, "unknown loihi target option"),
                              ({"temporal_weights": "average"}, "temporal_weights"),
                              ({"chips": 0}, "chips"), ({"timesteps": 2.5}, "timesteps"),
                              ({"subtract_reset": "exact"}, "subtract_reset")):
        with pytest.raises(TargetError, match=fragment):
            snnc.compile(g, target="loihi", out_dir=tmp_path / "out", **options)
        assert not (tmp_path / "out").exists()


def test_model_larger_than_the_chip_leaves_nothing_behind(tmp_path):
    g = cnn(np.random.default_rng(2))
    with pytest.raises(TargetError, match=r"cannot fit the model on 1 chip\(s\) of 2 cores"):
        snnc.compile(g, target="loihi", out_dir=tmp_path / "out", cores_per_chip=2)
    assert not (tmp_path / "out").exists()
    c = snnc.compile(g, target="loihi", out_dir=tmp_path / "out", cores_per_chip=2, chips=3)
    assert c.artifacts["netx"].is_file()


def test_time_varying_weights_refused_then_collapsed(tmp_path):
    g = mlp(np.random.default_rng(3), bank=4)
    with pytest.raises(TargetError) as e:
        snnc.compile(g, target="loihi", out_dir=tmp_path / "out")
    assert "--temporal-weights=collapse" in str(e.value)
    c = snnc.compile(g, target="loihi", out_dir=tmp_path / "out", temporal_weights="collapse")
    assert c.artifacts["netx"].is_file() and c.pipeline == COLLAPSE
    assert "collapsed" in c.graph["fc0"].meta.get("ptq", "")


def test_compile_honours_temporal_weights_collapse_by_itself(tmp_path):
    g = mlp(np.random.default_rng(4), bank=4)
    c = snnc.compile(g, target="loihi", out_dir=tmp_path / "out", temporal_weights="collapse")
    assert c.pipeline == COLLAPSE


def has_weight_bank(graph) -> bool:
    return any(n.op in ("linear", "conv2d") and graph.param(n, "weight").ndim == (3 if n.op == "linear" else 5)
               for n in graph)


checkpoints = pytest.mark.parametrize(
    "path", CHECKPOINTS or [pytest.param(None, marks=pytest.mark.skip(
        reason="no shipped checkpoints yet (examples/checkpoints/*.pt)"))],
    ids=[p.stem for p in CHECKPOINTS] or ["none"])


def digits_test(graph):
    from snnc.data.digits import digits
    shape = tuple(graph.inputs[0].type.shape)
    d = digits("test", encoding=graph.attrs.get("encoding", "direct"), T=int(graph.attrs["timesteps"]),
               flatten=len(shape) == 1)
    return d.x.numpy(), d.y.numpy()


@pytest.mark.slow
@checkpoints
def test_shipped_checkpoints_compile_or_are_refused_with_the_way_out(tmp_path, path):
    """Static-weight checkpoints compile to loihi and nir; time-varying ones are refused, then compile
    with temporal_weights="collapse"; residual and attention models are refused by loihi (a netx network
    is a chain of layers). The Loihi model's agreement with the snnc integer graph on the digits test set
    is measured (and printed with -s)."""
    from snnc.frontend import load_source
    graph = load_source(path)
    x, labels = digits_test(graph)
    ops = {n.op for n in graph}
    if ops & {"add", "spike_matmul"}:                       # residual / attention: not a chain of layers
        with pytest.raises(TargetError, match="chain of layers|spike_matmul"):
            snnc.compile(graph, target="loihi", temporal_weights="collapse")
        if "spike_matmul" not in ops:
            snnc.compile(graph, target="nir", out_dir=tmp_path / "nir",
                         temporal_weights="collapse" if has_weight_bank(graph) else "keep")
        return
    integer = snnc.compile(graph, target="reference")
    if has_weight_bank(graph):
        with pytest.raises(TargetError, match="temporal-weights=collapse"):
            snnc.compile(graph, target="loihi", out_dir=tmp_path / "loihi")
        c = snnc.compile(graph, target="loihi", out_dir=tmp_path / "loihi", temporal_weights="collapse")
        snnc.compile(graph, target="nir", out_dir=tmp_path / "nir", temporal_weights="collapse")
    else:
        c = snnc.compile(graph, target="loihi", out_dir=tmp_path / "loihi")
        n = snnc.compile(graph, target="nir", out_dir=tmp_path / "nir")
        if "multispike" in ops:    # binary planes: the copies add in another float32 order
            np.testing.assert_allclose(n.run(x[:, :16]), n.run(x[:, :16], integer=False), rtol=0, atol=1e-4)
        else:
            assert np.array_equal(n.run(x[:, :16]), n.run(x[:, :16], integer=False))
    fid = compare(c.graph, integer.graph, x, labels)
    print(f"\n{path.name}: {fid.as_dict()}")
    assert 0.0 <= fid.spike_agreement <= 1.0 and fid.samples == len(labels)
    assert fid.accuracy_loihi > 0.5 and fid.accuracy_float > 0.5
    if not has_weight_bank(graph):
        assert fid.prediction_agreement >= 0.9
        assert fid.accuracy_loihi >= fid.accuracy_integer - 0.05
