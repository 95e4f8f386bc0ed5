"""`python -m snnc.train …` (and `torchrun … -m snnc.train …`): the `snnc train` subcommand alone."""
import sys

from snnc.train.cli import main

sys.exit(main())
