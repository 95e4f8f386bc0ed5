"""The `snnc` command line.

Each subcommand lives in its own module with `add_parser(subparsers)` and a
`run(args) -> int`. Errors caused by the user's input (`SnncError`, the IR's
`IRError`, a file that cannot be read) print one line and exit non-zero; a
traceback is shown only with `--debug`.
"""
from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..errors import SnncError
from ..train import cli as train_cmd
from . import compile_cmd, ir_cmd, report_cmd, run_cmd, verify_cmd

SUBCOMMANDS = (compile_cmd, run_cmd, verify_cmd, report_cmd, train_cmd, ir_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="snnc",
        description="snnc — compile quantized spiking neural networks to C, Vitis HLS, Loihi, NIR and ONNX.")
    parser.add_argument("--version", action="version", version=f"snnc {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def user_errors() -> tuple[type[BaseException], ...]:
    from ..backends.target import TargetError
    from ..ir.errors import IRError
    return (SnncError, IRError, TargetError, OSError)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("snnc: interrupted", file=sys.stderr)
        return 130
    except user_errors() as e:
        if args.debug:
            raise
        print(f"snnc: error: {one_line(e)}", file=sys.stderr)
        return 1


def one_line(e: BaseException) -> str:
    if isinstance(e, OSError) and e.filename is not None:
        text = f"{e.strerror or e}: {e.filename}"
    else:
        text = str(e) or type(e).__name__
    return " ".join(text.split())
