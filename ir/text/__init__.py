"""snnc.ir.text — the IR's text form (`.snnir`): printer, lark parser, save/load.

A readable, diff-able listing, one statement a line (grammar: `snnir.lark`)::

    snnir 1
    graph mlp {dt = 0.001, source = "digits_tawq_mlp.pt"}
    param @fc1.weight : int<8>[4,32,64]
    param @fc1.scale : f32[4,32]
    %x = input() {shape = (64,), dtype = "uint<5>", scale = 0.0625} : uint<5>[64]
    %fc1 = linear(%x) [weight = @fc1.weight, scale = @fc1.scale] : f32[32]
    %y = output(%fc1) : f32[32]

* `snnir <version>` — the header (version 1);
* `graph <name> {<attributes>}` — name and graph attributes (`dt`, provenance …);
* `param @<key> : <storage type>[<shape>]` — one per stored array (f32, int<8..64>,
  uint<8..64>); the arrays live in the `.npz` beside the file and are checked against
  these declarations on load;
* `%<name> = <op>(%<operands>) {<attributes>} [<role> = @<key>, …] : <result type>` —
  one node; every attribute, in the op's declared order; `{}`/`[]` left out when empty;
* `#` starts a comment. Names are `[A-Za-z_][A-Za-z0-9_.]*`. Attribute values are
  ints, floats (bit-exact `repr`, `inf`, `-inf`, `nan`), `true`/`false`, `none`,
  double-quoted strings with escapes, tuples `(64,)`, `(1, 2)` and `{key = value}`
  dicts (see `literals.py`).

`print_graph(g) -> str`, `parse(text, params=None, *, verify=True, source=None) -> Graph`,
`save(g, path)` (atomic; `path` and `path.with_suffix(".npz")`), `load(path) -> Graph`
(`.snnir` + `.npz`, or `.nir`). Errors: `ParseError` (line, column, expected) and
`VerifyError` (node), never another exception type for bad input.
"""
from .files import load, npz_path, save
from .printer import VERSION, print_graph
from .reader import parse

__all__ = ["print_graph", "parse", "save", "load", "npz_path", "VERSION"]
