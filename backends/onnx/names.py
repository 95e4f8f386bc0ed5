"""Names that reach the ONNX model: value, node, initializer and graph names.

ONNX accepts any string as a name, but tools that turn a model into code (or show
it) expect identifiers, so every name snnc writes is made of letters, digits and
``_``, starts with a letter or ``_``, is at most 64 characters long, and is unique
in the model. IR node names (which may contain ``.`` or anything else) are
rewritten: ``fc1.weight`` → ``fc1_weight``; a name already taken gets ``_2``,
``_3`` … appended.
"""
from __future__ import annotations

import re

_BAD = re.compile(r"[^A-Za-z0-9_]+")
MAX_LEN = 64


def sanitize(text: str) -> str:
    """An identifier-like form of `text`: runs of other characters become one ``_``."""
    name = _BAD.sub("_", str(text)).strip("_")[:MAX_LEN]
    if not name:
        return "v"
    return f"n_{name}" if name[0].isdigit() else name


class Namer:
    """Hands out unique sanitized names (one instance per model)."""

    def __init__(self):
        self.used: set[str] = set()

    def fresh(self, hint: str) -> str:
        base = sanitize(hint)
        name, k = base, 1
        while name in self.used:
            k += 1
            suffix = f"_{k}"
            name = base[:MAX_LEN - len(suffix)] + suffix
        self.used.add(name)
        return name
