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
