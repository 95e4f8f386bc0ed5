"""Attribute literals of the text form: how each Python value is written and read back.

=============  ==========================  ==========================================
Python value   text                        notes
=============  ==========================  ==========================================
``True``       ``true`` / ``false``
``None``       ``none``                    (graph attributes only; ops have no None)
``int``        ``-12``                     no ``.``, no exponent
``float``      ``0.001``, ``1e-05``,       ``repr`` (shortest string that reads back to the
               ``inf``, ``-inf``, ``nan``  same double: bit-exact), always with ``.``/``e``
``str``        ``"a \\"b\\" \\n"``         double quotes; ``\\\\ \\" \\n \\t \\r`` and
                                           ``\\xHH`` / ``\\uHHHH`` / ``\\UHHHHHHHH`` for
                                           every character that is not printable
``tuple``      ``()``, ``(64,)``, ``(1, 2)``  nested tuples allowed
``dict``       ``{dt = 0.001, "a b" = 1}``  keys: names, or strings when not names
=============  ==========================  ==========================================

NumPy scalars print as the Python value they equal. Lists, sets and other objects have
no text form: `format_value` raises `TypeError`, which the printer turns into an
`IRError` naming the attribute.
"""
from __future__ import annotations

import math
import re

import numpy as np

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r", "0": "\0"}
_ESCAPE_RE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)


def is_name(text: str) -> bool:
    return isinstance(text, str) and bool(NAME_RE.match(text))


def quote(text: str) -> str:
    """A double-quoted string literal that `unquote` reads back to exactly `text`."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        else:
            cp = ord(ch)
            out.append(f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}")
    return '"' + "".join(out) + '"'


def unquote(literal: str) -> str:
    """Inverse of `quote`. Raises ValueError (with the offending escape) on a bad escape."""
    body = literal[1:-1]

    def repl(m: re.Match) -> str:
        esc = m.group(1)
        if esc[0] in "xuU" and len(esc) > 1:
            cp = int(esc[1:], 16)
            if cp > 0x10FFFF:
                raise ValueError(f"escape \\{esc} is beyond the last Unicode code point")
            return chr(cp)
        if esc in _UNESCAPES:
            return _UNESCAPES[esc]
        raise ValueError(f"unknown escape \\{esc}; use \\\\ \\\" \\n \\t \\r \\xHH \\uHHHH or \\UHHHHHHHH")

    return _ESCAPE_RE.sub(repl, body)


def format_float(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(float(x))


def format_key(key) -> str:
    if not isinstance(key, str):
        raise TypeError(f"dictionary key {key!r} is not a string")
    return key if is_name(key) else quote(key)


def format_value(v) -> str:
    """Text of one attribute value (see the table in the module docstring)."""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if v is None:
        return "none"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return format_float(float(v))
    if isinstance(v, str):
        return quote(v)
    if isinstance(v, tuple):
        if len(v) == 1:
            return f"({format_value(v[0])},)"
        return "(" + ", ".join(format_value(x) for x in v) + ")"
    if isinstance(v, dict):
        return format_dict(v)
    raise TypeError(f"a value of type {type(v).__name__} ({v!r:.60}) has no text form; "
                    "use int, float, bool, str, None, a tuple or a dict of these")


def format_dict(d: dict) -> str:
    return "{" + ", ".join(f"{format_key(k)} = {format_value(v)}" for k, v in d.items()) + "}"


def read_number(text: str) -> int | float:
    """A NUMBER token: int when it has no '.', exponent, inf or nan; else float."""
    body = text.lstrip("+-").lower()
    if body.isdigit():
        return int(text)
    return float(text)
