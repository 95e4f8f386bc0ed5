"""`snnc ir print|verify FILE` — read a .snnir or .nir file, print it or verify it."""
from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("ir", help="print or verify an IR file (.snnir or .nir)")
    ir_sub = p.add_subparsers(dest="ir_command", metavar="ACTION", required=True)
    pr = ir_sub.add_parser("print", help="print the text form of an IR file")
    pr.add_argument("file")
    pr.set_defaults(func=print_cmd)
    ve = ir_sub.add_parser("verify", help="parse and verify an IR file; exit 1 on any error")
    ve.add_argument("file")
    ve.set_defaults(func=verify_cmd)


def print_cmd(args) -> int:
    from snnc.ir import load, print_graph
    print(print_graph(load(args.file)), end="")
    return 0


def verify_cmd(args) -> int:
    from snnc.ir import load
    g = load(args.file)
    g.verify()
    n_params = sum(a.size for a in g.params.values())
    print(f"{args.file}: ok — graph {g.name}: {len(g)} nodes, {len(g.params)} parameter arrays "
          f"({n_params} values), inputs {', '.join(n.name for n in g.inputs)}, "
          f"outputs {', '.join(n.name for n in g.outputs)}")
    return 0
