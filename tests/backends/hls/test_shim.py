"""snnc's ap_int.h / hls_stream.h shim against exact integer arithmetic (Python ints).

The generated code relies on the Vitis semantics: values wrap modulo 2^W on
construction and assignment, + − * give exact results of the widened type,
shifts keep the type (>> is arithmetic for ap_int), comparisons compare values.
Each hypothesis example compiles one program with 60 random cases.
"""
import subprocess

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hlshelp import SHIM, cxx

from snnc.backends.common.literals import int_literal
from snnc.backends.hls.toolchain import WARN_FLAGS


def wrap(v: int, w: int, signed: bool) -> int:
    v &= (1 << w) - 1
    return v - (1 << w) if signed and v >> (w - 1) else v


def ap(w: int, signed: bool) -> str:
    return f"ap_int<{w}>" if signed else f"ap_uint<{w}>"


@st.composite
def case(draw):
    w1, w2, w3 = draw(st.integers(1, 64)), draw(st.integers(1, 64)), draw(st.integers(1, 128))
    s1, s2, s3 = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    va, vb = (draw(st.one_of(st.integers(-(1 << 63), (1 << 63) - 1), st.integers(-4, 4))) for _ in range(2))
    n = draw(st.integers(0, w1 + 2))
    lo = draw(st.integers(0, w1 - 1))
    hi = draw(st.integers(lo, w1 - 1))
    return w1, s1, w2, s2, w3, s3, va, vb, n, lo, hi


def cpp_case(c) -> str:
    w1, s1, w2, s2, w3, s3, va, vb, n, lo, hi = c
    return (f"    {{ const {ap(w1, s1)} a = {ap(w1, s1)}({int_literal(va)});\n"
            f"      const {ap(w2, s2)} b = {ap(w2, s2)}({int_literal(vb)});\n"
            f"      std::cout << (a + b) << ' ' << (a - b) << ' ' << (a * b) << ' ' << (a << {n}) << ' '"
            f" << (a >> {n}) << ' ' << (a < b) << (a <= b) << (a == b) << (a != b) << (a > b) << (a >= b) << ' '"
            f" << {ap(w3, s3)}(a * b) << ' ' << (-a) << ' ' << a.range({hi}, {lo}) << ' ' << a[{lo}] << ' '"
            f" << (a & b) << ' ' << (a | b) << ' ' << (a ^ b) << ' ' << a.to_int64() << '\\n'; }}\n")


def expected(c) -> str:
    w1, s1, w2, s2, w3, s3, va, vb, n, lo, hi = c
    a, b = wrap(va, w1, s1), wrap(vb, w2, s2)
    rs = s1 or s2
    lw = max(w1 + (s2 and not s1), w2 + (s1 and not s2))
    bits = a & ((1 << w1) - 1)
    cmp = "".join(str(int(r)) for r in (a < b, a <= b, a == b, a != b, a > b, a >= b))
    vals = [a + b, a - b, a * b, wrap(a << n, w1, s1), a >> n, cmp, wrap(a * b, w3, s3), -a,
            (bits >> lo) & ((1 << (hi - lo + 1)) - 1), (bits >> lo) & 1,
            wrap(a & b, lw, rs), wrap(a | b, lw, rs), wrap(a ^ b, lw, rs), wrap(a, 64, True)]
    return " ".join(str(v) for v in vals)


@pytest.mark.slow
# no shrinking: every attempt is a compiler run; a failure names its case
@settings(max_examples=3, deadline=None, database=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(case(), min_size=60, max_size=60))
def test_ap_int_shim_matches_exact_arithmetic(tmp_path_factory, cases):
    d = tmp_path_factory.mktemp("shim")
    src = d / "t.cpp"
    src.write_text('#include <iostream>\n#include "ap_int.h"\nint main() {\n' + "".join(map(cpp_case, cases))
                   + "    return 0;\n}\n")
    exe = d / "t"
    # the shim itself compiles warning-free even when not included as a system header
    subprocess.run([*cxx(), *WARN_FLAGS, "-I", str(SHIM), "-O0", str(src), "-o", str(exe)],
                   check=True, capture_output=True, timeout=300)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True, timeout=60).stdout.splitlines()
    assert len(out) == len(cases)
    for c, line in zip(cases, out):
        assert line == expected(c), f"case {c}"


def test_128_bit_products_and_shifts(tmp_path):
    """The widest intermediates the neurons use: 64 × 64-bit products and their arithmetic shifts."""
    src = tmp_path / "w.cpp"
    src.write_text('#include <iostream>\n#include "ap_int.h"\nint main() {\n'
                   "    const ap_int<64> a = (-9223372036854775807LL - 1);\n"
                   "    const ap_int<64> b = 9223372036854775807LL;\n"
                   "    const ap_int<128> p = a * b;\n"
                   "    std::cout << p << ' ' << (p >> 70) << ' ' << ap_int<128>(a * a) << ' '"
                   " << ap_uint<128>(ap_uint<64>(18446744073709551615ULL) * ap_uint<64>(18446744073709551615ULL))"
                   " << '\\n';\n    return 0;\n}\n")
    exe = tmp_path / "w"
    subprocess.run([*cxx(), *WARN_FLAGS, "-I", str(SHIM), str(src), "-o", str(exe)], check=True,
                   capture_output=True, timeout=300)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.split()
    a, b = -(1 << 63), (1 << 63) - 1
    assert out == [str(a * b), str((a * b) >> 70), str(a * a), str(((1 << 64) - 1) ** 2)]


def test_hls_stream_is_a_fifo(tmp_path):
    src = tmp_path / "s.cpp"
    src.write_text('#include <iostream>\n#include "ap_int.h"\n#include "hls_stream.h"\nint main() {\n'
                   "    hls::stream<ap_int<5> > s(\"s\");\n    s.write(3); s << ap_int<5>(-4); s.write(17);\n"
                   "    ap_int<5> v; s >> v;\n    std::cout << s.size() << ' ' << v << ' ' << s.read() << ' '"
                   " << s.read() << ' ' << s.empty() << ' ' << s.read() << '\\n';\n    return 0;\n}\n")
    exe = tmp_path / "s"
    subprocess.run([*cxx(), *WARN_FLAGS, "-I", str(SHIM), str(src), "-o", str(exe)], check=True,
                   capture_output=True, timeout=300)
    r = subprocess.run([str(exe)], check=True, capture_output=True, text=True)
    # 17 wraps to -15 in 5 bits; reading an empty stream warns and gives 0 (as Vitis C-simulation)
    assert r.stdout.split() == ["2", "3", "-4", "-15", "1", "0"]
    assert "read while empty" in r.stderr
