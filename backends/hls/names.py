"""Identifiers and comments that reach the generated C++ and Tcl.

IR node names may contain anything (``l1.linear``, ``out.y``, even ``x; system("…")``),
so nothing of a name reaches generated code unchanged:

* `Namer` gives every node a unique C++ identifier made only of ``[A-Za-z0-9_]``,
  never starting with a digit or an underscore, never containing ``__`` (reserved in
  C++); every generated name is ``<kind>_<identifier>`` with a fixed kind prefix, so no
  identifier can be a keyword or collide with a name the templates use.
* `safe_name` shows a user-given name (node, graph) in comments, README and messages:
  only ``[A-Za-z0-9_.]``, everything else becomes ``_``;
* `comment_text` keeps only characters that cannot end a ``//`` comment (no newline, no
  backslash line splice, no ``?`` that could form a ``??/`` trigraph) in the text snnc
  composes around such names.
* `check_identifier` / `check_word` validate user options (top function name, FPGA
  part) and refuse, never repair, anything else.
"""
from __future__ import annotations

import re

from ..target import TargetError

_NOT_IDENT = re.compile(r"[^A-Za-z0-9_]+")
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_COMMENT_SAFE = re.compile(r"[^A-Za-z0-9_.,:;%<>\[\]()=+\-* ]")
_NAME_SAFE = re.compile(r"[^A-Za-z0-9_.]")
_WORD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

# C++ keywords and names that must not be used as a top-level function name.
CPP_RESERVED = frozenset("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t
class compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield
decltype default delete do double dynamic_cast else enum explicit export extern false float for friend
goto if inline int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private
protected public register reinterpret_cast requires return short signed sizeof static static_assert
static_cast struct switch template this thread_local throw true try typedef typeid typename union
unsigned using virtual void volatile wchar_t while xor xor_eq main hls ap_int ap_uint ap_int_base std
""".split())


def sanitize(name: str) -> str:
    """``[A-Za-z0-9_]`` only, runs of other characters and underscores collapsed to one ``_``,
    no leading/trailing underscore; never empty (``n``)."""
    s = _NOT_IDENT.sub("_", str(name))
    s = re.sub(r"_+", "_", s).strip("_")
    return s or "n"


class Namer:
    """Unique sanitized identifiers for the nodes of one graph (stable: graph order)."""

    def __init__(self):
        self._by_node: dict[str, str] = {}
        self._used: set[str] = set()

    def __call__(self, node_name: str) -> str:
        if node_name in self._by_node:
            return self._by_node[node_name]
        base = sanitize(node_name)
        ident, k = base, 2
        while ident in self._used:
            ident = f"{base}_{k}"
            k += 1
        self._used.add(ident)
        self._by_node[node_name] = ident
        return ident


def safe_name(name, limit: int = 80) -> str:
    """A user-given name as shown in generated text: ``[A-Za-z0-9_.]`` only."""
    s = _NAME_SAFE.sub("_", str(name))
    return s if len(s) <= limit else s[: limit - 3] + "..."


def node_comment(node) -> str:
    """``%name = op(%a, %b) : type`` of a node, every name shown with `safe_name`."""
    operands = ", ".join("%" + safe_name(o) for o in node.operands)
    return comment_text(f"%{safe_name(node.name)} = {node.op}({operands}) : {node.type}", limit=160)


def comment_text(text: str, limit: int = 120) -> str:
    """Text safe inside a ``//`` comment of the generated code (and a Tcl ``#`` comment)."""
    s = _COMMENT_SAFE.sub("_", str(text))
    return s if len(s) <= limit else s[: limit - 3] + "..."


def check_identifier(value, option: str) -> str:
    """A user-given C++ identifier (e.g. the top function name): valid as is, or a TargetError."""
    if not isinstance(value, str) or not _IDENT.match(value) or "__" in value or value in CPP_RESERVED \
            or len(value) > 64:
        raise TargetError(f"option {option}={value!r} is not usable as a C++ identifier; use letters, digits "
                          f"and single underscores, starting with a letter (e.g. {option}='snn_top')")
    return value


def check_word(value, option: str, example: str) -> str:
    """A user-given token for Tcl / config files (e.g. an FPGA part): letters, digits, ``_.-`` only."""
    if not isinstance(value, str) or not _WORD.match(value) or len(value) > 80:
        raise TargetError(f"option {option}={value!r} must be letters, digits, '_', '.' and '-' only "
                          f"(e.g. {option}='{example}')")
    return value
