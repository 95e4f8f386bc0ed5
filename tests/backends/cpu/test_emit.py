"""What `emit` writes (and only there), the profile, and `snnc.compile` with target="cpu"."""
import numpy as np
import pytest

from cpuhelp import inputs_for
from snnc.backends import get_target
from snnc.backends.common.templates import environment
from snnc.backends.reference import run as reference_run
from snnc.ir import Graph

rng = np.random.default_rng(2)


def net() -> Graph:
    g = Graph("emit")
    g.add("input", attrs={"shape": (2, 6, 6), "dtype": "uint<4>"}, name="x")
    g.add("conv2d", ["x"], attrs={"padding": (1, 1)},
          params={"weight": rng.integers(-1, 2, (4, 2, 3, 3)).astype(np.int8)}, name="conv")
    g.add("lif_int", ["conv"], attrs={"shift": 2, "state_bits": 16},
          params={"leak": np.full((1, 1, 1, 1), 3, np.int32), "threshold": np.full((1, 4, 1, 1), 5, np.int32)},
          name="lif")
    g.add("flatten", ["lif"], name="flat")
    g.add("linear", ["flat"], params={"weight": rng.integers(-1, 2, (3, 144)).astype(np.int8)}, name="fc")
    g.add("li_int", ["fc"], attrs={"shift": 1, "state_bits": 20, "frac_bits": 1},
          params={"leak": np.full((1, 1), 1, np.int32)}, name="readout")
    g.add("output", ["readout"], name="logits")
    return g.verify()


def test_emit_writes_the_documented_files_only_there(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    arts = get_target("cpu").emit(net(), out, {})
    assert set(arts) == {"header", "source", "weights", "weights_header", "blob", "runtime", "main", "makefile",
                         "readme"}
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in arts.values())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    readme = (out / "README.md").read_text()
    assert "snnc_n1_conv`: bitplane" not in readme and "snnc_n4_fc`: bitplane" in readme
    assert "snnc_run(" in (out / "model.h").read_text()


def test_templates_are_strict():
    env = environment()
    assert env.undefined.__name__ == "StrictUndefined"
    with pytest.raises(Exception, match="undefined"):
        env.get_template("cpu/model.h.j2").render()


def test_load_without_out_dir_and_profile():
    g = net()
    r = get_target("cpu").load(None, g, {"opt": 1, "profile": True})
    x = inputs_for(g, 5, 3, rng, density=0.5)
    assert np.array_equal(r.run(x), reference_run(g, x))
    prof = r.profile()
    assert set(prof) == {"conv", "lif", "fc", "readout"} and all(v >= 0 for v in prof.values())
    assert sum(prof.values()) > 0 and sum(r.profile().values()) == 0       # reset after reading


def test_profile_needs_the_option():
    r = get_target("cpu").load(None, net(), {"opt": 0})
    with pytest.raises(Exception, match="profile=True"):
        r.profile()


def test_snnc_compile_to_cpu(tmp_path):
    snnc = pytest.importorskip("snnc")
    try:
        from snnc.frontend import load_source  # noqa: F401
    except ImportError:
        pytest.skip("snnc.compile needs the frontend (snnc.frontend), which is not written yet")
    g = net()
    compiled = snnc.compile(g, target="cpu", out_dir=tmp_path / "cpu", passes="dce", opt=1)
    assert (tmp_path / "cpu" / "model.c").is_file()
    x = inputs_for(g, 4, 2, rng)
    assert np.array_equal(compiled.run(x), reference_run(g, x))
