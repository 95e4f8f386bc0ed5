"""The weight blob weights.bin: the library loads it when the model opens; a damaged, truncated,
extended or foreign blob is refused with a clear error (never read out of bounds), and a build
of the same architecture with other weights reuses the cached library."""
import ctypes

import numpy as np
import pytest

from cpuhelp import inputs_for
from snnc.backends import TargetError, get_target
from snnc.backends.common import toolchain
from snnc.backends.cpu import blob, build_plan, load_library
from snnc.backends.reference import run as reference_run
from snnc.ir import Graph

rng = np.random.default_rng(4)


def net(seed=0, hidden=40) -> Graph:
    r = np.random.default_rng(seed)
    g = Graph("blob")
    g.add("input", attrs={"shape": (70,), "dtype": "spike"}, name="x")
    g.add("linear", ["x"], params={"weight": r.integers(-1, 2, (hidden, 70)).astype(np.int8),
                                   "bias": r.integers(-3, 4, (2, hidden)).astype(np.int32)}, name="fc")
    g.add("linear", ["fc"], params={"weight": r.integers(-3, 4, (5, hidden)).astype(np.int8)}, name="out")
    g.add("output", ["out"], name="y")
    return g.verify()


@pytest.fixture(scope="module")
def emitted(tmp_path_factory):
    out = tmp_path_factory.mktemp("blob")
    g = net()
    get_target("cpu").emit(g, out, {"opt": 0})
    return g, out, get_target("cpu").load(out, g, {"opt": 0})


def test_the_weights_come_from_the_blob(emitted):
    g, out, r = emitted
    raw = (out / "weights.bin").read_bytes()
    assert raw[:8] == b"SNNCWTS1" and "= {" not in (out / "weights.c").read_text()     # no C array initializers
    x = inputs_for(g, 3, 4, rng)
    assert np.array_equal(r.run(x), reference_run(g, x))


@pytest.mark.parametrize("damage, message", [
    (lambda b: b[:-1], "truncated"),
    (lambda b: b[:40], "truncated"),
    (lambda b: b"", "truncated"),
    (lambda b: b + b"\0", "longer than its header says"),
    (lambda b: b"SNNCWTS2" + b[8:], "no SNNCWTS1 magic"),
    (lambda b: b[:-3] + bytes([b[-3] ^ 1]) + b[-2:], "checksum does not match"),
    (lambda b: b[:20] + bytes([b[20] ^ 0x10]) + b[21:], "another model"),        # payload size field
])
def test_a_damaged_blob_is_refused_at_load(emitted, damage, message):
    g, out, _ = emitted
    bad = out.parent / f"bad-{abs(hash(message)) % 1000}"
    bad.mkdir(exist_ok=True)
    for f in out.iterdir():
        (bad / f.name).write_bytes(f.read_bytes())
    (bad / "weights.bin").write_bytes(damage((out / "weights.bin").read_bytes()))
    with pytest.raises(TargetError, match=rf"refusing the weight blob .*weights.bin: .*{message}.*emit the cpu target"):
        get_target("cpu").load(bad, g, {"opt": 0})


def test_every_truncation_and_header_bit_flip_is_refused(emitted):
    """Each prefix of the blob, and the blob with any one bit of its header or payload flipped."""
    _, out, r = emitted
    good = (out / "weights.bin").read_bytes()
    for n in range(len(good)):
        with pytest.raises(TargetError, match="refusing"):
            r.load_weights(good[:n])
    for i in list(range(64)) + list(range(64, len(good), 7)):
        if 36 <= i < 64:
            continue                # the header's zero padding is not checked
        for bit in (0, 7):
            flipped = bytearray(good)
            flipped[i] ^= 1 << bit
            with pytest.raises(TargetError, match="refusing"):
                r.load_weights(bytes(flipped))
    r.load_weights(good)            # and the good one still loads


def test_a_blob_of_another_model_is_refused(emitted, tmp_path):
    g, out, _ = emitted
    other = net(seed=1, hidden=41)
    get_target("cpu").emit(other, tmp_path, {"opt": 0})
    (tmp_path / "weights.bin").replace(out.parent / "other.bin")
    r = get_target("cpu").load(out, g, {"opt": 0})
    with pytest.raises(TargetError, match="another model"):
        r.load_weights((out.parent / "other.bin").read_bytes())


def test_a_library_without_its_weights_does_not_run(tmp_path):
    g = net()
    get_target("cpu").emit(g, tmp_path, {"opt": 0})
    lib = load_library([tmp_path], get_target("cpu").options({"opt": 0}))
    lib.snnc_run.restype = ctypes.c_int
    x = np.zeros((1, 1, 70), np.uint8)
    y = np.zeros((1, 1, 5), np.int64)
    ins, outs = (ctypes.c_void_p * 1)(x.ctypes.data), (ctypes.c_void_p * 1)(y.ctypes.data)
    assert lib.snnc_run(ins, outs, 1, 1, 1) == 5
    (tmp_path / "weights.bin").unlink()
    with pytest.raises(TargetError, match="holds no weights.bin"):
        get_target("cpu").load(tmp_path, g, {"opt": 0})


def test_other_weights_same_architecture_reuse_the_cached_build(tmp_path, monkeypatch):
    monkeypatch.setenv("SNNC_CACHE_DIR", str(tmp_path / "cache"))
    tgt = get_target("cpu")
    a, b = net(seed=2), net(seed=3)
    ra = tgt.load(None, a, {"opt": 0})
    assert not np.array_equal(a.param(a["fc"], "weight"), b.param(b["fc"], "weight"))
    calls = []
    monkeypatch.setattr(toolchain, "run", lambda *args, **kw: calls.append(args))
    rb = tgt.load(None, b, {"opt": 0})                   # another temporary folder, other weights: a hit
    assert calls == []
    x = inputs_for(a, 3, 4, rng)
    assert np.array_equal(ra.run(x), reference_run(a, x)) and np.array_equal(rb.run(x), reference_run(b, x))
    assert build_plan(a, tgt.options({})).arrays[0].name == build_plan(b, tgt.options({})).arrays[0].name
    assert blob.pack(build_plan(a, tgt.options({})).arrays) != blob.pack(build_plan(b, tgt.options({})).arrays)
