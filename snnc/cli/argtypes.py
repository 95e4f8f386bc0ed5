"""argparse value types with bounds: a bad value is a usage error (one line, exit 2)."""
from __future__ import annotations

import argparse


def bounded_int(lo: int, hi: int):
    """An argparse `type` accepting whole numbers in lo..hi."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value} is outside {lo}..{hi}")
        return value
    parse.__name__ = "integer"
    return parse


def dataset_spec(text: str) -> str:
    """An argparse `type` for a dataset spec (`snnc.data.spec`): its kind is checked here (a usage
    error), its files when it is loaded."""
    from snnc.data.spec import KINDS, parse
    from snnc.errors import DataError

    try:
        parse(text)
    except DataError as e:
        kind = text.partition(":")[0].strip().lower()
        if kind not in KINDS:
            raise argparse.ArgumentTypeError(f"invalid choice: {kind!r} (choose digits or "
                                             + ", ".join(f"{k}:PATH" for k in KINDS[1:]) + ")") from None
        raise argparse.ArgumentTypeError(str(e)) from None
    return text
dataset_spec.__name__ = "dataset spec"
