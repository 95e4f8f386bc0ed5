"""The lark grammar (`snnir.lark`, package data beside this file) and the translation
of lark's syntax errors into `ParseError`s that say, in words, what was expected.

The parser is LALR(1) with a contextual lexer: each terminal is only tried where the
grammar allows it, so element types (`f32`) and keywords (`graph`, `true`) can also be
used as names. It is built once, on first use.
"""
from __future__ import annotations

import functools
from importlib import resources

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..errors import ParseError

VALUE_START = frozenset({"NUMBER", "STRING", "TRUE", "FALSE", "NONE", "_LPAR", "_LBRACE"})

# What each terminal means to a reader; the order is the order they are listed in messages.
WORDS = {
    "SNNIR": "the header 'snnir 1'",
    "GRAPH": "the graph line 'graph <name> {attributes}'",
    "PARAM": "a parameter declaration 'param @key : type[shape]'",
    "VALUE_REF": "a value name such as %x",
    "PARAM_REF": "a parameter name such as @fc1.weight",
    "NAME": "a name",
    "DTYPE": "an element type (spike, f32, int<k>, uint<k> or fixed<k,f>)",
    "VALUE": "a value (number, string, true, false, none, a tuple '(…)' or '{…}')",
    "NUMBER": "a number",
    "STRING": "a string",
    "TRUE": "true", "FALSE": "false", "NONE": "none",
    "STMT": "a parameter declaration 'param @key : type[shape]' or a node '%name = op(%operands) … : type'",
    "_EQ": "'='",
    "_LPAR": "'('",
    "_LBRACE": "'{' and attributes",
    "_LSQB": "'[' and parameter bindings",
    "_COLON": "':' then the type",
    "_COMMA": "','",
    "_RPAR": "')'",
    "_RSQB": "']'",
    "_RBRACE": "'}'",
    "_NL": "the end of the line",
    "$END": "the end of the file",
}


@functools.lru_cache(maxsize=1)
def parser() -> Lark:
    grammar = resources.files(__package__).joinpath("snnir.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=False)


def expected_words(terminals) -> list[str]:
    """Reader-facing words for a set of acceptable terminal names."""
    names = set(terminals)
    if names == {"_LSQB"}:
        return ["'[' and the shape, as in f32[32] (f32[] for a scalar)"]
    if names == {"NUMBER"}:
        return ["a number"]
    if "PARAM" in names and "VALUE_REF" in names:
        names -= {"PARAM", "VALUE_REF"}
        names.add("STMT")
    if len(names & VALUE_START) >= 3:
        names = (names - VALUE_START) | {"VALUE"}
    order = list(WORDS)
    return [WORDS.get(n, n) for n in sorted(names, key=lambda n: order.index(n) if n in order else len(order))]


def join_or(words: list[str]) -> str:
    if not words:
        return "nothing more"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def describe_char(ch: str) -> str:
    if ch.isprintable() and not ch.isspace():
        return f"character {ch!r}"
    return f"character U+{ord(ch):04X}" + (" (is this a binary file?)" if ch == "\0" or ord(ch) < 32 else "")


def end_position(text: str) -> tuple[int, int]:
    """1-based line and column just after the last non-blank character of `text`."""
    body = text.rstrip()
    if not body:
        return 1, 1
    line = body.count("\n") + 1
    return line, len(body) - (body.rfind("\n") + 1) + 1


def _accepts(e: UnexpectedInput) -> set[str]:
    ip = getattr(e, "interactive_parser", None)
    if ip is not None:
        try:
            return set(ip.accepts())
        except Exception:      # accepts() replays the parser; fall back to lark's own set
            pass
    return set(getattr(e, "expected", None) or getattr(e, "allowed", None) or ())


def syntax_error(e: UnexpectedInput, text: str, source: str | None) -> ParseError:
    """A `ParseError` (line, column, expected words) for a lark syntax error."""
    expected = expected_words(_accepts(e))
    if isinstance(e, UnexpectedCharacters):
        line, column = e.line, e.column
        ch = text[e.pos_in_stream] if 0 <= e.pos_in_stream < len(text) else ""
        if ch == '"':
            message = "unterminated string: a string must end with '\"' on the same line"
        else:
            message = f"unexpected {describe_char(ch)}; expected {join_or(expected)}"
    elif isinstance(e, UnexpectedEOF) or (isinstance(e, UnexpectedToken) and e.token.type == "$END"):
        line, column = end_position(text)
        message = f"the file ends too early; expected {join_or(expected)}"
    elif isinstance(e, UnexpectedToken):
        tok = e.token
        line, column = tok.line, tok.column
        what = "end of line" if tok.type == "_NL" else repr(str(tok))
        message = f"unexpected {what}; expected {join_or(expected)}"
    else:  # pragma: no cover - lark has no other UnexpectedInput kinds
        line, column = getattr(e, "line", None), getattr(e, "column", None)
        message = str(e)
    return ParseError(message, line, column, expected=tuple(expected), source=source)
