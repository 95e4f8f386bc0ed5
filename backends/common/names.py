"""Names that reach generated code (C, C++, Tcl, ONNX): identifiers, comments, user-given words.

IR node names may contain anything (``l1.linear``, ``out.y``, even ``x; system("…")``), so
nothing of a name reaches generated code unchanged:

* `sanitize` / `Namer` make identifiers of ``[A-Za-z0-9_]`` only: runs of other characters
  and underscores become one ``_`` (so never ``__``, reserved in C and C++), no leading or
  trailing underscore, a leading digit gets ``n_``, at most 64 characters, never empty
  (``n``). A `Namer` makes them unique within one generated unit (``_2``, ``_3`` …);
  generated code puts a fixed kind prefix before them, so none can be a keyword;
* `safe_name` shows a user-given name in comments, READMEs and messages (``[A-Za-z0-9_.]``);
* `comment_text` keeps only characters that cannot end a ``//`` or ``/* */`` comment or a
  string literal (no newline, backslash, quote, ``*``, ``/`` or ``?`` — so no trigraph);
* `check_identifier` / `check_word` validate user options (a symbol prefix, a top function
  name, an FPGA part) and refuse, never repair, anything else.
"""
from __future__ import annotations

import re

MAX_LEN = 64
_NOT_IDENT = re.compile(r"[^A-Za-z0-9_]+")
_COMMENT_SAFE = re.compile(r"[^A-Za-z0-9_.,:;%<>\[\]()=+\- ]")
_NAME_SAFE = re.compile(r"[^A-Za-z0-9_.]")
_WORD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

# C and C++ keywords, and names the generated code or its headers use at file scope.
RESERVED = frozenset("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t
class compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield
decltype default delete do double dynamic_cast else enum explicit export extern false float for friend
goto if inline int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private
protected public register reinterpret_cast requires restrict return short signed sizeof static static_assert
static_cast struct switch template this thread_local throw true try typedef typeid typename union
unsigned using virtual void volatile wchar_t while xor xor_eq _Bool _Complex _Imaginary
main hls ap_int ap_uint ap_int_base std
""".split())


def sanitize(name) -> str:
    """The identifier form of `name` (module docstring)."""
    s = re.sub(r"_+", "_", _NOT_IDENT.sub("_", str(name))).strip("_")
    if not s:
        return "n"
    if s[0].isdigit():
        s = "n_" + s
    return s[:MAX_LEN].rstrip("_")


class Namer:
    """Unique sanitized identifiers within one generated unit.

    ``namer(node_name)`` is stable (the same name gives the same identifier);
    ``namer.fresh(hint)`` always hands out a new one."""

    def __init__(self):
        self._by_name: dict[str, str] = {}
        self._used: set[str] = set()

    def __call__(self, name: str) -> str:
        if name not in self._by_name:
            self._by_name[name] = self.fresh(name)
        return self._by_name[name]

    def fresh(self, hint) -> str:
        base = sanitize(hint)
        ident, k = base, 2
        while ident in self._used:
            suffix = f"_{k}"
            ident = base[:MAX_LEN - len(suffix)] + suffix
            k += 1
        self._used.add(ident)
        return ident


def safe_name(name, limit: int = 80) -> str:
    """A user-given name as shown in generated text: ``[A-Za-z0-9_.]`` only."""
    s = _NAME_SAFE.sub("_", str(name))
    return s if len(s) <= limit else s[: limit - 3] + "..."


def comment_text(text, limit: int = 120) -> str:
    """Text safe inside a comment or string literal of generated code (and a Tcl ``#`` comment)."""
    s = _COMMENT_SAFE.sub("_", str(text))
    return s if len(s) <= limit else s[: limit - 3] + "..."


def node_comment(node) -> str:
    """``%name = op(%a, %b) : type`` of a node, every name shown with `safe_name`."""
    operands = ", ".join("%" + safe_name(o) for o in node.operands)
    return comment_text(f"%{safe_name(node.name)} = {node.op}({operands}) : {node.type}", limit=160)


def check_identifier(value, option: str, error, *, what: str = "a usable C++ identifier", example: str = "snn_top",
                     max_len: int = 64) -> str:
    """A user-given identifier (a symbol prefix, a top function name): valid as is, or `error`."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", value) or "__" in value \
            or value in RESERVED or len(value) > max_len:
        raise error(f"option {option}={value!r} is not {what}; use letters, digits and single "
                    f"underscores, starting with a letter, at most {max_len} characters (e.g. {option}='{example}')")
    return value


def check_word(value, option: str, example: str, error) -> str:
    """A user-given token for Tcl / config files (e.g. an FPGA part): letters, digits, ``_.-`` only."""
    if not isinstance(value, str) or not _WORD.match(value) or len(value) > 80:
        raise error(f"option {option}={value!r} must be letters, digits, '_', '.' and '-' only "
                    f"(e.g. {option}='{example}')")
    return value
