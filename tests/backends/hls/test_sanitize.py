"""Names and options cannot inject code: node names are sanitized, options are validated."""
import re

import numpy as np
import pytest
from hlshelp import build_batch

from snnc.backends.hls import HLSTarget
from snnc.backends.common.names import Namer, comment_text, sanitize
from snnc.backends.hls.runner import call_csim
from snnc.backends.reference import run as reference_run
from snnc.backends.reference.inputs import bind_inputs
from snnc.backends.target import TargetError
from snnc.ir import Graph

EVIL = ['x"); system("touch /tmp/snnc_pwned"); //', "a\nb\\", "??/ */ /* evil", "%s%n%d", "1st", "class",
        "a..b", "a_b", "A", "a", "__init", "ß.σ", "n_2"]


def evil_graph() -> Graph:
    """Names verify() would refuse (it allows [A-Za-z_][A-Za-z0-9_.]*) next to legal but tricky ones
    (keywords, dots, case and sanitization collisions): the target must not rely on verify()."""
    g = Graph('net"; rm -rf /')
    g.attrs["timesteps"] = 5
    rng = np.random.default_rng(0)
    g.add("input", attrs={"shape": (6,), "dtype": "spike"}, name=EVIL[0])
    v = EVIL[0]
    for name in EVIL[1:]:
        w = rng.integers(-1, 2, size=(6, 6)).astype(np.int8)
        lin = g.add("linear", [v], params={"weight": w}, name=name + ".fc").name
        v = g.add("lif_int", [lin], attrs={"state_bits": 8},
                  params={"leak": np.ones((1, 1), np.int32), "threshold": np.ones((1, 1), np.int32)}, name=name).name
    g.add("output", [v], name="out*/")
    return g


def test_sanitize_rules():
    assert sanitize("l1.linear") == "l1_linear"
    assert sanitize("__x__y") == "x_y" and sanitize("...") == "n"
    namer = Namer()
    ids = [namer(n) for n in ["a..b", "a_b", "a.b", "a_b_2"]]
    assert ids == ["a_b", "a_b_2", "a_b_3", "a_b_2_2"] and len(set(ids)) == 4
    assert "\n" not in comment_text("a\nb") and "\\" not in comment_text("a\\") and "?" not in comment_text("??/")


def test_hostile_names_are_sanitized_and_still_exact(tmp_path):
    g = evil_graph()
    HLSTarget().emit(g, tmp_path / "p", {"top": "evil"})
    generated = [f for f in (tmp_path / "p").rglob("*") if f.is_file() and f.parent.name != "shim"
                 and (f.suffix in (".h", ".cpp", ".tcl", ".cfg", ".md") or f.name == "Makefile")]
    text = "\n".join(f.read_text() for f in generated)
    for fragment in ("system(", "rm -rf /", "??/", "touch /tmp", "\"net\""):
        assert fragment not in text, fragment
    # names never reach a printf format: the testbench's formats use only its own conversions
    tb = (tmp_path / "p" / "tb" / "tb_evil.cpp").read_text()
    assert set(re.findall(r"%[a-z]+", tb)) <= {"%ld", "%d", "%lld", "%s"}
    assert "\\\n" not in text.replace("\\n", "")      # no backslash line splice anywhere
    built = build_batch([("evil", tmp_path / "p")], tmp_path / "build")["evil"]
    x = np.random.default_rng(1).integers(0, 2, size=(5, 2, 6))
    assert np.array_equal(call_csim(built.csim, g, bind_inputs(g, x), "evil"), reference_run(g, x))
    assert built.tb(str(tmp_path / "p" / "tb_data").encode()) == 0


@pytest.mark.parametrize("options, message", [
    ({"top": "x(); int y"}, r"C\+\+ identifier"),
    ({"top": "class"}, r"C\+\+ identifier"),
    ({"top": "a__b"}, r"C\+\+ identifier"),
    ({"top": 3}, r"C\+\+ identifier"),
    ({"part": "xcu250}; exec rm -rf ~; {"}, "part"),
    ({"part": "xc7\nset_top evil"}, "part"),
    ({"interface": "axi; evil"}, "interface"),
    ({"clock_mhz": -5}, "clock_mhz"),
    ({"clock_mhz": "200; evil"}, "clock_mhz"),
    ({"parallelism": {"nope": 2}}, "not in the graph"),
    ({"parallelism": 0}, "positive integer"),
    ({"dataflow": "yes"}, "true or false"),
    ({"timesteps": 2.5}, "positive integer"),
    ({"frobnicate": 1}, "unknown hls target option"),
])
def test_bad_options_are_refused_before_writing(tmp_path, options, message):
    g = evil_graph()
    out = tmp_path / "p"
    out.mkdir()
    with pytest.raises(TargetError, match=message):
        HLSTarget().emit(g, out, options)
    assert not any(out.iterdir())
