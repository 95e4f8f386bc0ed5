"""The emitted folder builds and runs without Python: `make -C <out>`, then the runner on an
snnc array file reproduces `run()`'s output; malformed input files are refused with a message."""
import shutil
import subprocess

import numpy as np
import pytest

from snnc.backends import get_target
from snnc.backends.cpu import read_arrays, write_arrays
from snnc.backends.reference import run as reference_run
from snnc.ir import Graph

rng = np.random.default_rng(11)
HAVE_MAKE = shutil.which("make") is not None


def two_in_two_out() -> Graph:
    g = Graph("io")
    g.add("input", attrs={"shape": (2, 70), "dtype": "spike"}, name="a")
    g.add("input", attrs={"shape": (2, 70), "dtype": "uint<3>"}, name="b")
    fa = g.add("linear", ["a"], params={"weight": rng.integers(-1, 2, (9, 70)).astype(np.int8)}, name="fa").name
    fb = g.add("linear", ["b"], params={"weight": rng.integers(-1, 2, (9, 70)).astype(np.int8)}, name="fb").name
    s = g.add("add", [fa, fb], name="sum").name
    n = g.add("lif_int", [s], attrs={"shift": 1, "state_bits": 16},
              params={"leak": np.full((1, 1, 1), 1, np.int32), "threshold": np.full((1, 1, 1), 3, np.int32)},
              name="lif").name
    g.add("output", [n], name="spikes")
    g.add("output", [s], name="current")
    return g.verify()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not HAVE_MAKE:
        pytest.skip("make is not installed")
    out = tmp_path_factory.mktemp("standalone")
    g = two_in_two_out()
    get_target("cpu").emit(g, out, {"threading": "pthreads"})
    r = subprocess.run(["make", "-C", str(out), "CFLAGS=-O1 -std=c99"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return g, out


def test_make_builds_runner_and_library(built):
    _, out = built
    assert (out / "model").is_file() and (out / "libsnnc.so").is_file()


@pytest.mark.parametrize("threads", [None, "3"])
def test_runner_reproduces_run(built, tmp_path, threads):
    g, out = built
    x = {"a": inputs_for_input(g, "a", 5, 4), "b": inputs_for_input(g, "b", 5, 4)}
    write_arrays(tmp_path / "in.bin", [x["a"], x["b"]])
    cmd = [str(out / "model"), str(tmp_path / "in.bin"), str(tmp_path / "out.bin")] + ([threads] if threads else [])
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    spikes, current = read_arrays(tmp_path / "out.bin")
    via_run = get_target("cpu").load(out, g, {"opt": 1}).run(x)
    want = reference_run(g, x)
    for name, got in (("spikes", spikes), ("current", current)):
        assert np.array_equal(got, via_run[name]) and np.array_equal(got, want[name]), name


def inputs_for_input(g, name, T, B):
    lo, hi = g[name].type.dtype.range()
    return rng.integers(lo, hi + 1, size=(T, B) + g[name].type.shape)


@pytest.mark.parametrize("case, message", [
    ("magic", "not an snnc array file"),
    ("count", "holds 1 arrays; the model takes 2"),
    ("shape", "has dimension 3 of size 71; the model expects 70"),
    ("range", "outside its type's range [0, 1]"),
    ("truncated", "is truncated"),
])
def test_runner_refuses_bad_input(built, tmp_path, case, message):
    _, out = built
    a = np.zeros((2, 1, 2, 70), np.int64)
    b = np.zeros((2, 1, 2, 70), np.int64)
    path = tmp_path / "in.bin"
    if case == "magic":
        path.write_bytes(b"NOTSNNC!" + bytes(8))
    elif case == "count":
        write_arrays(path, [a])
    elif case == "shape":
        write_arrays(path, [np.zeros((2, 1, 2, 71), np.int64), b])
    elif case == "range":
        a[1, 0, 0, 5] = 2
        write_arrays(path, [a, b])
    else:
        write_arrays(path, [a, b])
        path.write_bytes(path.read_bytes()[:-8])
    r = subprocess.run([str(out / "model"), str(path), str(tmp_path / "out.bin")], capture_output=True, text=True)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert not (tmp_path / "out.bin").exists()


def test_runner_usage(built):
    _, out = built
    r = subprocess.run([str(out / "model")], capture_output=True, text=True)
    assert r.returncode == 1 and "usage" in r.stderr


def test_array_file_roundtrip(tmp_path):
    arrays = [np.arange(24).reshape(2, 3, 4) - 7, np.array([[[-(1 << 63), (1 << 63) - 1]]], np.int64)]
    write_arrays(tmp_path / "f.bin", arrays)
    back = read_arrays(tmp_path / "f.bin")
    assert all(np.array_equal(a, b) and b.dtype == np.int64 for a, b in zip(arrays, back))
    raw = (tmp_path / "f.bin").read_bytes()
    assert raw[:8] == b"SNNCARR1" and raw[8:12] == (2).to_bytes(4, "little")


@pytest.mark.parametrize("damage", ["truncated", "flipped", "missing"])
def test_runner_refuses_a_damaged_weight_blob(built, tmp_path, damage):
    import os

    _, out = built
    good = (out / "weights.bin").read_bytes()
    path = tmp_path / "weights.bin"
    if damage == "truncated":
        path.write_bytes(good[:-5])
    elif damage == "flipped":
        path.write_bytes(good[:-1] + bytes([good[-1] ^ 4]))
    write_arrays(tmp_path / "in.bin", [np.zeros((2, 1, 2, 70), np.int64), np.zeros((2, 1, 2, 70), np.int64)])
    r = subprocess.run([str(out / "model"), str(tmp_path / "in.bin"), str(tmp_path / "out.bin")], capture_output=True,
                       text=True, env=dict(os.environ, SNNC_WEIGHTS=str(path)))
    want = {"truncated": "truncated", "flipped": "checksum does not match", "missing": "cannot be read"}[damage]
    assert r.returncode == 5 and "refusing the weight blob" in r.stderr and want in r.stderr, r.stderr
    assert not (tmp_path / "out.bin").exists()
