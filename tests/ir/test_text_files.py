"""save / load: the .snnir + .npz pair, atomic writes, damaged files; .nir files are refused."""
import os

import numpy as np
import pytest

from snnc.ir import Graph, ParseError, VerifyError, load, print_graph, save, verify
from snnc.ir.text import npz_path


def small_graph(name="net"):
    g = Graph(name, {"dt": 0.001})
    g.add("input", attrs={"shape": (5,), "dtype": "spike"}, name="x")
    fc = g.add("linear", ["x"], params={"weight": np.arange(15, dtype=np.int8).reshape(3, 5) % 3 - 1,
                                        "scale": np.full((2, 3), 0.5, np.float32)}, name="fc")
    lif = g.add("lif", [fc], params={"beta": np.full((1, 1), 0.9, np.float32),
                                     "threshold": np.ones((1, 3), np.float32)}, name="lif")
    g.add("output", [lif], name="y")
    verify(g)
    return g


def test_save_load_round_trip(tmp_path):
    g = small_graph()
    path = save(g, tmp_path / "model.snnir")
    assert path == tmp_path / "model.snnir"
    assert sorted(os.listdir(tmp_path)) == ["model.npz", "model.snnir"]
    assert (tmp_path / "model.snnir").read_text() == print_graph(g)
    h = load(tmp_path / "model.snnir")
    assert h == g
    assert load(str(tmp_path / "model.snnir")) == g          # str paths too


def test_overwrite_replaces_both_files(tmp_path):
    path = tmp_path / "m.snnir"
    save(small_graph(), path)
    g = small_graph()
    g.params["fc.weight"] = np.zeros((3, 5), np.int8)
    save(g, path)
    assert load(path) == g and sorted(os.listdir(tmp_path)) == ["m.npz", "m.snnir"]


def test_graph_without_params_and_npz_is_optional(tmp_path):
    g = Graph("g")
    g.add("input", attrs={"shape": (2,), "dtype": "f32"})
    g.add("output", ["input"])
    save(g, tmp_path / "g.snnir")
    (tmp_path / "g.npz").unlink()
    assert load(tmp_path / "g.snnir") == g


def test_failed_save_leaves_no_trace(tmp_path, monkeypatch):
    path = tmp_path / "model.snnir"
    save(small_graph(), path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez_compressed", broken)
    g = small_graph()
    g.params["fc.weight"] = np.zeros((3, 5), np.int8)
    with pytest.raises(OSError, match="disk full"):
        save(g, path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    monkeypatch.undo()

    # a failure while writing the text (after the arrays were written to a temporary)
    real_replace = os.replace
    calls = []

    def replace_fails_second(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("rename failed")
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", replace_fails_second)
    with pytest.raises(OSError, match="rename failed"):
        save(g, tmp_path / "other.snnir")
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_unprintable_graph_writes_nothing(tmp_path):
    g = small_graph()
    g.attrs["bad"] = [1]
    with pytest.raises(VerifyError):
        save(g, tmp_path / "x.snnir")
    assert list(tmp_path.iterdir()) == []


def test_npz_suffix_is_refused(tmp_path):
    with pytest.raises(ParseError, match="own file name"):
        save(small_graph(), tmp_path / "model.npz")


def test_npz_path():
    assert npz_path("a/b.snnir").as_posix() == "a/b.npz"


def test_load_checks_the_npz_against_the_declarations(tmp_path):
    path = save(small_graph(), tmp_path / "m.snnir")
    np.savez(npz_path(path), **{"fc.weight": np.zeros((3, 4), np.int8), "fc.scale": np.zeros((2, 3), np.float32),
                                "lif.beta": np.zeros((1, 1), np.float32),
                                "lif.threshold": np.zeros((1, 3), np.float32)})
    with pytest.raises(ParseError) as e:
        load(path)
    assert (e.value.line, e.value.column) == (3, 20)
    assert "int<8>[3,5]" in str(e.value) and "int<8>[3,4]" in str(e.value) and "m.npz" in str(e.value)
    assert str(e.value).startswith(str(path))


def test_missing_npz_names_the_parameter(tmp_path):
    path = save(small_graph(), tmp_path / "m.snnir")
    npz_path(path).unlink()
    with pytest.raises(ParseError, match="@fc.weight is declared but m.npz has no array") as e:
        load(path)
    assert e.value.line == 3


@pytest.mark.parametrize("content", [b"", b"not a zip file", b"PK\x03\x04garbage"])
def test_damaged_npz(tmp_path, content):
    path = save(small_graph(), tmp_path / "m.snnir")
    npz_path(path).write_bytes(content)
    with pytest.raises(ParseError, match="cannot read the parameter arrays"):
        load(path)


def test_npz_with_object_array_is_refused(tmp_path):
    path = save(small_graph(), tmp_path / "m.snnir")
    arrays = dict(np.load(npz_path(path)))
    arrays["fc.weight"] = np.array([None, 1], dtype=object)
    np.savez(npz_path(path), **arrays)
    with pytest.raises(ParseError, match="cannot read the parameter arrays"):
        load(path)


def test_missing_file_and_npz_and_other_suffixes(tmp_path):
    path = save(small_graph(), tmp_path / "m.snnir")
    with pytest.raises(ParseError, match="load the .snnir text file"):
        load(npz_path(path))
    with pytest.raises(ParseError, match="cannot read the file"):
        load(tmp_path / "nothing.snnir")
    (tmp_path / "g.txt").write_text("snnir 1\n")
    with pytest.raises(ParseError, match="file ends too early"):
        load(tmp_path / "g.txt")


def test_binary_file(tmp_path):
    (tmp_path / "g.snnir").write_bytes(b"snnir 1\ngraph g\n\xff\xfe\x00")
    with pytest.raises(ParseError) as e:
        load(tmp_path / "g.snnir")
    assert (e.value.line, e.value.column) == (3, 1) and "not UTF-8" in str(e.value)


def test_verify_error_names_node_and_line(tmp_path):
    g = small_graph()
    g["lif"].type = g["fc"].type
    path = save(g, tmp_path / "bad.snnir")             # an invalid graph can be saved for inspection
    with pytest.raises(VerifyError) as e:
        load(path)
    assert e.value.node == "lif" and "line 9" in str(e.value)
    assert load(path, verify=False)["lif"].type == g["fc"].type


def test_nir_files_are_refused_with_the_frontend_named(tmp_path):
    (tmp_path / "g.nir").write_bytes(b"whatever")
    with pytest.raises(ParseError, match=r"g\.nir: .*snnc\.compile.*snnc\.frontend\.load_source.*snnc compile"):
        load(tmp_path / "g.nir")
