"""The `snnc` command line.

Each subcommand lives in its own module with `add_parser(subparsers)` and a
`run(args) -> int`. One error channel: every failure prints one line
``snnc: error: …`` on stderr — errors caused by the user's input (`SnncError`, the
IR's `IRError`, a file that cannot be read) exit 1, usage errors (argparse's) exit 2,
anything else is reported as an internal error (exit 70) — and a traceback is shown
only with `--debug`. Python warnings raised while a command runs (NumPy's
RuntimeWarnings, torch's pickle warnings …) are collected and printed only with
`--debug`.
"""
from __future__ import annotations

import argparse
import sys
import warnings

from .. import __version__
from ..errors import SnncError
from ..train import cli as train_cmd
from . import compile_cmd, ir_cmd, report_cmd, run_cmd, verify_cmd

SUBCOMMANDS = (compile_cmd, run_cmd, verify_cmd, report_cmd, train_cmd, ir_cmd)


class UsageError(Exception):
    """A command line argparse refused (exit 2)."""


class Parser(argparse.ArgumentParser):
    """argparse with snnc's error channel: a usage error is one line, exit 2 (subparsers inherit it)."""

    def error(self, message):
        raise UsageError(f"{message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
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
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in argv[:argv.index("--")] if "--" in argv else "--debug" in argv
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return _main(argv, debug)
        finally:
            if debug:
                for w in caught:
                    print(f"snnc: warning: {w.category.__name__}: {one_line(w.message)} "
                          f"({w.filename}:{w.lineno})", file=sys.stderr)


def _main(argv: list[str], debug: bool) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as e:
        print(f"snnc: error: {one_line(e)}", file=sys.stderr)
        return 2
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("snnc: interrupted", file=sys.stderr)
        return 130
    except UsageError as e:
        print(f"snnc: error: {one_line(e)}", file=sys.stderr)
        return 2
    except user_errors() as e:
        if debug:
            raise
        print(f"snnc: error: {one_line(e)}", file=sys.stderr)
        return 1
    except (Exception, RecursionError) as e:     # a bug: still one line, the traceback with --debug
        if debug:
            raise
        print(f"snnc: error: internal error ({type(e).__name__}: {one_line(e)[:300]}); this is a bug in "
              "snnc: rerun with --debug for the traceback and report it", file=sys.stderr)
        return 70


def one_line(e: BaseException) -> str:
    if isinstance(e, OSError) and e.filename is not None:
        text = f"{e.strerror or e}: {e.filename}"
    else:
        text = str(e) or type(e).__name__
    return " ".join(text.split())
