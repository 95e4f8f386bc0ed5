"""Names that reach generated C: identifiers and comments, never raw user text.

Node names may contain any character (`.` is common); in C they become
``n<index>_<letters, digits and _>`` (the index makes them unique), and in
comments and string literals only a safe subset of characters survives (no quote,
backslash, ``*``, ``/``, newline or ``?``), so no name can close a comment or a string,
start a preprocessor line or form a trigraph. The symbol prefix is a user option and
must already be a plain C identifier: it is checked, not rewritten.
"""
from __future__ import annotations

import re

from ..target import TargetError

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:%<>()\[\], =+-]")
C_KEYWORDS = frozenset("""auto break case char const continue default do double else enum extern float for
goto if inline int long register restrict return short signed sizeof static struct switch typedef union
unsigned void volatile while _Bool _Complex _Imaginary""".split())


def check_prefix(prefix) -> str:
    """The symbol prefix of a generated model: a C identifier of at most 32 characters."""
    if not isinstance(prefix, str) or not _IDENT.match(prefix) or prefix in C_KEYWORDS:
        raise TargetError(f"cpu option prefix={prefix!r} is not a plain C identifier (letters, digits and _, "
                          "not starting with a digit, at most 32 characters); choose e.g. prefix='snnc'")
    return prefix


def node_ident(index: int, name: str) -> str:
    """C identifier for the node at position `index` named `name`."""
    tail = re.sub(r"[^A-Za-z0-9_]", "_", name)[:24].strip("_")
    return f"n{index}_{tail}" if tail else f"n{index}"


def comment(text: str, limit: int = 120) -> str:
    """Text safe inside a C block comment or string literal: one line of harmless characters
    (no quote, backslash, `*`, `/` or `?` — so no comment end and no trigraph), others → `_`."""
    return _UNSAFE.sub("_", str(text))[:limit]
