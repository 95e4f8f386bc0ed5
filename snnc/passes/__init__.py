"""snnc.passes — graph-to-graph transformations, one small class per pass.

`PASSES` is the registry (name → class); `parse_pipeline` / `run_pipeline`
turn a pipeline string into passes and apply them with verification after each.
Every pass module is imported here explicitly (no folder scanning).
"""
from . import dce, fold_batchnorm, fold_temporal_scale, lower_multispike, ptq  # noqa: F401
from . import integerize  # noqa: F401
from . import fold_scale, spike_maxpool  # noqa: F401
from .base import PASSES, Pass, register
from .pipeline import PipelineResult, make_pass, parse_pipeline, run_pipeline

__all__ = ["PASSES", "Pass", "register", "make_pass", "parse_pipeline", "run_pipeline", "PipelineResult"]
