"""parse: snnir text (+ parameter arrays) → Graph.

Three stages, each with its own errors:

1. syntax (lark, `grammar.py`): `ParseError` with line, column and the expected words;
2. building: names resolved and checked while the graph is built — unknown op,
   unknown or ill-typed attribute, unknown parameter role, undefined operand or one
   used before its definition, duplicate names, undeclared parameters, parameter
   arrays missing or not matching their declared type and shape: `ParseError` at the
   offending token;
3. `verify()` (unless ``verify=False``): `VerifyError` naming the node (the message
   also gives the node's line).
"""
from __future__ import annotations

import difflib
import re

import numpy as np
from lark import Token, Tree
from lark.exceptions import UnexpectedInput

from ..errors import ParseError, VerifyError
from ..graph import Graph, Node
from ..ops import OPS
from ..types import DType, TensorType, param_dtype, parse_dtype
from ..verify import verify as verify_graph
from .grammar import parser, syntax_error
from .literals import read_number, unquote
from .printer import VERSION

MAX_DIGITS = 40        # longer integer literals are refused (no IR value needs them)
MAX_DEPTH = 64         # deeper nesting of tuples / dicts is refused
_HEADER_RE = re.compile(r"[ \t\f\r]*snnir(?![A-Za-z0-9_.])[ \t]*([^\s#]*)")


def _position(item) -> tuple[int, int] | None:
    if isinstance(item, Token) and item.line is not None:
        return item.line, item.column
    if isinstance(item, Tree):
        if not item.meta.empty:
            return item.meta.line, item.meta.column
        for child in item.children:
            pos = _position(child)
            if pos is not None:
                return pos
    if isinstance(item, tuple) and len(item) == 2:
        return item
    return None


