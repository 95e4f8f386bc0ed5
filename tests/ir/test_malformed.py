"""Malformed text IR (files in tests/ir/malformed/): each gives a ParseError at the stated
line and column, or a VerifyError naming the stated node — never another exception."""
import re
from pathlib import Path

import numpy as np
import pytest

from snnc.ir import ParseError, VerifyError, parse
from snnc.ir.types import numpy_dtype, parse_dtype

HERE = Path(__file__).parent / "malformed"

# file stem: (line, column, node, words the message must contain); line None → VerifyError
CASES = {
    "unknown_op": (5, 7, None, "unknown op 'lineer'; did you mean 'linear'?"),
    "bad_type": (5, 42, None, "unexpected 'f64'; expected an element type"),
    "bad_type_width": (5, 42, None, "int width must be 1..64 bits, got 99"),
    "bad_dimension": (5, 48, None, "a dimension must be an integer ≥ 1, got 0"),
    "undefined_value": (5, 14, None, "%z is not defined"),
    "use_before_definition": (5, 13, None, "%fc is used before it is defined (at line 6)"),
    "self_reference": (5, 14, None, "%fc cannot use its own result"),
    "unknown_attribute": (5, 19, None, "linear has no attribute 'bias'"),
    "wrong_attribute_type": (4, 23, None, "attribute reset=3: expected a string"),
    "bad_attribute_choice": (4, 25, None, "expected one of 'ge', 'gt'"),
    "duplicate_attribute": (3, 44, None, "attribute 'shape' is given twice"),
    "missing_required_attribute": (3, 14, None, "input needs attribute 'shape'"),
    "unknown_param_role": (5, 19, None, "linear has no parameter 'weights' (allowed: weight, scale, bias"),
    "param_not_declared": (4, 28, None, "parameter @fc.weight is not declared"),
    "duplicate_name": (6, 1, None, "%fc is defined twice (first at line 5)"),
    "duplicate_param": (4, 7, None, "parameter @fc.weight is declared twice (first at line 3)"),
    "missing_header": (1, 1, None, "missing header"),
    "wrong_version": (1, 7, None, "unsupported snnir version 2"),
    "empty": (1, 1, None, "empty file"),
    "blank_and_comments": (1, 1, None, "empty file"),
    "header_only": (1, 8, None, "the file ends too early; expected the graph line"),
    "truncated": (5, 36, None, "unexpected end of line; expected ',' or ']'"),
    "truncated_in_tuple": (3, 26, None, "unexpected end of line; expected a value"),
    "binary_garbage": (1, 1, None, "byte 0x89 is not UTF-8 text"),
    "latin1_text": (3, 6, None, "byte 0xe9 is not UTF-8 text"),
    "nul_bytes": (4, 1, None, "unexpected character U+0000"),
    "missing_type": (5, 39, None, "unexpected end of line; expected ':' then the type"),
    "missing_colon": (5, 40, None, "unexpected 'f32'; expected ':' then the type"),
    "unterminated_string": (3, 37, None, "unterminated string"),
    "bad_escape": (3, 37, None, "unknown escape \\q"),
    "missing_percent": (3, 1, None, "unexpected 'x'; expected a parameter declaration"),
    "stray_character": (4, 26, None, "unexpected character '$'; expected the end of the line"),
    "graph_without_name": (2, 7, None, "unexpected '{'; expected a name"),
    "huge_integer": (3, 24, None, "integer with more than 40 digits"),
    "param_shape_mismatch": (3, 20, None, "declared f32[3,4] but the array in params is f32[4,3]"),
    "param_dtype_mismatch": (3, 20, None, "declared f32[3,4] but the array in params is int<8>[3,4]"),
    "param_missing_from_npz": (3, 7, None, "params has no array named 'fc.weight'"),
    # verification errors (the graph parses): the node, and its line in the message
    "shape_mismatch": (None, None, "fc", "does not match weight"),
    "declared_type_mismatch": (None, None, "fc", "declared type f32[4] but the op gives f32[3]"),
    "float_neuron_on_spikes": (None, None, "s", "lif is a float op but its input is spike"),
    "result_too_wide": (None, None, "s", "needs 66 bits, more than 64"),
    "no_output": (None, None, None, "the graph has no output node"),
}

# arrays that do not match the declarations (every other declared parameter gets zeros)
PARAMS = {
    "param_shape_mismatch": {"fc.weight": np.zeros((4, 3), np.float32)},
    "param_dtype_mismatch": {"fc.weight": np.zeros((3, 4), np.int8)},
    "param_missing_from_npz": {},
}

DECL_RE = re.compile(rb"^param @([\w.]+) : (\S+)\[([\d,]*)\]", re.M)


def declared_params(data: bytes) -> dict:
    out = {}
    for key, dtype, dims in DECL_RE.findall(data):
        shape = tuple(int(d) for d in dims.split(b",") if d)
        out[key.decode()] = np.zeros(shape, numpy_dtype(parse_dtype(dtype.decode())))
    return out


def test_every_file_is_in_the_table():
    assert sorted(p.stem for p in HERE.glob("*.snnir")) == sorted(CASES)
    assert len(CASES) >= 15


@pytest.mark.parametrize("stem", sorted(CASES))
def test_malformed(stem):
    line, column, node, words = CASES[stem]
    data = (HERE / f"{stem}.snnir").read_bytes()
    params = PARAMS.get(stem, declared_params(data))
    expected = ParseError if line is not None else VerifyError
    with pytest.raises(expected) as e:
        parse(data, params, source=f"{stem}.snnir")
    err = e.value
    assert words in str(err)
    if line is not None:
        assert (err.line, err.column) == (line, column), str(err)
        assert str(err).startswith(f"{stem}.snnir: line {line}, column {column}: ")
        assert "Token(" not in str(err) and "$END" not in str(err) and "_NL" not in str(err)
    else:
        assert err.node == node
        if node is not None:
            assert str(err).startswith(f"node %{node}: ") and f"{stem}.snnir line " in str(err)


def test_columns_count_characters_not_bytes():
    text = 'snnir 1\ngraph g {s = "ééé"} $\n'
    for form in (text, text.encode()):
        with pytest.raises(ParseError) as e:
            parse(form)
        assert (e.value.line, e.value.column) == (2, 21)


def test_parse_error_lists_expected_words():
    with pytest.raises(ParseError) as e:
        parse((HERE / "missing_type.snnir").read_bytes(), {"fc.weight": np.zeros((3, 4), np.float32)})
    assert e.value.expected == ("':' then the type",)
