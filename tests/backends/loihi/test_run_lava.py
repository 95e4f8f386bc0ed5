"""run_lava.py, the script in every loihi output folder: its encoding of the input and decoding of what
Lava records, run through snnc's Loihi simulator in Lava's streaming form (samples back to back, periodic
staggered resets, no padding added by the simulator), give exactly the outputs `snnc run` / `verify` use.
Where Lava itself is importable, the script runs it and must give the same numbers."""
import importlib.util
import subprocess
import sys

import numpy as np
import pytest

import snnc
from loihelp import CHECKPOINTS, cnn, digits_like, mlp, scalar, ternary
from snnc.backends.loihi import read_net, simulate
from snnc.backends.loihi.simulator import simulate_stream
from snnc.backends.reference import encode_inputs
from snnc.ir import Graph


def load_script(folder):
    spec = importlib.util.spec_from_file_location(f"run_lava_{abs(hash(str(folder)))}", folder / "run_lava.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def lava_record(net, script, x):
    """What Lava's sink / Monitor records for the script's encoded input, from snnc's simulator: the
    source data back in snnc's order, one stream, the last layer's spikes or probed state per step,
    turned into Lava's order ([steps, *reversed shape])."""
    data = script.encode(x)                                   # [*Lava input shape, steps]
    stream = np.moveaxis(data, -1, 0)
    stream = stream.transpose((0,) + tuple(range(stream.ndim - 1, 0, -1)))      # back to snnc's order
    spikes, probe = simulate_stream(net, stream, reset_interval=x.shape[0])
    record = spikes if script.PROBE == "s" else probe
    return record.transpose((0,) + tuple(range(record.ndim - 1, 0, -1)))


def check_folder(c, x):
    script = load_script(c.out_dir)
    raw = encode_inputs(c.graph, x)
    assert np.array_equal(script.quantize(x), raw)            # real values are encoded as snnc encodes them
    net = read_net(c.artifacts["netx"])
    want = c.run(x)
    assert np.array_equal(want, simulate(net, raw).output)
    got = script.decode(lava_record(net, script, raw), *raw.shape[:2])
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got, want)
    return script


@pytest.mark.parametrize("neuron, reset", [("lif", "zero"), ("cuba_lif", "zero"), ("if", "zero"), ("lif", "subtract")])
def test_mlp_through_the_scripts_encoding_equals_the_simulator(tmp_path, neuron, reset):
    rng = np.random.default_rng(4)
    g = mlp(rng, neuron=neuron, reset=reset)
    c = snnc.compile(g, target="loihi", out_dir=tmp_path / "out")
    x = rng.uniform(0, 2.2, size=(int(g.attrs["timesteps"]), 3, 16))        # real values, some beyond the range
    script = check_folder(c, x)
    assert script.MESSAGE_BITS == 5 and script.DELAY == len(read_net(c.artifacts["netx"]).layers)


def test_leaky_readout_reads_v(tmp_path):
    rng = np.random.default_rng(8)
    g = Graph("leaky", {"timesteps": 6})
    g.add("input", [], {"shape": (16,), "dtype": "spike"}, name="x")
    g.add("linear", ["x"], {}, {"weight": ternary(rng, (12, 16)), "scale": np.full((1, 12), 0.7, np.float32)}, name="fc0")
    g.add("lif", ["fc0"], {}, {"beta": scalar(0.75), "threshold": scalar(1.0)}, name="n0")
    g.add("linear", ["n0"], {}, {"weight": ternary(rng, (5, 12)), "scale": np.full((1, 5), 0.4, np.float32)}, name="fc1")
    g.add("li", ["fc1"], {}, {"beta": scalar(0.5)}, name="readout")
    g.add("output", ["readout"], name="y")
    c = snnc.compile(g.verify(), target="loihi", out_dir=tmp_path / "out")
    script = check_folder(c, rng.integers(0, 2, size=(6, 2, 16)))
    assert script.PROBE == "v" and script.SCALED and script.MESSAGE_BITS == 0


def test_cnn_is_transposed_to_lavas_order(tmp_path):
    rng = np.random.default_rng(5)
    g = cnn(rng)
    c = snnc.compile(g, target="loihi", out_dir=tmp_path / "out")
    x = digits_like(rng, 5, 3, (1, 8, 8))
    script = check_folder(c, x)
    data = script.encode(encode_inputs(c.graph, x))
    assert data.shape == (8, 8, 1, 3 * 5 + script.DELAY)                 # (W, H, C, B·T + latency)
    assert not data[..., 15:].any()                                        # the latency's worth of zeros


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in CHECKPOINTS if p.stem in ("digits_ternary_cnn", "digits_fp_mlp")],
                         ids=lambda p: p.stem)
def test_shipped_checkpoint_through_the_script(tmp_path, path):
    from snnc.data.digits import digits
    from snnc.frontend import load_source
    graph = load_source(path)
    c = snnc.compile(graph, target="loihi", out_dir=tmp_path / "out")
    shape = tuple(graph.inputs[0].type.shape)
    d = digits("test", encoding=graph.attrs.get("encoding", "direct"), T=int(graph.attrs["timesteps"]),
               flatten=len(shape) == 1)
    check_folder(c, d.x.numpy()[:, :4])


def test_bad_input_and_missing_lava_are_one_line(tmp_path):
    rng = np.random.default_rng(6)
    g = mlp(rng)
    c = snnc.compile(g, target="loihi", out_dir=tmp_path / "out")
    script = load_script(c.out_dir)
    T = int(g.attrs["timesteps"])
    with pytest.raises(script.RunError, match=r"must be \[T, B, 16\]"):
        script.encode(np.zeros((T, 2, 15), np.int64))
    with pytest.raises(script.RunError, match="compile again with -T/--timesteps"):
        script.encode(np.zeros((T + 1, 2, 16), np.int64))
    with pytest.raises(script.RunError, match=r"must lie in \[0, 31\]"):
        script.encode(np.full((T, 2, 16), 32))
    np.save(tmp_path / "x.npy", rng.integers(0, 32, size=(T, 2, 16)))
    if importlib.util.find_spec("lava") is not None:
        pytest.skip("lava is installed: the missing-Lava message cannot be shown here")
    r = subprocess.run([sys.executable, str(c.out_dir / "run_lava.py"), "--input", str(tmp_path / "x.npy"),
                        "--output", str(tmp_path / "y.npy")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and not (tmp_path / "y.npy").exists()
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Lava is not installed" in lines[0] and "pip install lava-nc lava-dl" in lines[0]


def test_lava_itself_gives_the_same_numbers(tmp_path):
    if importlib.util.find_spec("lava") is None or importlib.util.find_spec("lava.lib.dl") is None:
        pytest.skip("lava and lava-dl are not installed (they need Python < 3.11): run_lava.py's Lava run "
                    "is checked only where they are")
    rng = np.random.default_rng(7)
    g = mlp(rng)
    c = snnc.compile(g, target="loihi", out_dir=tmp_path / "out")
    x = rng.integers(0, 32, size=(int(g.attrs["timesteps"]), 2, 16))
    assert np.array_equal(load_script(c.out_dir).run(encode_inputs(c.graph, x)), c.run(x))
