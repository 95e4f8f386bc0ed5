"""`snnc ir print|verify|opt FILE` — read a .snnir or .nir file; print it, verify it, or run passes on it."""
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
    op = ir_sub.add_parser("opt", help="run a pass pipeline on an IR file and print or save the result")
    op.add_argument("file")
    op.add_argument("--passes", "-p", required=True, help="e.g. 'fold-batchnorm,integerize{frac_bits=8},dce'")
    op.add_argument("--print-after", default="", help="also print the IR after these passes (or 'all')")
    op.add_argument("--output", "-o", help="write the result here (.snnir + .npz) instead of printing it")
    op.add_argument("--timing", action="store_true", help="print the time each pass took")
    op.set_defaults(func=opt_cmd)


def print_cmd(args) -> int:
    from snnc.ir import print_graph
    print(print_graph(load_graph(args.file)), end="")
    return 0


def verify_cmd(args) -> int:
    g = load_graph(args.file)
    g.verify()
    n_params = sum(a.size for a in g.params.values())
    print(f"{args.file}: ok — graph {g.name}: {len(g)} nodes, {len(g.params)} parameter arrays "
          f"({n_params} values), inputs {', '.join(n.name for n in g.inputs)}, "
          f"outputs {', '.join(n.name for n in g.outputs)}")
    return 0


def opt_cmd(args) -> int:
    import sys

    from snnc.ir import print_graph, save
    from snnc.passes import run_pipeline

    result = run_pipeline(load_graph(args.file), args.passes, print_after=args.print_after)
    if args.output:
        save(result.graph, args.output)
        print(f"wrote {args.output}")
    else:
        print(print_graph(result.graph), end="")
    if args.timing:
        for t in result.timings:
            print(f"{t.seconds * 1000:9.2f} ms  {t.name}", file=sys.stderr)
    return 0


def load_graph(path):
    """A graph file: `.nir` through the frontend's NIR importer, anything else as `.snnir`."""
    if str(path).lower().endswith(".nir"):
        from snnc.frontend.nir_import import read
        return read(path)
    from snnc.ir import load
    return load(path)
