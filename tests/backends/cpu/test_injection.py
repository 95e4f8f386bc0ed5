"""Names never inject code: node and graph names of any content reach the C sources only as
sanitized identifiers and comments, and the model still compiles and matches the reference."""
import re

import numpy as np

from cpuhelp import assert_matches_reference
from snnc.backends import get_target
from snnc.ir import Graph

EVIL = ['x */ #include <stdlib.h>\nint evil(void) { return system("rm -rf /"); } /*',
        'q"uote\\back\\\\slash', "\u00e9t\u00e9.layer-1", "??=define", "a" * 300]


def evil_graph() -> Graph:
    g = Graph('model */ void pwn(void); /* "')
    g.add("input", attrs={"shape": (5,), "dtype": "spike"}, name=EVIL[0])
    prev = EVIL[0]
    for i, name in enumerate(EVIL[1:]):
        g.add("linear", [prev], params={"weight": np.eye(5, dtype=np.int8)[::-1] * (-1) ** i}, name=name)
        prev = name
    g.add("output", [prev], name='out"put\n#error boom')
    return g            # not verify()-clean on purpose: the backend must not rely on verify()


def test_evil_names_compile_and_match(tmp_path):
    g = evil_graph()
    assert_matches_reference(g, np.random.default_rng(0).integers(0, 2, (3, 2, 5)))
    get_target("cpu").emit(g, tmp_path, {})
    for f in tmp_path.iterdir():
        text = f.read_bytes().decode("latin-1") if f.suffix == ".bin" else f.read_text()      # the weight blob
        for name in EVIL + ['out"put\n#error boom', g.name]:
            assert name not in text, f"a raw name in {f.name}"
        if f.suffix in (".c", ".h"):
            assert "??" not in text, f"trigraph in {f.name}"
            code = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text)                 # drop string literals
            assert code.count("/*") == code.count("*/"), f"unbalanced comments in {f.name}"
            code = re.sub(r"/\*.*?\*/", " ", code, flags=re.S)                   # drop comments
            for word in ("system", "evil", "pwn", "boom", "rm -rf"):
                assert word not in code, f"{word!r} outside comments in {f.name}"
