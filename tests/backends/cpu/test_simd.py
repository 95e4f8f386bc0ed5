"""Every SIMD path of the kernels (portable C, AVX2, AVX-512 VPOPCNTDQ), forced by the cpu option
`simd`, equals the reference interpreter exactly; a path is skipped only where this CPU cannot
run it (the reason is the skip message). A forced path the CPU lacks is refused with a message."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpuhelp import assert_many_match_reference, inputs_for, networks
from snnc.backends import TargetError, get_target
from snnc.backends.cpu import simd
from test_kernels import conv_graph, dense_graph, lif, ternary

from snnc.ir import Graph

rng = np.random.default_rng(18)
PATHS = [pytest.param(p, marks=pytest.mark.skipif(not simd.can_run(p), reason=f"simd={p}: {simd.why_not(p)}"))
         for p in simd.PATHS]


def kernel_cases():
    """Word-boundary fan-ins (including more than one 15-word byte run of the AVX2 core), output counts
    around the vector widths, k-bit inputs, conv with stride / padding / dilation / odd channels."""
    cases = []
    for fan_in, fan_out in ((1, 1), (63, 9), (64, 16), (65, 17), (129, 33), (960, 65), (961, 129), (1100, 300)):
        g = dense_graph(fan_in, fan_out, bank=2 if fan_in == 65 else 1)
        cases.append((g, inputs_for(g, 3, 9, rng, density=0.4)))
    for dtype in ("uint<2>", "uint<8>"):
        g = dense_graph(130, 20, dtype=dtype, lead=2, bias_tp=2)
        cases.append((g, inputs_for(g, 2, 3, rng, density=0.7)))
    for c, kw in ((3, {}), (17, dict(stride=(2, 1), padding=(0, 1))), (65, dict(dilation=(2, 2), padding=(2, 1))),
                  (33, dict(dtype="uint<3>", bank=2)), (130, dict(k=1, padding=(0, 0)))):
        g = conv_graph(c, 9, (6, 5), **kw)
        cases.append((g, inputs_for(g, 2, 2, rng, density=0.5)))
    return cases


def graded_case():
    g = Graph("graded")
    g.add("input", attrs={"shape": (3, 5, 5), "dtype": "spike"}, name="x")
    c = g.add("conv2d", ["x"], attrs={"padding": (1, 1)}, params={"weight": ternary((20, 3, 3, 3))}, name="c").name
    m = g.add("multispike_int", [c], attrs={"D": 7, "frac_bits": 1}, name="ms").name
    fl = g.add("flatten", [m], name="flat").name
    fc = g.add("linear", [fl], params={"weight": ternary((70, 500))}, name="fc").name
    g.add("output", [lif(g, fc, 1, "out")], name="y")
    return g.verify(), None


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("kernels", ["auto", "bitplane", "event"])
def test_each_path_forced_equals_reference(path, kernels):
    cases = kernel_cases()
    g, _ = graded_case()
    cases.append((g, inputs_for(g, 3, 4, rng, density=0.5)))
    assert_many_match_reference(cases, kernels=kernels, simd=path)


@pytest.mark.parametrize("path", PATHS)
def test_the_library_reports_its_path(path):
    g = dense_graph(200, 40)
    r = get_target("cpu").load(None, g, {"opt": 0, "simd": path})
    assert r.simd == path
    x = inputs_for(g, 2, 3, rng)
    from snnc.backends.reference import run as reference_run
    assert all(np.array_equal(r.run(x)[k], v) for k, v in reference_run(g, x).items())


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=20, deadline=None)          # 200 networks per path
@given(st.lists(networks(), min_size=10, max_size=10), st.sampled_from(["auto", "bitplane", "event", "direct"]),
       st.integers(0, 2**32 - 1))
def test_each_path_on_random_networks(path, nets, kernels, seed):
    r = np.random.default_rng(seed)
    cases = [(g, inputs_for(g, int(r.integers(1, 7)), int(r.integers(1, 5)), r, density=float(r.choice([0.05, 0.3, 0.9]))))
             for g in nets]
    assert_many_match_reference(cases, kernels=kernels, simd=path)


@pytest.mark.parametrize("path", ["avx2", "avx512"])
def test_a_path_this_cpu_lacks_is_refused(path, monkeypatch):
    monkeypatch.setattr(simd, "cpu_flags", lambda: frozenset({"sse2"}))
    with pytest.raises(TargetError, match=rf"simd={path}: this CPU (lacks .*avx2|\(.*\) is not x86-64).*simd=auto"):
        get_target("cpu").load(None, dense_graph(10, 3), {"simd": path})


def test_portable_and_a_forced_simd_path_contradict():
    with pytest.raises(TargetError, match="portable=True and simd='avx2' contradict"):
        get_target("cpu").options({"portable": True, "simd": "avx2"})
    assert get_target("cpu").options({"portable": True}).simd_path == "portable"


def test_native_builds_name_the_cpu_in_their_flags_so_the_build_cache_key_differs_per_cpu():
    from snnc.backends.cpu import toolchain
    from snnc.backends.cpu.options import CpuOptions
    ident = simd.cpu_identity()
    assert len(ident) == 16 and ident.isalnum()
    cc = toolchain.compiler(CpuOptions())
    native = toolchain.flags(cc, CpuOptions(march="native"))
    if "-march=native" in native:
        assert f"-DSNNC_BUILT_FOR_CPU={ident}" in native
    assert not any(f.startswith("-DSNNC_BUILT_FOR_CPU") for f in toolchain.flags(cc, CpuOptions(march="")))
