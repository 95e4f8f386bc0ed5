"""`snnc report OUT [--dataset SPEC]` — report.json, report.md and PNG plots in OUT."""
from __future__ import annotations

from .argtypes import dataset_spec

from ..io import load_npy


def add_parser(sub):
    p = sub.add_parser("report", help="write report.json, report.md and plots for a compiled output folder")
    p.add_argument("out", help="an output folder of `snnc compile`")
    p.add_argument("--dataset", metavar="SPEC", type=dataset_spec,
                   help="measure accuracy and activity on the test split of a dataset "
                   "(digits, npz:PATH, cifar10:ROOT …)")
    p.add_argument("--input", "-i", help="real-valued input .npy [T, B, ...] to measure activity on")
    p.set_defaults(func=run)


def run(args) -> int:
    from snnc.report import build_report, write_report
    from snnc.report.markdown import summary_lines

    x = load_npy(args.input) if args.input else None
    report = build_report(args.out, dataset=args.dataset, x=x)
    paths = write_report(args.out, report)
    for line in summary_lines(report):
        print(line)
    print("wrote " + ", ".join(str(p) for p in paths.values()))
    return 0