class _Builder:
    def __init__(self, source: str | None, params_source: str):
        self.source, self.params_source = source, params_source
        self.all_nodes: dict[str, int] = {}     # every node name → line of its (first) definition
        self.lines: dict[str, int] = {}         # built nodes → line

    # ------------------------------------------------------------------ errors
    def error(self, message: str, *at, expected: tuple[str, ...] = ()) -> ParseError:
        """A ParseError at the first of `at` (tokens, trees or (line, column)) that has a position."""
        for item in at:
            pos = _position(item)
            if pos is not None:
                return ParseError(message, *pos, expected, source=self.source)
        return ParseError(message, expected=expected, source=self.source)

    # ------------------------------------------------------------------ literals
    def value(self, item, depth: int = 0):
        """Python value of an attribute-value subtree or token."""
        if isinstance(item, Tree):
            if depth > MAX_DEPTH:
                raise self.error(f"values are nested more than {MAX_DEPTH} deep", item)
            if item.data == "tuple":
                return tuple(self.value(c, depth + 1) for c in item.children)
            return self.dict(item, depth + 1)
        kind = item.type
        if kind == "NUMBER":
            return self.number(item)
        if kind == "STRING":
            return self.string(item)
        return {"TRUE": True, "FALSE": False, "NONE": None}[kind]

    def string(self, tok: Token) -> str:
        try:
            return unquote(str(tok))
        except ValueError as e:
            raise self.error(f"bad string: {e}", tok) from None

    def dict(self, tree: Tree, depth: int = 0) -> dict:
        out, where = {}, {}
        for entry in tree.children:
            key_tok, value = entry.children
            key = self.string(key_tok) if key_tok.type == "STRING" else str(key_tok)
            if key in out:
                raise self.error(f"{key!r} is given twice (first at line {where[key]})", key_tok)
            out[key], where[key] = self.value(value, depth), key_tok.line
        return out

    def number(self, tok: Token) -> int | float:
        text = str(tok)
        if text.lstrip("+-").isdigit() and len(text.lstrip("+-")) > MAX_DIGITS:
            raise self.error(f"integer with more than {MAX_DIGITS} digits", tok)
        return read_number(text)

    def integer(self, tok: Token, what: str, minimum: int) -> int:
        v = self.number(tok)
        if not isinstance(v, int) or v < minimum:
            raise self.error(f"{what} must be an integer ≥ {minimum}, got {tok}", tok)
        return v

    def dtype(self, tok: Token) -> DType:
        try:
            return parse_dtype(str(tok))
        except ValueError as e:
            raise self.error(str(e), tok) from None

    # ------------------------------------------------------------------ statements
    def header(self, tree: Tree):
        tok = tree.children[1]
        version = self.number(tok)
        if not isinstance(version, int) or version != VERSION:
            raise self.error(f"unsupported snnir version {tok}; this snnc reads version {VERSION}", tok)

    def param_arrays(self, decls: list[Tree], params: dict | None) -> dict[str, np.ndarray]:
        """The declared parameters, checked against the arrays given."""
        store, lines = {}, {}
        for decl in decls:
            _, ref, ty = decl.children
            key = str(ref)[1:]
            if key in store:
                raise self.error(f"parameter @{key} is declared twice (first at line {lines[key]})", ref)
            dtype = self.dtype(ty.children[0])
            shape = tuple(self.integer(d, "a parameter dimension", 0) for d in ty.children[1:])
            declared = f"{dtype}[{','.join(map(str, shape))}]"
            if dtype.kind not in ("f32", "int", "uint") or dtype.bits not in (8, 16, 32, 64):
                raise self.error(f"{dtype} is not a parameter storage type; use f32, int<8|16|32|64> or "
                                 "uint<8|16|32|64>", ty)
            if params is None:
                raise self.error(f"parameter @{key} is declared but no arrays were given: pass params= "
                                 "(a dict key → array) to parse(), or use load() to read the .npz beside "
                                 "the .snnir file", ref)
            if key not in params:
                raise self.error(f"parameter @{key} is declared but {self.params_source} has no array "
                                 f"named {key!r}", ref)
            try:
                arr = np.asarray(params[key])
                found = f"{param_dtype(arr)}[{','.join(map(str, arr.shape))}]"
            except (ValueError, TypeError) as e:
                raise self.error(f"the array for @{key} in {self.params_source} cannot be used: {e}", ref) from None
            if found != declared:
                raise self.error(f"parameter @{key} is declared {declared} but the array in "
                                 f"{self.params_source} is {found}", ty)
            store[key], lines[key] = np.array(arr, order="C", copy=True), ref.line
        return store

    def node(self, tree: Tree, graph: Graph, defined_at: dict[str, int]):
        children = list(tree.children)
        ref, op_tok, operands = children[:3]
        ty = children[-1]
        extra = {c.data: c for c in children[3:-1]}
        name, op = str(ref)[1:], str(op_tok)
        if name in graph.nodes:
            raise self.error(f"%{name} is defined twice (first at line {defined_at[name]})", ref)
        if op not in OPS:
            close = difflib.get_close_matches(op, OPS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise self.error(f"unknown op {op!r}; {hint}known ops: {', '.join(sorted(OPS))}", op_tok)
        opdef = OPS[op]()
        names = []
        for o in operands.children:
            oname = str(o)[1:]
            if oname not in graph.nodes:
                if oname == name:
                    raise self.error(f"%{name} cannot use its own result", o)
                if oname in self.all_nodes:
                    raise self.error(f"%{oname} is used before it is defined (at line {self.all_nodes[oname]}); "
                                     "nodes must be listed in topological order", o)
                raise self.error(f"%{oname} is not defined", o)
            names.append(oname)
        attrs = self.attrs(extra.get("dict"), opdef, name, op_tok)
        bound = self.bindings(extra.get("bindings"), opdef, graph)
        dtype = self.dtype(ty.children[0])
        shape = tuple(self.integer(d, "a dimension", 1) for d in ty.children[1:])
        graph.nodes[name] = Node(name, op, names, attrs, bound, TensorType(shape, dtype))
        defined_at[name] = ref.line

    def attrs(self, tree: Tree | None, opdef, name: str, op_tok: Token) -> dict:
        known = {a.name: a for a in opdef.attrs}
        raw = {}
        for entry in (tree.children if tree is not None else ()):
            key_tok, value_item = entry.children
            key = self.string(key_tok) if key_tok.type == "STRING" else str(key_tok)
            if key not in known:
                allowed = ", ".join(known) or "none"
                raise self.error(f"{opdef.name} has no attribute {key!r} (allowed: {allowed})", key_tok)
            if key in raw:
                raise self.error(f"attribute {key!r} is given twice", key_tok)
            value = self.value(value_item)
            try:
                known[key].coerce(value, name)
            except VerifyError as e:
                raise self.error(e.detail, value_item, key_tok) from None
            except (OverflowError, ValueError, TypeError) as e:
                raise self.error(f"attribute {key}: {e}", value_item, key_tok) from None
            raw[key] = value
        try:
            return opdef.complete_attrs(raw, name)
        except VerifyError as e:
            raise self.error(e.detail, tree, op_tok) from None

    def bindings(self, tree: Tree | None, opdef, graph: Graph) -> dict[str, str]:
        roles = {p.role for p in opdef.params}
        bound = {}
        for b in (tree.children if tree is not None else ()):
            role_tok, ref = b.children
            role, key = str(role_tok), str(ref)[1:]
            if role not in roles:
                raise self.error(f"{opdef.name} has no parameter {role!r} (allowed: "
                                 f"{', '.join(p.role for p in opdef.params) or 'none'})", role_tok)
            if role in bound:
                raise self.error(f"parameter {role!r} is bound twice", role_tok)
            if key not in graph.params:
                raise self.error(f"parameter @{key} is not declared; add a line 'param @{key} : type[shape]'", ref)
            bound[role] = key
        return bound

    # ------------------------------------------------------------------ whole file
    def build(self, tree: Tree, params: dict | None) -> Graph:
        header, graph_decl, *stmts = tree.children
        self.header(header)
        name_tok = graph_decl.children[1]
        attrs = self.dict(graph_decl.children[2]) if len(graph_decl.children) > 2 else {}
        graph = Graph(str(name_tok), attrs)
        decls = [s for s in stmts if s.data == "param_decl"]
        nodes = [s for s in stmts if s.data == "node"]
        graph.params = self.param_arrays(decls, params)
        if params is not None:
            extra = sorted(str(k) for k in set(params) - set(graph.params))
            if extra:
                raise self.error(f"{self.params_source} holds arrays that the text does not declare: "
                                 + ", ".join("@" + str(k) for k in extra[:8]) + (" …" if len(extra) > 8 else "")
                                 + "; declare them with 'param' lines or remove them", name_tok)
        for n in nodes:
            self.all_nodes.setdefault(str(n.children[0])[1:], n.children[0].line)
        for n in nodes:
            self.node(n, graph, self.lines)
        return graph


def _check_header(text: str, source: str | None):
    """The first line that is not blank or a comment must be 'snnir <version>'."""
    for number, line in enumerate(text.split("\n"), 1):
        body = line.split("#", 1)[0]
        if not body.strip():
            continue
        m = _HEADER_RE.match(body)
        if not m:
            column = len(body) - len(body.lstrip()) + 1
            raise ParseError(f"missing header: a snnir file starts with the line 'snnir {VERSION}'",
                             number, column, expected=(f"snnir {VERSION}",), source=source)
        version = m.group(1)
        if version and re.fullmatch(r"\+?\d+", version) and int(version) != VERSION:
            raise ParseError(f"unsupported snnir version {version}; this snnc reads version {VERSION}",
                             number, m.start(1) + 1, expected=(str(VERSION),), source=source)
        return
    raise ParseError(f"empty file: expected the header 'snnir {VERSION}', then a graph line", 1, 1,
                     expected=(f"snnir {VERSION}",), source=source)


def decode(data: bytes, source: str | None) -> str:
    """UTF-8 text of a file's bytes; undecodable bytes are a `ParseError` at their position."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise ParseError(f"byte 0x{data[e.start]:02x} is not UTF-8 text (is this a binary file?)",
                         line, column, source=source) from None


def parse(text: str | bytes, params: dict | None = None, *, verify: bool = True, source: str | None = None,
          params_source: str = "params") -> Graph:
    """Parse snnir text into a `Graph`.

    `params` maps each declared parameter key to its array (dtype and shape must match
    the declaration; arrays are copied). It may be left out only when the text declares
    no parameters. `source` names the file in error messages. With ``verify=False`` the
    graph is built but not verified (declared result types are kept as written).
    Raises `ParseError` (line, column, expected) or `VerifyError` (node), nothing else.
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = decode(bytes(text), source)
    if not isinstance(text, str):
        raise ParseError(f"expected snnir text (str or bytes), got {type(text).__name__}", source=source)
    text = text.removeprefix("\ufeff")
    _check_header(text, source)
    if not text.endswith("\n"):
        text += "\n"
    try:
        tree = parser().parse(text)
    except UnexpectedInput as e:
        raise syntax_error(e, text, source) from None
    except RecursionError:
        raise ParseError("values are nested too deeply", source=source) from None
    builder = _Builder(source, params_source)
    graph = builder.build(tree, params)
    if verify:
        _verify(graph, builder.lines, source)
    return graph


def _verify(graph: Graph, lines: dict[str, int], source: str | None):
    """verify(graph); a VerifyError gets the node's line added to its message."""
    try:
        verify_graph(graph)
        return
    except VerifyError as e:
        node, detail = e.node, e.detail
        if node is None or node not in lines:
            raise
    except (ArithmeticError, ValueError, TypeError, IndexError) as e:
        # An op's checks let a value through that its type inference cannot handle (e.g. an
        # integer result wider than 64 bits): still an error in the input, reported as such.
        node, detail = _culprit(graph), f"{e}"
        if node is None:
            raise VerifyError(f"the graph cannot be verified: {e}") from None
    where = f"{source} line {lines[node]}" if source else f"line {lines[node]}"
    raise VerifyError(f"{detail} ({where})", node=node) from None


def _culprit(graph: Graph) -> str | None:
    """The first node whose type inference fails with something other than a VerifyError."""
    for node in graph.nodes.values():
        try:
            node.opdef.infer(node, graph)
        except VerifyError:
            continue
        except Exception:
            return node.name
    return None
